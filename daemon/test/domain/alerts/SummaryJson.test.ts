import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Alerts } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { connectAs, seedUser } from "../../fixtures/Seed.js"
import { seedAlerts, startAlertsWorld } from "./fixtures.js"

/**
 * alerts/list builds its items' JSON in PostgreSQL; alerts/get maps rows in TypeScript and
 * encodes them with the protocol's Schema. Byte for byte on the wire, every list item must be the
 * summary part of the alert's get: the same dates to the millisecond, tags in the same order,
 * only the cases the user may see, a stray status read as OPEN.
 */

let world: Awaited<ReturnType<typeof startAlertsWorld>>
let customer: DaemonClient
let url: string
const summaryKeys = Object.keys(Alerts.AlertsList.result.fields.items.value.fields)

beforeAll(async () => {
  world = await startAlertsWorld("summaryjson")
  url = world.db.url
  await query(url, `insert into customers (customer_code, customer_name) values ('acme', 'Acme'), ('globex', 'Globex')`)
  const cu = await seedUser(url, { username: "cu", role: "customer_user" })
  await query(url, `insert into user_customer_access (user_id, customer_code) values ($1, 'acme')`, [cu])
  const ids = await seedAlerts(url, [
    { name: "plain", customerCode: "acme" },
    { name: "quoted \"name\" with \\ and ünïcödé ✓", customerCode: "acme", tags: ["zeta", "Alpha", "beta"], assignedTo: "admin" },
    { name: "closed", customerCode: "acme", status: "CLOSED", createdAt: "2026-01-02T03:04:05.678999Z", escalated: true },
    { name: "stray status", customerCode: "acme", status: "WEIRD", createdAt: "1999-12-31T23:59:59.999999Z" },
    { name: "with iocs", customerCode: "acme", iocs: [{ value: "1.2.3.4", type: "IP" }, { value: "x.test", type: "DOMAIN" }],
      assets: ["host-a", "host-b"], source: "graylog" },
    { name: "globex", customerCode: "globex", tags: ["beta"], status: "IN_PROGRESS" }
  ])
  await query(url, `update incident_management_alert set time_closed = '2026-01-03T00:00:00.000500Z' where id = $1`, [ids[2]])
  // Two cases on one alert: one the customer_user may see (acme), one it may not (globex).
  for (const [name, code] of [["acme case", "acme"], ["globex case", "globex"]] as const) {
    const [c] = await query(url, `insert into incident_management_case (case_name, case_description, case_creation_time, case_status, customer_code)
      values ($1, '', now(), 'OPEN', $2) returning id`, [name, code])
    await query(url, `insert into incident_management_casealertlink (case_id, alert_id) values ($1, $2), ($1, $3)`, [c.id, ids[0], ids[1]])
  }
  customer = await connectAs(world.daemon, "cu")
})
afterAll(async () => {
  await customer?.close()
  await world?.stop()
})

/** Every page of alerts/list as the wire carries it (no client-side decoding). */
const wireItems = async (client: DaemonClient, params: Record<string, unknown>) => {
  const items: Array<Record<string, unknown>> = []
  let cursor: string | null = null
  do {
    const page = await client.raw("alerts/list", { ...params, limit: 2, ...(cursor ? { cursor } : {}) }) as {
      items: Array<Record<string, unknown>>; nextCursor: string | null
    }
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor !== null)
  return items
}

const expectParity = async (client: DaemonClient, expectedCount: number) => {
  for (const sort of ["createdAt", "name", "status", "assignedTo"] as const) {
    const items = await wireItems(client, { sort: { field: sort, direction: "asc" } })
    expect(items).toHaveLength(expectedCount)
    for (const item of items) {
      const detail = await client.raw("alerts/get", { id: item["id"] }) as Record<string, unknown>
      expect(JSON.stringify(item)).toBe(JSON.stringify(Object.fromEntries(summaryKeys.map((k) => [k, detail[k]]))))
    }
  }
}

describe("alerts/list items built by PostgreSQL", () => {
  it("are, on the wire, the summary of alerts/get for admin", async () => {
    await expectParity(world.admin, 6)
    const stray = (await wireItems(world.admin, {})).find((i) => i["name"] === "stray status")!
    expect(stray["status"]).toBe("OPEN")
    expect(stray["createdAt"]).toBe("1999-12-31T23:59:59.999Z")
    const tagged = (await wireItems(world.admin, {})).find((i) => (i["tags"] as Array<unknown>).length === 3)!
    expect((tagged["tags"] as Array<{ tag: string }>).map((t) => t.tag)).toEqual(["Alpha", "beta", "zeta"])
  })

  it("are the summary of alerts/get for a customer_user, who sees only its customer's cases", async () => {
    await expectParity(customer, 5)
    const linked = (await wireItems(customer, {})).filter((i) => (i["caseIds"] as Array<number>).length > 0)
    expect(linked.map((i) => (i["caseIds"] as Array<number>).length)).toEqual([1, 1])
  })

  it("decode with the protocol's Schema through the typed client", async () => {
    const page = await world.admin.call(Alerts.AlertsList, { limit: 500 })
    expect(page.items).toHaveLength(6)
    expect(page.items.every((i) => i.createdAt instanceof Date)).toBe(true)
    expect(page.nextCursor).toBeNull()
  })
})
