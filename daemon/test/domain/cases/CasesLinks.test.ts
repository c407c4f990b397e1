import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Cases } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import {
  insertAlert, insertCase, linkSql, linksOf, listenChanges, logEntries, seedPeople, snapshot, startEnv, tagAlert,
  withTagRbac, type CasesEnv
} from "./fixtures.js"

let env: CasesEnv
let people: Awaited<ReturnType<typeof seedPeople>>
let analyst: DaemonClient
let customer: DaemonClient
let changes: Awaited<ReturnType<typeof listenChanges>>

beforeAll(async () => {
  env = await startEnv("cases_links")
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

describe("cases/alerts/link and unlink", () => {
  it("link is idempotent and reports the new links; unlink reports the removed ones", async () => {
    const id = await insertCase(env.url, { name: "links", customerCode: "acme" })
    const a = await insertAlert(env.url, { customerCode: "acme" })
    const b = await insertAlert(env.url, { customerCode: "beta" })
    expect(await analyst.call(Cases.CasesAlertsLink, { caseId: id, alertIds: [b, a] })).toEqual({ linked: [a, b] })
    expect(await analyst.call(Cases.CasesAlertsLink, { caseId: id, alertIds: [a, b, a] })).toEqual({ linked: [] })
    expect(await linksOf(env.url, id)).toEqual([a, b])
    expect(await analyst.call(Cases.CasesAlertsUnlink, { caseId: id, alertIds: [a] })).toEqual({ unlinked: [a] })
    expect(await analyst.call(Cases.CasesAlertsUnlink, { caseId: id, alertIds: [a] })).toEqual({ unlinked: [] })
    expect(await linksOf(env.url, id)).toEqual([b])
    expect((await analyst.call(Cases.CasesGet, { id })).alertCount).toBe(1)
    expect(await changes.take(4)).toEqual([
      { entity: "case", kind: "updated", ids: [id] }, { entity: "alert", kind: "updated", ids: [a, b] },
      { entity: "case", kind: "updated", ids: [id] }, { entity: "alert", kind: "updated", ids: [a] }
    ])
    expect((await logEntries(env.url, "cases/alerts/link")).map((e) => e.message))
      .toEqual([`linked alerts ${a}, ${b} to case ${id}`, `linked alerts (none new) to case ${id}`])
    expect((await logEntries(env.url, "cases/alerts/unlink")).map((e) => e.message))
      .toEqual([`unlinked alerts ${a} from case ${id}`, `unlinked alerts (none linked) from case ${id}`])
  })

  it("a missing case or alert is NotFound and links nothing", async () => {
    const id = await insertCase(env.url, { name: "links2", customerCode: "acme" })
    const a = await insertAlert(env.url, { customerCode: "acme" })
    await expect(analyst.call(Cases.CasesAlertsLink, { caseId: 999_999, alertIds: [a] }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "case 999999 not found" })
    await expect(analyst.call(Cases.CasesAlertsLink, { caseId: id, alertIds: [a, 999_999] }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "alert 999999 not found" })
    await expect(analyst.call(Cases.CasesAlertsUnlink, { caseId: 999_999, alertIds: [a] }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "case 999999 not found" })
    expect(await linksOf(env.url, id)).toEqual([])
  })

  it("an alert hidden by tag RBAC can be neither linked nor unlinked by the analyst", async () => {
    const id = await insertCase(env.url, { name: "links3", customerCode: "acme" })
    const hidden = await insertAlert(env.url, { customerCode: "acme" })
    const other = await insertAlert(env.url, { customerCode: "acme" })
    await tagAlert(env.url, hidden, "hidden-link")
    await linkSql(env.url, id, [hidden])
    await withTagRbac(env.url, async () => {
      await expect(analyst.call(Cases.CasesAlertsUnlink, { caseId: id, alertIds: [hidden] }))
        .rejects.toMatchObject({ _tag: "NotFound", message: `alert ${hidden} not found` })
      await expect(analyst.call(Cases.CasesAlertsLink, { caseId: id, alertIds: [other, hidden] }))
        .rejects.toMatchObject({ _tag: "NotFound", message: `alert ${hidden} not found` })
      expect(await linksOf(env.url, id)).toEqual([hidden])
      expect(await env.admin.call(Cases.CasesAlertsUnlink, { caseId: id, alertIds: [hidden] })).toEqual({ unlinked: [hidden] })
      await changes.take(2)
    })
  })
})

describe("cases/comments/add", () => {
  it("comments as the session's user, up to 1064 characters", async () => {
    const id = await insertCase(env.url, { name: "talk", customerCode: "acme" })
    const first = await analyst.call(Cases.CasesCommentsAdd, { caseId: id, comment: "looking into it" })
    const [stored] = await query(env.url, "select * from incident_management_case_comment where id = $1", [first.id])
    expect(first).toEqual({ id: stored.id, comment: "looking into it", userName: "ana", createdAt: stored.created_at })
    expect(stored.case_id).toBe(id)
    const long = "x".repeat(1064)
    const second = await env.admin.call(Cases.CasesCommentsAdd, { caseId: id, comment: long })
    expect(second).toMatchObject({ comment: long, userName: "admin" })
    expect((await analyst.call(Cases.CasesGet, { id })).comments.map((c) => [c.id, c.userName])).toEqual([[first.id, "ana"], [second.id, "admin"]])
    expect((await logEntries(env.url, "cases/comments/add")).slice(-2)).toEqual([
      { user_id: people.analystId, route: "cases/comments/add", event_type: "mutation", message: `commented on case ${id} (comment ${first.id})` },
      { user_id: people.adminId, route: "cases/comments/add", event_type: "mutation", message: `commented on case ${id} (comment ${second.id})` }
    ])
    expect(await changes.take(2)).toEqual([
      { entity: "case", kind: "updated", ids: [id] }, { entity: "case", kind: "updated", ids: [id] }
    ])
  })

  it("a missing case is NotFound; 1065 characters or an empty comment are -32602", async () => {
    const id = await insertCase(env.url, { name: "talk2", customerCode: "acme" })
    await expect(analyst.call(Cases.CasesCommentsAdd, { caseId: 999_999, comment: "hi" }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "case 999999 not found" })
    for (const comment of ["", "x".repeat(1065)]) {
      await expect(analyst.raw("cases/comments/add", { caseId: id, comment })).rejects.toMatchObject({ _tag: "InvalidParams" })
    }
    expect(await query(env.url, "select * from incident_management_case_comment where case_id = $1", [id])).toEqual([])
  })
})

describe("customer_user", () => {
  it("cannot call any cases mutation (-32003), even on its own customer's case; nothing changes", async () => {
    const id = await insertCase(env.url, { name: "mine", customerCode: "acme" })
    const a = await insertAlert(env.url, { customerCode: "acme" })
    const before = await snapshot(env.url)
    const calls: Array<[string, unknown]> = [
      ["cases/create", { name: "x", description: "d", customerCode: "acme" }],
      ["cases/update", { ids: [id], set: { status: "CLOSED" } }],
      ["cases/alerts/link", { caseId: id, alertIds: [a] }],
      ["cases/alerts/unlink", { caseId: id, alertIds: [a] }],
      ["cases/comments/add", { caseId: id, comment: "hello" }]
    ]
    for (const [method, params] of calls) {
      await expect(customer.raw(method, params)).rejects.toMatchObject({ _tag: "Forbidden", message: `${method} is not allowed for role customer_user` })
    }
    expect(await snapshot(env.url)).toEqual(before)
    expect((await customer.call(Cases.CasesGet, { id })).id).toBe(id)
  })
})
