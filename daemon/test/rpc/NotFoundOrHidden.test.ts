import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { createTestDatabase, query } from "../fixtures/Postgres.js"
import { startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"
import { connectAs, seedCustomer, seedUser } from "../fixtures/Seed.js"

/**
 * A row the caller may not see must answer exactly like a row that does not exist: same code,
 * same message but for the number, so that ids cannot be probed.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
let analyst: DaemonClient
let customer: DaemonClient
let hiddenAlert: number
let hiddenCase: number
let visibleCase: number
let visibleAlert: number
const MISSING = 987_654

beforeAll(async () => {
  db = await createTestDatabase("hidden")
  daemon = await startDaemon({ databaseUrl: db.url })
  await seedCustomer(db.url, "ACME")
  await seedCustomer(db.url, "GLOBEX")
  await seedUser(db.url, { username: "ana", role: "analyst" })
  const carol = await seedUser(db.url, { username: "carol", role: "customer_user" })
  await query(db.url, "insert into user_customer_access (user_id, customer_code, created_at) values ($1, 'ACME', now())", [carol])
  const alert = async (customer: string) => (await query(db.url, `insert into incident_management_alert
    (alert_name, alert_description, status, alert_creation_time, customer_code, source, escalated)
    values ('a', 'a', 'OPEN', now(), $1, 'wazuh', false) returning id`, [customer]))[0].id as number
  visibleAlert = await alert("ACME")
  hiddenAlert = await alert("GLOBEX")
  // The analyst's view is cut by tag RBAC: a tagged alert without a grant is hidden from it.
  const tag = (await query(db.url, "insert into incident_management_alerttag (tag) values ('secret') returning id"))[0].id
  await query(db.url, "insert into incident_management_alert_to_tag (alert_id, tag_id) values ($1, $2)", [hiddenAlert, tag])
  await query(db.url, "insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior, updated_at) values (true, 'visible_to_all', now())")
  const kase = async (customer: string) => (await query(db.url, `insert into incident_management_case
    (case_name, case_description, case_creation_time, case_status, customer_code, escalated) values ('c', 'c', now(), 'OPEN', $1, false) returning id`, [customer]))[0].id as number
  visibleCase = await kase("ACME")
  hiddenCase = await kase("GLOBEX")
  analyst = await connectAs(daemon, "ana")
  customer = await connectAs(daemon, "carol")
})
afterAll(async () => {
  await analyst?.close()
  await customer?.close()
  await daemon?.stop()
  await db?.drop()
})

const answer = async (client: DaemonClient, method: string, params: unknown, id: number) => {
  try {
    await client.raw(method, params)
    return "succeeded"
  } catch (error) {
    const e = error as { _tag: string; message: string }
    return `${e._tag}: ${e.message.replaceAll(String(id), "N")}`
  }
}

type Probe = readonly [method: string, params: (id: number) => unknown]

const alertProbes: ReadonlyArray<Probe> = [
  ["alerts/get", (id) => ({ id })],
  ["alerts/update", (id) => ({ ids: [id], set: { escalated: true } })],
  ["alerts/comments/add", (id) => ({ alertId: id, comment: "x" })],
  ["alerts/comments/addMany", (id) => ({ alertIds: [id], comment: "x" })],
  ["alerts/tags/add", (id) => ({ alertIds: [id], tag: "t" })],
  ["alerts/iocs/add", (id) => ({ alertId: id, value: "1.2.3.4", type: "IP" })],
  ["alerts/iocs/remove", (id) => ({ alertId: id, iocId: 1 })],
  ["cases/create", (id) => ({ name: "n", description: "d", alertIds: [id] })],
  ["cases/alerts/link", (id) => ({ caseId: visibleCase, alertIds: [id] })],
  ["cases/alerts/unlink", (id) => ({ caseId: visibleCase, alertIds: [id] })]
]
const caseProbes: ReadonlyArray<Probe> = [
  ["cases/get", (id) => ({ id })],
  ["cases/update", (id) => ({ ids: [id], set: { escalated: true } })],
  ["cases/comments/add", (id) => ({ caseId: id, comment: "x" })],
  ["cases/alerts/link", (id) => ({ caseId: id, alertIds: [visibleAlert] })],
  ["cases/alerts/unlink", (id) => ({ caseId: id, alertIds: [visibleAlert] })]
]

describe("hidden rows answer like missing ones", () => {
  it.each(alertProbes.map(([m, p]) => [m, p] as const))("%s on an alert hidden by tag RBAC", async (method, params) => {
    const hidden = await answer(analyst, method, params(hiddenAlert), hiddenAlert)
    const missing = await answer(analyst, method, params(MISSING), MISSING)
    expect(hidden).toMatch(/^NotFound: /)
    expect(hidden).toBe(missing)
  })

  it.each(caseProbes.map(([m, p]) => [m, p] as const))("%s on another customer's case (customer user reads, analyst writes)", async (method, params) => {
    const client = method === "cases/get" ? customer : analyst
    // Cases are hidden only from customer users, who may not write at all (-32003, tested by
    // role elsewhere); a writer's probe can only meet a missing case.
    if (client === analyst) {
      const missing = await answer(analyst, method, params(MISSING), MISSING)
      expect(missing).toMatch(/^NotFound: /)
      return
    }
    const hidden = await answer(client, method, params(hiddenCase), hiddenCase)
    expect(hidden).toMatch(/^NotFound: /)
    expect(hidden).toBe(await answer(client, method, params(MISSING), MISSING))
  })

  it("a customer user reading another customer's alert gets what a missing id gets", async () => {
    const hidden = await answer(customer, "alerts/get", { id: hiddenAlert }, hiddenAlert)
    expect(hidden).toBe(await answer(customer, "alerts/get", { id: MISSING }, MISSING))
  })
})
