import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Cases } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import {
  alertRows, caseRow, grantTag, insertAlert, insertCase, linkSql, linksOf, listenChanges, logEntries, seedPeople,
  snapshot, startEnv, tagAlert, withTagRbac, type CasesEnv
} from "./fixtures.js"

let env: CasesEnv
let people: Awaited<ReturnType<typeof seedPeople>>
let analyst: DaemonClient
let customer: DaemonClient
let changes: Awaited<ReturnType<typeof listenChanges>>

beforeAll(async () => {
  env = await startEnv("cases_write")
  people = await seedPeople(env)
  analyst = people.analyst
  customer = people.customer
  changes = await listenChanges(env.url)
})
afterAll(async () => {
  await changes?.close()
  await people?.close()
  await env?.stop()
})
// Each test takes exactly the change events it caused; a leftover is a bug in the test or the daemon.
beforeEach(() => { expect(changes.events).toEqual([]) })

const caseCount = async () => (await query(env.url, "select count(*)::int as n from incident_management_case"))[0].n

describe("cases/create", () => {
  it("opens a case from alerts of one customer, takes their customer, links them, audits and publishes", async () => {
    const a1 = await insertAlert(env.url, { customerCode: "acme" })
    const a2 = await insertAlert(env.url, { customerCode: "acme" })
    const created = await analyst.call(Cases.CasesCreate, {
      name: "Brute force", description: "many failed logins", alertIds: [a2, a1, a2], assignedTo: "admin"
    })
    const row = await caseRow(env.url, created.id)
    expect(created).toEqual({
      id: created.id, name: "Brute force", status: "OPEN", createdAt: row.case_creation_time, closedAt: null,
      customerCode: "acme", assignedTo: "admin", escalated: false, notificationCount: 0, alertCount: 2
    })
    expect(row).toMatchObject({
      case_description: "many failed logins", case_status: "OPEN", notification_invoked_number: 0, escalated: false,
      case_closed_time: null
    })
    expect(await linksOf(env.url, created.id)).toEqual([a1, a2].sort((x, y) => x - y))
    expect(await logEntries(env.url, "cases/create")).toEqual([
      { user_id: people.analystId, route: "cases/create", event_type: "mutation", message: `created case ${created.id} for customer acme with alerts ${[a1, a2].sort((x, y) => x - y).join(", ")}` }
    ])
    expect(await changes.take(2)).toEqual([
      { entity: "case", kind: "created", ids: [created.id] },
      { entity: "alert", kind: "updated", ids: [a1, a2].sort((x, y) => x - y) }
    ])
    const detail = await analyst.call(Cases.CasesGet, { id: created.id })
    expect(detail.alerts.map((a) => [a.id, a.caseIds])).toEqual([[a1, [created.id]], [a2, [created.id]]].sort((x, y) => (x[0] as number) - (y[0] as number)))
  })

  it("without alerts or customer the case is staff-only (NULL customer): a customer_user never sees it", async () => {
    const created = await env.admin.call(Cases.CasesCreate, { name: "internal", description: "" })
    expect(created).toMatchObject({ customerCode: null, assignedTo: null, alertCount: 0, status: "OPEN" })
    expect((await caseRow(env.url, created.id)).customer_code).toBeNull()
    await expect(customer.call(Cases.CasesGet, { id: created.id })).rejects.toMatchObject({ _tag: "NotFound", message: `case ${created.id} not found` })
    expect((await customer.call(Cases.CasesList, { limit: 500 })).items.map((c) => c.id)).not.toContain(created.id)
    await changes.take(1)
  })

  it("an explicit customerCode wins, even over alerts of several customers", async () => {
    const a = await insertAlert(env.url, { customerCode: "acme" })
    const b = await insertAlert(env.url, { customerCode: "beta" })
    const created = await analyst.call(Cases.CasesCreate, { name: "cross", description: "d", customerCode: "beta", alertIds: [a, b] })
    expect(created).toMatchObject({ customerCode: "beta", alertCount: 2 })
    await changes.take(2)
  })

  it("alerts of two customers without customerCode: -32009, nothing created", async () => {
    const a = await insertAlert(env.url, { customerCode: "acme" })
    const b = await insertAlert(env.url, { customerCode: "beta" })
    const before = await snapshot(env.url)
    const error = await analyst.call(Cases.CasesCreate, { name: "x", description: "d", alertIds: [a, b] }).catch((e) => e)
    expect(error).toMatchObject({ _tag: "Conflict", message: "alerts belong to several customers; give customerCode" })
    expect(await env.admin.raw("cases/create", { name: "x", description: "d", alertIds: [a, b] }).catch((e) => e)).toMatchObject({ _tag: "Conflict" })
    expect(await snapshot(env.url)).toEqual(before)
  })

  it("refuses unknown alerts (naming the first), unknown customers and unknown assignees, creating nothing", async () => {
    const a = await insertAlert(env.url, { customerCode: "acme" })
    const before = await snapshot(env.url)
    const count = await caseCount()
    await expect(analyst.call(Cases.CasesCreate, { name: "x", description: "d", alertIds: [a, 999_998, 999_997] }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "alert 999998 not found" })
    await expect(analyst.call(Cases.CasesCreate, { name: "x", description: "d", customerCode: "nosuch" }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "customer nosuch not found" })
    await expect(analyst.call(Cases.CasesCreate, { name: "x", description: "d", alertIds: [a], assignedTo: "ghost" }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "user ghost not found" })
    expect(await caseCount()).toBe(count)
    expect(await snapshot(env.url)).toEqual(before)
  })

  it("an alert hidden by tag RBAC cannot be put in a case by an analyst (NotFound), but can by admin", async () => {
    const open = await insertAlert(env.url, { customerCode: "acme" })
    const hidden = await insertAlert(env.url, { customerCode: "acme" })
    const granted = await tagAlert(env.url, open, "ok-tag")
    await tagAlert(env.url, hidden, "secret-tag")
    await grantTag(env.url, people.analystId, granted)
    await withTagRbac(env.url, async () => {
      await expect(analyst.call(Cases.CasesCreate, { name: "x", description: "d", alertIds: [open, hidden] }))
        .rejects.toMatchObject({ _tag: "NotFound", message: `alert ${hidden} not found` })
      const created = await env.admin.call(Cases.CasesCreate, { name: "x", description: "d", alertIds: [open, hidden] })
      expect(created.alertCount).toBe(2)
      expect((await analyst.call(Cases.CasesGet, { id: created.id })).alertCount).toBe(1)
      await changes.take(2)
    })
  })
})

describe("cases/update", () => {
  it("changes name, description, escalated and assignee; assignee null unassigns; unknown user is NotFound", async () => {
    const id = await insertCase(env.url, { name: "before", description: "old", customerCode: "acme", assignedTo: "ana" })
    expect(await analyst.call(Cases.CasesUpdate, { ids: [id], set: { name: "after", description: "new", escalated: true, assignedTo: "admin" } }))
      .toEqual({ updated: [id] })
    expect(await caseRow(env.url, id)).toMatchObject({ case_name: "after", case_description: "new", escalated: true, assigned_to: "admin", case_status: "OPEN" })
    await analyst.call(Cases.CasesUpdate, { ids: [id], set: { assignedTo: null } })
    expect((await caseRow(env.url, id)).assigned_to).toBeNull()
    await expect(analyst.call(Cases.CasesUpdate, { ids: [id], set: { assignedTo: "ghost" } }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "user ghost not found" })
    expect((await caseRow(env.url, id)).assigned_to).toBeNull()
    expect(await changes.take(2)).toEqual([
      { entity: "case", kind: "updated", ids: [id] }, { entity: "case", kind: "updated", ids: [id] }
    ])
  })

  it("closing stamps case_closed_time and closes every linked alert (stamping time_closed); other cases' alerts stay", async () => {
    const id = await insertCase(env.url, { name: "to close", customerCode: "acme", status: "IN_PROGRESS" })
    const other = await insertCase(env.url, { name: "other", customerCode: "acme" })
    const open = await insertAlert(env.url, { customerCode: "acme", status: "OPEN" })
    const working = await insertAlert(env.url, { customerCode: "acme", status: "IN_PROGRESS" })
    const done = await insertAlert(env.url, { customerCode: "acme", status: "CLOSED", timeClosed: "2020-01-01T00:00:00Z" })
    const elsewhere = await insertAlert(env.url, { customerCode: "acme", status: "OPEN" })
    await linkSql(env.url, id, [open, working, done])
    await linkSql(env.url, other, [elsewhere])
    expect(await analyst.call(Cases.CasesUpdate, { ids: [id], set: { status: "CLOSED" } })).toEqual({ updated: [id] })

    const [stamp] = await query(env.url, "select case_closed_time, case_closed_time >= case_creation_time as after_creation from incident_management_case where id = $1", [id])
    expect(stamp.case_closed_time).not.toBeNull()
    expect(stamp.after_creation).toBe(true)
    const alerts = await alertRows(env.url, [open, working, done, elsewhere])
    expect(alerts.map((a) => [a.id, a.status])).toEqual([[open, "CLOSED"], [working, "CLOSED"], [done, "CLOSED"], [elsewhere, "OPEN"]])
    // The cascade stamps in the case's transaction: the same now() as the case.
    expect(alerts[0].time_closed).toEqual(stamp.case_closed_time)
    expect(alerts[1].time_closed).toEqual(stamp.case_closed_time)
    expect(alerts[2].time_closed).toEqual(new Date("2020-01-01T00:00:00Z"))
    expect(alerts[3].time_closed).toBeNull()
    expect(await changes.take(2)).toEqual([
      { entity: "case", kind: "updated", ids: [id] },
      { entity: "alert", kind: "updated", ids: [open, working] }
    ])
    const [entry] = (await logEntries(env.url, "cases/update")).slice(-1)
    expect(entry).toMatchObject({ user_id: people.analystId, message: `updated cases ${id} (status); closed alerts ${open}, ${working}` })

    // Closing again changes nothing: the first stamp stays, no alert moves.
    await analyst.call(Cases.CasesUpdate, { ids: [id], set: { status: "CLOSED" } })
    expect((await caseRow(env.url, id)).case_closed_time).toEqual(stamp.case_closed_time)
    expect(await changes.take(1)).toEqual([{ entity: "case", kind: "updated", ids: [id] }])
  })

  it("reopening moves linked alerts to IN_PROGRESS; OPEN clears case_closed_time, IN_PROGRESS keeps it", async () => {
    const closedAt = "2024-01-02T03:04:05Z"
    const toOpen = await insertCase(env.url, { name: "reopen", customerCode: "acme", status: "CLOSED" })
    const toWork = await insertCase(env.url, { name: "rework", customerCode: "acme", status: "CLOSED" })
    await query(env.url, "update incident_management_case set case_closed_time = $1 where id = any($2::int[])", [closedAt, [toOpen, toWork]])
    const a = await insertAlert(env.url, { customerCode: "acme", status: "CLOSED", timeClosed: closedAt })
    const b = await insertAlert(env.url, { customerCode: "acme", status: "CLOSED", timeClosed: closedAt })
    await linkSql(env.url, toOpen, [a])
    await linkSql(env.url, toWork, [b])

    await analyst.call(Cases.CasesUpdate, { ids: [toOpen], set: { status: "OPEN" } })
    await analyst.call(Cases.CasesUpdate, { ids: [toWork], set: { status: "IN_PROGRESS" } })
    expect(await caseRow(env.url, toOpen)).toMatchObject({ case_status: "OPEN", case_closed_time: null })
    expect(await caseRow(env.url, toWork)).toMatchObject({ case_status: "IN_PROGRESS", case_closed_time: new Date(closedAt) })
    // CoPilot §e: IN_PROGRESS leaves the alert's closing time as it was.
    expect(await alertRows(env.url, [a, b])).toEqual([
      { id: a, status: "IN_PROGRESS", time_closed: new Date(closedAt) },
      { id: b, status: "IN_PROGRESS", time_closed: new Date(closedAt) }
    ])
    expect(await changes.take(4)).toEqual([
      { entity: "case", kind: "updated", ids: [toOpen] }, { entity: "alert", kind: "updated", ids: [a] },
      { entity: "case", kind: "updated", ids: [toWork] }, { entity: "alert", kind: "updated", ids: [b] }
    ])
  })

  it("OPEN -> IN_PROGRESS leaves the alerts alone", async () => {
    const id = await insertCase(env.url, { name: "working", customerCode: "acme" })
    const a = await insertAlert(env.url, { customerCode: "acme", status: "OPEN" })
    await linkSql(env.url, id, [a])
    await analyst.call(Cases.CasesUpdate, { ids: [id], set: { status: "IN_PROGRESS" } })
    expect(await alertRows(env.url, [a])).toEqual([{ id: a, status: "OPEN", time_closed: null }])
    expect(await changes.take(1)).toEqual([{ entity: "case", kind: "updated", ids: [id] }])
  })

  it("the close cascade also closes linked alerts the acting analyst cannot see", async () => {
    const id = await insertCase(env.url, { name: "rbac close", customerCode: "acme" })
    const hidden = await insertAlert(env.url, { customerCode: "acme" })
    await tagAlert(env.url, hidden, "top-secret")
    await linkSql(env.url, id, [hidden])
    await withTagRbac(env.url, async () => {
      expect((await analyst.call(Cases.CasesGet, { id })).alertCount).toBe(0)
      await analyst.call(Cases.CasesUpdate, { ids: [id], set: { status: "CLOSED" } })
      expect((await alertRows(env.url, [hidden]))[0].status).toBe("CLOSED")
      expect(await changes.take(2)).toEqual([
        { entity: "case", kind: "updated", ids: [id] }, { entity: "alert", kind: "updated", ids: [hidden] }
      ])
    })
  })

  it("bulk update is all or nothing: one missing id or a bad assignee changes nothing", async () => {
    const c1 = await insertCase(env.url, { name: "bulk1", customerCode: "acme" })
    const c2 = await insertCase(env.url, { name: "bulk2", customerCode: "beta" })
    const a = await insertAlert(env.url, { customerCode: "acme" })
    await linkSql(env.url, c1, [a])
    const before = await snapshot(env.url)
    const audits = (await logEntries(env.url, "cases/update")).length
    await expect(analyst.call(Cases.CasesUpdate, { ids: [c1, 999_999, c2, 999_998], set: { status: "CLOSED", name: "renamed" } }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "case 999999 not found" })
    await expect(analyst.call(Cases.CasesUpdate, { ids: [c1, c2], set: { status: "CLOSED", assignedTo: "ghost" } }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "user ghost not found" })
    expect(await snapshot(env.url)).toEqual(before)
    expect(await logEntries(env.url, "cases/update")).toHaveLength(audits)

    expect(await analyst.call(Cases.CasesUpdate, { ids: [c2, c1, c2], set: { status: "CLOSED" } })).toEqual({ updated: [c2, c1] })
    const rows = await query(env.url, "select id, case_status, case_closed_time from incident_management_case where id = any($1::int[]) order by id", [[c1, c2]])
    expect(rows.map((r) => r.case_status)).toEqual(["CLOSED", "CLOSED"])
    expect(rows[0].case_closed_time).toEqual(rows[1].case_closed_time)
    expect((await alertRows(env.url, [a]))[0].status).toBe("CLOSED")
    // Only the successful call published anything.
    expect(await changes.take(2)).toEqual([
      { entity: "case", kind: "updated", ids: [c2, c1] }, { entity: "alert", kind: "updated", ids: [a] }
    ])
  })
})

