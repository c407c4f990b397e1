import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Alerts } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { connectAs, seedUser } from "../../fixtures/Seed.js"
import { auditRows, listenChanges, seedAlerts, startAlertsWorld } from "./fixtures.js"

/** alerts/get and every alert mutation, as admin and analyst, checked against the rows in the database. */

let world: Awaited<ReturnType<typeof startAlertsWorld>>
let admin: DaemonClient
let analyst: DaemonClient
let url: string
let adminId: number
let changes: Awaited<ReturnType<typeof listenChanges>>

beforeAll(async () => {
  world = await startAlertsWorld("alertswrite")
  admin = world.admin
  url = world.db.url
  await query(url, `insert into customers (customer_code, customer_name) values ('acme', 'Acme'), ('globex', 'Globex')`)
  adminId = (await query(url, `select id from "user" where username = 'admin'`))[0].id
  await seedUser(url, { username: "alice", role: "analyst" })
  analyst = await connectAs(world.daemon, "alice")
  changes = await listenChanges(url)
})
afterAll(async () => {
  await changes?.close()
  await analyst?.close()
  await world?.stop()
})
beforeEach(() => {
  changes.events.length = 0
})

const alertRow = async (id: number) =>
  (await query(url, `select * from incident_management_alert where id = $1`, [id]))[0]
const countRows = async (table: string, where = "true", values: Array<unknown> = []) =>
  (await query<{ n: number }>(url, `select count(*)::int as n from ${table} where ${where}`, values))[0]!.n

describe("alerts/create", () => {
  it("creates an OPEN, unassigned alert with its assets, IoCs and tags, and returns its summary", async () => {
    const before = new Date()
    const created = await analyst.call(Alerts.AlertsCreate, {
      name: "Manual: suspicious login",
      description: "seen by hand",
      customerCode: "acme",
      source: "manual",
      assets: [{ name: "host-a", agentId: "007" }, { name: "host-b", indexName: "idx", indexId: "doc-1" }],
      iocs: [{ value: "9.9.9.9", type: "IP", description: "resolver" }],
      tags: ["triage", "login", "triage"]
    })
    expect(created).toEqual({
      id: expect.any(Number),
      name: "Manual: suspicious login",
      status: "OPEN",
      createdAt: expect.any(Date),
      closedAt: null,
      customerCode: "acme",
      source: "manual",
      assignedTo: null,
      escalated: false,
      tags: [{ id: expect.any(Number), tag: "login" }, { id: expect.any(Number), tag: "triage" }],
      iocCount: 1,
      assetCount: 2,
      caseIds: []
    })
    expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 5000)
    expect(await alertRow(created.id)).toMatchObject({
      alert_description: "seen by hand", status: "OPEN", time_closed: null, assigned_to: null, escalated: false
    })
    const assets = await query(url, `select s.asset_name, s.agent_id, s.index_name, s.index_id, s.customer_code,
        x.source, x.context from incident_management_asset s
      join incident_management_alertcontext x on x.id = s.alert_context_id where s.alert_linked = $1 order by s.id`, [created.id])
    expect(assets).toEqual([
      { asset_name: "host-a", agent_id: "007", index_name: "", index_id: "", customer_code: "acme", source: "manual", context: null },
      { asset_name: "host-b", agent_id: null, index_name: "idx", index_id: "doc-1", customer_code: "acme", source: "manual", context: null }
    ])
    // One context shared by the manual alert's assets.
    expect(await countRows("incident_management_alertcontext x", `x.id in (select alert_context_id from incident_management_asset where alert_linked = $1)`, [created.id])).toBe(1)
    await changes.waitFor((e) => e.entity === "alert" && e.kind === "created" && e.ids.includes(created.id))
    expect((await auditRows(url, "alerts/create")).at(-1)).toMatchObject({ message: `created alert ${created.id} for customer acme` })
  })

  it("reuses an existing IoC of the same value and type, and a tag of the same name", async () => {
    const first = await admin.call(Alerts.AlertsCreate, {
      name: "a", description: "", customerCode: "acme", source: "manual",
      iocs: [{ value: "reuse.example", type: "DOMAIN" }], tags: ["shared"]
    })
    const second = await admin.call(Alerts.AlertsCreate, {
      name: "b", description: "", customerCode: "globex", source: "manual",
      iocs: [{ value: "reuse.example", type: "DOMAIN", description: "ignored: the IoC exists" }, { value: "reuse.example", type: "URL" }],
      tags: ["shared"]
    })
    expect(second.tags).toEqual(first.tags)
    expect(await countRows("incident_management_alerttag", "tag = 'shared'")).toBe(1)
    expect(await countRows("incident_management_ioc", "value = 'reuse.example' and type = 'DOMAIN'")).toBe(1)
    expect(await countRows("incident_management_ioc", "value = 'reuse.example'")).toBe(2)
    const iocs = (await admin.call(Alerts.AlertsGet, { id: second.id })).iocs
    expect(iocs.map((i) => [i.value, i.type, i.description])).toEqual([["reuse.example", "DOMAIN", null], ["reuse.example", "URL", null]])
  })

  it("refuses an unknown customer with NotFound and creates nothing", async () => {
    const before = await countRows("incident_management_alert")
    await expect(admin.call(Alerts.AlertsCreate, { name: "x", description: "", customerCode: "nope", source: "manual", tags: ["zzz"] }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "customer nope not found" })
    expect(await countRows("incident_management_alert")).toBe(before)
    expect(await countRows("incident_management_alerttag", "tag = 'zzz'")).toBe(0)
  })

  it("stores SQL metacharacters in names literally", async () => {
    const name = "x'); drop table incident_management_alert; -- % _ \\"
    const created = await admin.call(Alerts.AlertsCreate, { name, description: name, customerCode: "acme", source: "manual" })
    expect((await alertRow(created.id)).alert_name).toBe(name)
    const found = await admin.call(Alerts.AlertsList, { filter: { text: "drop table incident_management_alert; -- % _ \\" } })
    expect(found.items.map((a) => a.id)).toEqual([created.id])
  })

  const badCreates: Array<[string, unknown]> = [
    ["an empty name", { name: "", description: "", customerCode: "acme", source: "s" }],
    ["an empty customer code", { name: "n", description: "", customerCode: "", source: "s" }],
    ["an empty source", { name: "n", description: "", customerCode: "acme", source: "" }],
    ["a blank tag", { name: "n", description: "", customerCode: "acme", source: "s", tags: ["   "] }],
    ["a tag longer than the column (50)", { name: "n", description: "", customerCode: "acme", source: "s", tags: ["t".repeat(51)] }],
    ["an unknown IoC type", { name: "n", description: "", customerCode: "acme", source: "s", iocs: [{ value: "v", type: "EMAIL" }] }],
    ["an asset without a name", { name: "n", description: "", customerCode: "acme", source: "s", assets: [{ name: "" }] }],
    ["a number for the name", { name: 5, description: "", customerCode: "acme", source: "s" }],
    ["a missing description", { name: "n", customerCode: "acme", source: "s" }],
    ["a status (not settable on create)", { name: "n", description: "", customerCode: "acme", source: "s", status: "CLOSED" }],
    ["a 10 MB description (max 100000)", { name: "n", description: "d".repeat(10 * 1024 * 1024), customerCode: "acme", source: "s" }]
  ]
  for (const [label, params] of badCreates) {
    it(`refuses ${label} with -32602`, async () => {
      const before = await countRows("incident_management_alert")
      const error = await admin.raw("alerts/create", params).catch((e) => e)
      expect(error._tag).toBe("InvalidParams")
      expect(await countRows("incident_management_alert")).toBe(before)
    })
  }
})

describe("alerts/get", () => {
  it("returns the summary with description, assets, IoCs, comments, visible cases and the first asset's context", async () => {
    const [id, other] = await seedAlerts(url, [
      { name: "detailed", customerCode: "acme", description: "long text", assets: ["web-1", "web-2"], iocs: [{ value: "1.1.1.1", type: "IP" }], tags: ["red"] },
      { name: "plain", customerCode: "acme" }
    ])
    const [c1] = await query(url, `insert into incident_management_case (case_name, case_description, case_status, customer_code)
      values ('case one', 'd', 'OPEN', 'acme') returning id`)
    await query(url, `insert into incident_management_casealertlink (case_id, alert_id) values ($1, $2)`, [c1.id, id])
    await query(url, `insert into incident_management_comment (alert_id, comment, user_name, created_at) values
      ($1, 'second', 'bob', '2024-01-02'), ($1, 'first', 'carol', '2024-01-01')`, [id])
    const detail = await admin.call(Alerts.AlertsGet, { id: id! })
    expect(detail).toMatchObject({
      id, name: "detailed", description: "long text", status: "OPEN", customerCode: "acme", assetCount: 2, iocCount: 1,
      caseIds: [c1.id], tags: [{ tag: "red" }]
    })
    expect(detail.assets.map((a) => [a.name, a.customerCode, a.indexName, a.indexId])).toEqual([
      ["web-1", "acme", "wazuh-1", `doc-${id}`], ["web-2", "acme", "wazuh-1", `doc-${id}`]
    ])
    expect(detail.iocs).toEqual([{ id: expect.any(Number), value: "1.1.1.1", type: "IP", description: null }])
    expect(detail.comments.map((c) => [c.comment, c.userName])).toEqual([["first", "carol"], ["second", "bob"]])
    expect(detail.cases).toEqual([{
      id: c1.id, name: "case one", status: "OPEN", createdAt: expect.any(Date), closedAt: null, customerCode: "acme",
      assignedTo: null, escalated: false, notificationCount: 0, alertCount: 1
    }])
    // The context's SIEM field names come back exactly as stored (not camelCased).
    expect(detail.context).toEqual({ data_win_eventdata_image: "C:\\x.exe", rule_id: 5 })
    const plain = await admin.call(Alerts.AlertsGet, { id: other! })
    expect(plain).toMatchObject({ assets: [], iocs: [], comments: [], cases: [], context: null, description: "about plain" })
  })

  it("answers NotFound for a missing id", async () => {
    await expect(admin.call(Alerts.AlertsGet, { id: 999999 })).rejects.toMatchObject({ _tag: "NotFound", message: "alert 999999 not found" })
  })
})

describe("alerts/update", () => {
  it("CLOSED stamps time_closed, IN_PROGRESS keeps it, OPEN clears it", async () => {
    const [id] = await seedAlerts(url, [{ name: "lifecycle", customerCode: "acme" }])
    expect(await analyst.call(Alerts.AlertsUpdate, { ids: [id!], set: { status: "CLOSED" } })).toEqual({ updated: [id] })
    const closed = (await alertRow(id!)).time_closed
    expect(closed).toBeInstanceOf(Date)
    expect((await admin.call(Alerts.AlertsGet, { id: id! })).closedAt).toEqual(closed)
    await analyst.call(Alerts.AlertsUpdate, { ids: [id!], set: { status: "IN_PROGRESS" } })
    expect(await alertRow(id!)).toMatchObject({ status: "IN_PROGRESS", time_closed: closed })
    await analyst.call(Alerts.AlertsUpdate, { ids: [id!], set: { status: "OPEN" } })
    expect(await alertRow(id!)).toMatchObject({ status: "OPEN", time_closed: null })
    await changes.waitFor((e) => e.kind === "updated" && e.ids.includes(id!))
    expect((await auditRows(url, "alerts/update")).length).toBeGreaterThanOrEqual(3)
  })

  it("assigns to an existing user, unassigns with null, and sets escalated", async () => {
    const ids = await seedAlerts(url, [{ name: "u1", customerCode: "acme" }, { name: "u2", customerCode: "globex" }])
    await analyst.call(Alerts.AlertsUpdate, { ids, set: { assignedTo: "alice", escalated: true } })
    for (const id of ids) expect(await alertRow(id)).toMatchObject({ assigned_to: "alice", escalated: true, status: "OPEN" })
    await analyst.call(Alerts.AlertsUpdate, { ids, set: { assignedTo: null } })
    for (const id of ids) expect(await alertRow(id)).toMatchObject({ assigned_to: null, escalated: true })
  })

  it("refuses an unknown assignee with NotFound and changes nothing", async () => {
    const [id] = await seedAlerts(url, [{ name: "u3", customerCode: "acme" }])
    await expect(analyst.call(Alerts.AlertsUpdate, { ids: [id!], set: { assignedTo: "ghost", status: "CLOSED" } }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "user ghost not found" })
    expect(await alertRow(id!)).toMatchObject({ assigned_to: null, status: "OPEN", time_closed: null })
  })

  it("is all or nothing: one missing id names it, and no alert changes", async () => {
    const ids = await seedAlerts(url, [{ name: "b1", customerCode: "acme" }, { name: "b2", customerCode: "acme" }])
    changes.events.length = 0
    await expect(analyst.call(Alerts.AlertsUpdate, { ids: [ids[0]!, 888888, ids[1]!, 777777], set: { status: "CLOSED" } }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "alert 888888 not found" })
    for (const id of ids) expect(await alertRow(id)).toMatchObject({ status: "OPEN", time_closed: null })
    // The rolled-back transaction published nothing: the next committed change is the first heard.
    await analyst.call(Alerts.AlertsUpdate, { ids: [ids[0]!, ids[0]!], set: { escalated: true } })
    await changes.waitFor((e) => e.kind === "updated")
    expect(changes.events).toEqual([{ entity: "alert", kind: "updated", ids: [ids[0]] }])
  })

  const badUpdates: Array<[string, unknown]> = [
    ["an unknown status", { ids: [1], set: { status: "DONE" } }],
    ["an empty set", { ids: [1], set: {} }],
    ["no ids", { ids: [], set: { escalated: true } }],
    ["a string id", { ids: ["1"], set: { escalated: true } }],
    ["a negative id", { ids: [-1], set: { escalated: true } }],
    ["an empty assignee", { ids: [1], set: { assignedTo: "" } }],
    ["an unknown field", { ids: [1], set: { name: "x" } }],
    ["escalated as a string", { ids: [1], set: { escalated: "true" } }],
    ["1001 ids", { ids: Array.from({ length: 1001 }, (_, i) => i + 1), set: { escalated: true } }]
  ]
  for (const [label, params] of badUpdates) {
    it(`refuses ${label} with -32602`, async () => {
      await expect(admin.raw("alerts/update", params)).rejects.toMatchObject({ _tag: "InvalidParams" })
    })
  }
})

describe("alerts/comments/add", () => {
  it("comments as the session's user, stamped now", async () => {
    const [id] = await seedAlerts(url, [{ name: "commented", customerCode: "acme" }])
    const comment = await analyst.call(Alerts.AlertsCommentsAdd, { alertId: id!, comment: "looks benign; '--" })
    expect(comment).toEqual({ id: expect.any(Number), comment: "looks benign; '--", userName: "alice", createdAt: expect.any(Date) })
    expect((await admin.call(Alerts.AlertsGet, { id: id! })).comments).toEqual([comment])
    expect((await auditRows(url, "alerts/comments/add")).at(-1)).toMatchObject({ message: `added comment ${comment.id} to alert ${id}` })
  })

  it("takes no author from params, and refuses an empty comment", async () => {
    const [id] = await seedAlerts(url, [{ name: "c2", customerCode: "acme" }])
    await expect(analyst.raw("alerts/comments/add", { alertId: id, comment: "x", userName: "admin" })).rejects.toMatchObject({ _tag: "InvalidParams" })
    await expect(analyst.raw("alerts/comments/add", { alertId: id, comment: "" })).rejects.toMatchObject({ _tag: "InvalidParams" })
    await expect(analyst.call(Alerts.AlertsCommentsAdd, { alertId: 999999, comment: "x" }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "alert 999999 not found" })
    expect(await countRows("incident_management_comment", "alert_id = $1", [id])).toBe(0)
  })
})

describe("alerts/comments/addMany", () => {
  it("puts the comment on every alert in one call, in the order asked, with one audit row and one change", async () => {
    const ids = await seedAlerts(url, [{ name: "m-a", customerCode: "acme" }, { name: "m-b", customerCode: "globex" }, { name: "m-c", customerCode: "acme" }])
    const alertIds = [ids[2]!, ids[0]!, ids[1]!]
    const { comments } = await analyst.call(Alerts.AlertsCommentsAddMany, { alertIds, comment: "same root cause" })
    expect(comments.map((c) => c.alertId)).toEqual(alertIds)
    for (const c of comments) expect(c).toEqual({ alertId: c.alertId, id: expect.any(Number), comment: "same root cause", userName: "alice", createdAt: expect.any(Date) })
    for (const { alertId, ...comment } of comments) expect((await admin.call(Alerts.AlertsGet, { id: alertId })).comments).toEqual([comment])
    expect((await auditRows(url, "alerts/comments/addMany")).at(-1)).toMatchObject({
      message: `commented on alerts ${alertIds.join(", ")} (comments ${comments.map((c) => c.id).join(", ")})`
    })
    expect(changes.events).toEqual([{ entity: "alert", kind: "updated", ids: alertIds }])
  })

  it("is all or nothing: a missing id fails the call naming it, and no alert gets the comment", async () => {
    const [a, b] = await seedAlerts(url, [{ name: "m-d", customerCode: "acme" }, { name: "m-e", customerCode: "acme" }])
    const audits = (await auditRows(url, "alerts/comments/addMany")).length
    await expect(analyst.call(Alerts.AlertsCommentsAddMany, { alertIds: [a!, 999999, b!], comment: "never" }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "alert 999999 not found" })
    expect(await countRows("incident_management_comment", "alert_id = any($1)", [[a, b]])).toBe(0)
    expect((await auditRows(url, "alerts/comments/addMany")).length).toBe(audits)
    expect(changes.events).toEqual([])
  })

  it("a dry run previews one comment row per alert and writes none", async () => {
    const [a, b] = await seedAlerts(url, [{ name: "m-f", customerCode: "acme" }, { name: "m-g", customerCode: "acme" }])
    const preview = await analyst.raw("alerts/comments/addMany", { alertIds: [a, b], comment: "draft", dryRun: true }) as {
      dryRun: boolean; changes: Array<{ table: string; op: string }>; result: { comments: Array<{ alertId: number }> }
    }
    expect(preview.dryRun).toBe(true)
    expect(preview.changes.filter((c) => c.table === "incident_management_comment").map((c) => c.op)).toEqual(["insert", "insert"])
    expect(preview.result.comments.map((c) => c.alertId)).toEqual([a, b])
    expect(await countRows("incident_management_comment", "alert_id = any($1)", [[a, b]])).toBe(0)
  })

  it("refuses bad input precisely", async () => {
    const [a] = await seedAlerts(url, [{ name: "m-h", customerCode: "acme" }])
    const refused = async (params: unknown) =>
      analyst.raw("alerts/comments/addMany", params).then(() => undefined, (e: { _tag: string; message: string }) => `${e._tag}: ${e.message}`)
    expect(await refused({ alertIds: [a, a], comment: "x" })).toMatch(/^InvalidParams: .*id \d+ is listed twice/s)
    expect(await refused({ alertIds: [], comment: "x" })).toMatch(/^InvalidParams: .*alertIds/s)
    expect(await refused({ alertIds: Array.from({ length: 501 }, (_, i) => i + 1), comment: "x" })).toMatch(/^InvalidParams: .*alertIds/s)
    expect(await refused({ alertIds: [a], comment: "" })).toMatch(/^InvalidParams: .*comment/s)
    expect(await refused({ alertIds: [a], comment: "x", userName: "admin" })).toMatch(/^InvalidParams/)
    expect(await countRows("incident_management_comment", "alert_id = $1", [a])).toBe(0)
  })
})

describe("alerts/tags", () => {
  it("two alerts tagged 'foo' share one tag; tagging again is a no-op; removing keeps the tag row", async () => {
    const [a, b] = await seedAlerts(url, [{ name: "t-a", customerCode: "acme" }, { name: "t-b", customerCode: "globex" }])
    const first = await analyst.call(Alerts.AlertsTagsAdd, { alertIds: [a!], tag: "foo" })
    // The wire may carry surrounding blanks (clients encoding through the schema cannot); they are trimmed.
    const second = await analyst.raw("alerts/tags/add", { alertIds: [b!, a!], tag: " foo " })
    expect(first).toEqual({ tag: { id: expect.any(Number), tag: "foo" }, updated: [a] })
    expect(second).toEqual({ tag: first.tag, updated: [b, a] })
    expect(await countRows("incident_management_alerttag", "tag = 'foo'")).toBe(1)
    expect(await countRows("incident_management_alert_to_tag", "tag_id = $1", [first.tag.id])).toBe(2)
    expect((await admin.call(Alerts.AlertsGet, { id: b! })).tags).toEqual([first.tag])

    expect(await analyst.call(Alerts.AlertsTagsRemove, { alertIds: [a!, b!], tagId: first.tag.id })).toEqual({ updated: [a, b] })
    expect(await countRows("incident_management_alert_to_tag", "tag_id = $1", [first.tag.id])).toBe(0)
    expect(await countRows("incident_management_alerttag", "id = $1", [first.tag.id])).toBe(1)
    // Removing a tag an alert does not carry is fine; an unknown tag id is not.
    expect(await analyst.call(Alerts.AlertsTagsRemove, { alertIds: [a!], tagId: first.tag.id })).toEqual({ updated: [a] })
    await expect(analyst.call(Alerts.AlertsTagsRemove, { alertIds: [a!], tagId: 999999 }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "tag 999999 not found" })
    expect((await auditRows(url, "alerts/tags/add")).length).toBeGreaterThanOrEqual(2)
    expect((await auditRows(url, "alerts/tags/remove")).length).toBeGreaterThanOrEqual(2)
  })

  it("tags all or nothing: a missing alert id creates neither the tag nor any link", async () => {
    const [a] = await seedAlerts(url, [{ name: "t-c", customerCode: "acme" }])
    await expect(analyst.call(Alerts.AlertsTagsAdd, { alertIds: [a!, 999999], tag: "never" }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "alert 999999 not found" })
    expect(await countRows("incident_management_alerttag", "tag = 'never'")).toBe(0)
    expect(await countRows("incident_management_alert_to_tag", "alert_id = $1", [a])).toBe(0)
  })

  it("concurrent taggers with a new name agree on one tag row", async () => {
    const ids = await seedAlerts(url, Array.from({ length: 8 }, (_, i) => ({ name: `race-${i}`, customerCode: "acme" })))
    const results = await Promise.all(ids.map((id) => analyst.call(Alerts.AlertsTagsAdd, { alertIds: [id], tag: "raced" })))
    expect(new Set(results.map((r) => r.tag.id)).size).toBe(1)
    expect(await countRows("incident_management_alert_to_tag", "tag_id = $1", [results[0]!.tag.id])).toBe(8)
  })
})

describe("alerts/iocs", () => {
  it("reuses an IoC row by value and type across alerts, links idempotently, and unlinks without deleting it", async () => {
    const [a, b] = await seedAlerts(url, [{ name: "i-a", customerCode: "acme" }, { name: "i-b", customerCode: "acme" }])
    const first = await analyst.call(Alerts.AlertsIocsAdd, { alertId: a!, value: "bad.example", type: "DOMAIN", description: "C2" })
    expect(first).toEqual({ id: expect.any(Number), value: "bad.example", type: "DOMAIN", description: "C2" })
    expect(await analyst.call(Alerts.AlertsIocsAdd, { alertId: b!, value: "bad.example", type: "DOMAIN" })).toEqual(first)
    expect(await analyst.call(Alerts.AlertsIocsAdd, { alertId: b!, value: "bad.example", type: "DOMAIN" })).toEqual(first)
    const asUrl = await analyst.call(Alerts.AlertsIocsAdd, { alertId: b!, value: "bad.example", type: "URL" })
    expect(asUrl.id).not.toBe(first.id)
    expect(await countRows("incident_management_alert_to_ioc", "ioc_id = $1", [first.id])).toBe(2)
    expect((await admin.call(Alerts.AlertsGet, { id: b! })).iocCount).toBe(2)
    const found = await admin.call(Alerts.AlertsList, { filter: { iocValue: "bad.example" } })
    expect(found.items.map((i) => i.id).sort()).toEqual([a, b].sort())

    expect(await analyst.call(Alerts.AlertsIocsRemove, { alertId: a!, iocId: first.id })).toEqual({ updated: [a] })
    expect(await countRows("incident_management_ioc", "id = $1", [first.id])).toBe(1)
    await expect(analyst.call(Alerts.AlertsIocsRemove, { alertId: a!, iocId: first.id }))
      .rejects.toMatchObject({ _tag: "NotFound", message: `ioc ${first.id} not found on alert ${a}` })
    await expect(analyst.call(Alerts.AlertsIocsAdd, { alertId: 999999, value: "x", type: "IP" }))
      .rejects.toMatchObject({ _tag: "NotFound", message: "alert 999999 not found" })
    expect((await auditRows(url, "alerts/iocs/add")).length).toBeGreaterThanOrEqual(3)
    expect((await auditRows(url, "alerts/iocs/remove")).length).toBe(1)
  })

  it("refuses an unknown IoC type and an empty value", async () => {
    await expect(analyst.raw("alerts/iocs/add", { alertId: 1, value: "x", type: "EMAIL" })).rejects.toMatchObject({ _tag: "InvalidParams" })
    await expect(analyst.raw("alerts/iocs/add", { alertId: 1, value: "", type: "IP" })).rejects.toMatchObject({ _tag: "InvalidParams" })
  })
})

describe("alerts/delete", () => {
  it("refuses alerts linked to a case with Conflict and deletes none of them", async () => {
    const [free, linked] = await seedAlerts(url, [{ name: "d-free", customerCode: "acme" }, { name: "d-linked", customerCode: "acme" }])
    const [c] = await query(url, `insert into incident_management_case (case_name, case_description, case_status)
      values ('holds', 'd', 'OPEN') returning id`)
    await query(url, `insert into incident_management_casealertlink (case_id, alert_id) values ($1, $2)`, [c.id, linked])
    await expect(admin.call(Alerts.AlertsDelete, { ids: [free!, linked!] }))
      .rejects.toMatchObject({ _tag: "Conflict", message: `alert ${linked} is linked to case ${c.id}` })
    expect(await countRows("incident_management_alert", "id in ($1, $2)", [free, linked])).toBe(2)
  })

  it("deletes comments, assets, unshared contexts and links, keeping IoC and tag rows and shared contexts", async () => {
    const [gone, stays] = await seedAlerts(url, [
      { name: "d-gone", customerCode: "acme", assets: ["h1"], iocs: [{ value: "6.6.6.6", type: "IP" }], tags: ["kept-tag"] },
      { name: "d-stays", customerCode: "acme", assets: ["h2"] }
    ])
    // Both seeded alerts' assets share one context; give the deleted alert a second, private one.
    const [own] = await query(url, `insert into incident_management_alertcontext (source) values ('private') returning id`)
    await query(url, `insert into incident_management_asset (alert_linked, asset_name, alert_context_id, customer_code, index_name, index_id)
      values ($1, 'h3', $2, 'acme', '', '')`, [gone, own.id])
    await admin.call(Alerts.AlertsCommentsAdd, { alertId: gone!, comment: "bye" })
    const shared = (await query(url, `select alert_context_id from incident_management_asset where alert_linked = $1`, [stays]))[0].alert_context_id
    const audience = (await query(url, `select id from "user" order by id`)).map((r) => r.id)

    expect(await admin.call(Alerts.AlertsDelete, { ids: [gone!] })).toEqual({ deleted: [gone] })
    expect(await countRows("incident_management_alert", "id = $1", [gone])).toBe(0)
    expect(await countRows("incident_management_comment", "alert_id = $1", [gone])).toBe(0)
    expect(await countRows("incident_management_asset", "alert_linked = $1", [gone])).toBe(0)
    expect(await countRows("incident_management_alert_to_tag", "alert_id = $1", [gone])).toBe(0)
    expect(await countRows("incident_management_alert_to_ioc", "alert_id = $1", [gone])).toBe(0)
    expect(await countRows("incident_management_alertcontext", "id = $1", [own.id])).toBe(0)
    expect(await countRows("incident_management_alertcontext", "id = $1", [shared])).toBe(1)
    expect(await countRows("incident_management_ioc", "value = '6.6.6.6'")).toBe(1)
    expect(await countRows("incident_management_alerttag", "tag = 'kept-tag'")).toBe(1)
    expect(await countRows("incident_management_alert", "id = $1", [stays])).toBe(1)
    // Admin and analyst may see every customer's alerts: both are told of the deletion.
    expect(await changes.waitFor((e) => e.kind === "deleted")).toEqual({ entity: "alert", kind: "deleted", ids: [gone], audience })
    expect((await auditRows(url, "alerts/delete")).at(-1)).toMatchObject({ message: `deleted alerts ${gone}`, user_id: adminId })
  })

  it("refuses a missing id with NotFound and deletes nothing; analysts may not delete", async () => {
    const [a] = await seedAlerts(url, [{ name: "d-x", customerCode: "acme" }])
    await expect(admin.call(Alerts.AlertsDelete, { ids: [a!, 999999] })).rejects.toMatchObject({ _tag: "NotFound", message: "alert 999999 not found" })
    expect(await countRows("incident_management_alert", "id = $1", [a])).toBe(1)
    await expect(analyst.call(Alerts.AlertsDelete, { ids: [a!] })).rejects.toMatchObject({ _tag: "Forbidden" })
    expect(await countRows("incident_management_alert", "id = $1", [a])).toBe(1)
  })
})

describe("audit trail", () => {
  it("wrote one log_entries row per successful mutation, with the acting user", async () => {
    const rows = await query<{ route: string; user_id: number }>(url, `select route, user_id from log_entries where route like 'alerts/%'`)
    const routes = new Set(rows.map((r) => r.route))
    for (const route of ["alerts/create", "alerts/update", "alerts/comments/add", "alerts/tags/add", "alerts/tags/remove",
      "alerts/iocs/add", "alerts/iocs/remove", "alerts/delete"]) expect(routes).toContain(route)
    expect(rows.every((r) => typeof r.user_id === "number")).toBe(true)
  })
})
