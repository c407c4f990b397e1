import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import type { RoleName } from "@sockeye/protocol"
import { Alerts } from "@sockeye/protocol"
import { pageStatement, defaultSort, type PageQuery } from "../../../src/domain/alerts/AlertsQuery.js"
import type { Principal } from "../../../src/domain/Principal.js"
import { query } from "../../fixtures/Postgres.js"
import { seedUser } from "../../fixtures/Seed.js"
import { setTagRbac, startAlertsWorld } from "./fixtures.js"

/**
 * The plan of the exact statement alerts/list runs, over a few thousand alerts: the default sort
 * must be served by ix_incident_management_alert_alert_creation_time, starting at the cursor,
 * with no Sort node. Timings are printed for the record, never asserted.
 */

let world: Awaited<ReturnType<typeof startAlertsWorld>>
let url: string
const ROWS = 5000
const users: Record<string, number> = {}

beforeAll(async () => {
  world = await startAlertsWorld("alertsplan")
  url = world.db.url
  await query(url, `insert into customers (customer_code, customer_name)
    select 'c' || g, 'c' || g from generate_series(1, 5) g`)
  // Timestamps repeat (every 7 rows share one) so the id tie-breaker matters on this data too.
  await query(url, `insert into incident_management_alert
      (alert_name, alert_description, status, alert_creation_time, customer_code, source, assigned_to, escalated)
    select 'alert ' || g, 'd', (array['OPEN','IN_PROGRESS','CLOSED'])[1 + g % 3],
           timestamptz '2024-01-01' + ((g / 7) || ' minutes')::interval, 'c' || (1 + g % 5),
           'wazuh', null, g % 10 = 0
    from generate_series(1, ${ROWS}) g`)
  await query(url, `insert into incident_management_alerttag (tag) values ('granted'), ('other')`)
  await query(url, `insert into incident_management_alert_to_tag (alert_id, tag_id)
    select a.id, case when a.id % 2 = 0 then 1 else 2 end from incident_management_alert a where a.id % 3 = 0`)
  users["admin"] = (await query(url, `select id from "user" where username = 'admin'`))[0].id
  users["analyst"] = await seedUser(url, { username: "analyst", role: "analyst" })
  users["customer"] = await seedUser(url, { username: "cust", role: "customer_user" })
  await query(url, `insert into user_customer_access (user_id, customer_code) values ($1, 'c2')`, [users["customer"]])
  await query(url, `insert into user_tag_access (user_id, tag_id) values ($1, 1)`, [users["analyst"]])
  await query(url, "analyze")
})
afterAll(async () => {
  await world?.stop()
})

const principal = (name: string, role: RoleName): Principal => ({
  user: { id: users[name]!, username: name, email: "", role },
  client: "plan-test",
  system: false
})

interface PlanNode {
  readonly "Node Type": string
  readonly "Relation Name"?: string
  readonly "Alias"?: string
  readonly "Index Name"?: string
  readonly "Index Cond"?: string
  readonly "Actual Rows": number
  readonly "Actual Loops": number
  readonly "Parent Relationship"?: string
  readonly Plans?: ReadonlyArray<PlanNode>
}

const explain = (who: Principal, q: PageQuery) =>
  Effect.runPromise(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [text, params] = pageStatement(sql, who, q).compile()
    const rows = yield* sql.unsafe<{ "QUERY PLAN": Array<{ Plan: PlanNode; "Execution Time": number }> }>(
      `explain (analyze, format json) ${text}`, params as Array<unknown>)
    return rows[0]!["QUERY PLAN"][0]!
  }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url) }))))

/** The nodes that produce the result rows (not sub-plans of the select list or the predicate). */
const mainPath = (node: PlanNode): Array<PlanNode> =>
  [node, ...(node.Plans ?? []).filter((p) => p["Parent Relationship"] === "Outer" || p["Parent Relationship"] === "Inner")
    .flatMap(mainPath)]

const alertScan = (node: PlanNode) => mainPath(node).find((n) => n["Relation Name"] === "incident_management_alert")!

const cursorAt = async (offset: number) => {
  const [row] = await query(url, `
    select id, to_char(alert_creation_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as v
    from incident_management_alert order by alert_creation_time desc, id desc offset $1 limit 1`, [offset])
  return { l: "alerts", f: "createdAt", d: "desc" as const, v: row.v as string, i: row.id as number }
}

describe("alerts/list query plan (default sort)", () => {
  const timings: Array<string> = []
  afterAll(() => {
    process.stdout.write(`alerts/list plan timings over ${ROWS} alerts:\n${timings.map((t) => `  ${t}\n`).join("")}`)
  })

  const cases: Array<[string, () => Principal, boolean]> = [
    ["admin", () => principal("admin", "admin"), false],
    ["analyst, tag RBAC off", () => principal("analyst", "analyst"), false],
    ["customer_user of one customer in five", () => principal("customer", "customer_user"), false],
    ["analyst, tag RBAC on", () => principal("analyst", "analyst"), true]
  ]

  for (const [label, who, rbac] of cases) {
    it(`${label}: an index scan in sort order from the cursor, no Sort`, async () => {
      if (rbac) await setTagRbac(url, true, "visible_to_all")
      for (const offset of [undefined, 4000]) {
        const after = offset === undefined ? undefined : await cursorAt(offset)
        const result = await explain(who(), { filter: undefined, fold: "icu", sort: defaultSort, after, limit: 50 })
        const path = mainPath(result.Plan)
        expect(path.map((n) => n["Node Type"])).not.toContain("Sort")
        const scan = alertScan(result.Plan)
        expect(scan["Node Type"]).toBe("Index Scan")
        expect(scan["Index Name"]).toBe("ix_incident_management_alert_alert_creation_time")
        if (after) expect(scan["Index Cond"]).toMatch(/alert_creation_time/)
        // The scan starts at the cursor: far fewer rows than a scan from the top would read.
        if (!rbac && label === "admin") expect(scan["Actual Rows"]).toBeLessThanOrEqual(51)
        timings.push(`${label}, ${after ? "page after row 4000" : "first page"}: ${result["Execution Time"].toFixed(2)} ms, ` +
          `${scan["Actual Rows"]} rows from the index`)
      }
    })
  }

  it("a 500-row page and a text search stay on the same index", async () => {
    const admin = principal("admin", "admin")
    const big = await explain(admin, { filter: undefined, fold: "icu", sort: defaultSort, after: undefined, limit: 500 })
    expect(alertScan(big.Plan)["Index Name"]).toBe("ix_incident_management_alert_alert_creation_time")
    timings.push(`admin, first page of 500: ${big["Execution Time"].toFixed(2)} ms`)
    const text = await explain(admin, { filter: { text: "alert 49" }, fold: "icu", sort: defaultSort, after: undefined, limit: 50 })
    expect(alertScan(text.Plan)["Index Name"]).toBe("ix_incident_management_alert_alert_creation_time")
    timings.push(`admin, text "alert 49" (ICU ILIKE, ${alertScan(text.Plan)["Actual Rows"]} matches): ${text["Execution Time"].toFixed(2)} ms`)
  })

  it("the daemon pages the same data through the wire (5000 rows, pages of 500)", async () => {
    await setTagRbac(url, false, "visible_to_all")
    const started = performance.now()
    let cursor: string | undefined
    let seen = 0
    do {
      const page = await world.admin.call(Alerts.AlertsList, { limit: 500, ...(cursor ? { cursor } : {}) })
      seen += page.items.length
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    expect(seen).toBe(ROWS)
    timings.push(`full walk over the socket, 10 pages of 500: ${(performance.now() - started).toFixed(0)} ms`)
  })
})
