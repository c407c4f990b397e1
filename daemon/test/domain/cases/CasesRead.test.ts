import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Cases } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { grantTag, insertAlert, insertCase, linkSql, seedPeople, startEnv, tagAlert, withTagRbac, type CasesEnv } from "./fixtures.js"

let env: CasesEnv
let people: Awaited<ReturnType<typeof seedPeople>>
let analyst: DaemonClient
let customer: DaemonClient

beforeAll(async () => {
  env = await startEnv("cases_read")
  people = await seedPeople(env)
  analyst = people.analyst
  customer = people.customer
  // A dataset full of ties: equal timestamps (and two a microsecond apart), repeated names and
  // statuses, NULL customers and assignees. Lower-case ASCII keeps every collation's order equal to JS's.
  const times = [
    "2024-01-01T00:00:00.000001Z", "2024-01-01T00:00:00.000002Z", "2024-01-01T00:00:00.500000Z",
    "2024-02-01T10:00:00.000000Z", "2024-03-01T00:00:00.123456Z"
  ]
  for (let i = 0; i < 31; i++) {
    await insertCase(env.url, {
      name: ["alpha", "bravo", "charlie", "delta"][i % 4]!,
      description: `case number ${i}`,
      createdAt: times[i % 5]!,
      status: ["OPEN", "IN_PROGRESS", "CLOSED"][i % 3]!,
      customerCode: [null, "acme", "beta"][Math.floor(i / 3) % 3]!,
      assignedTo: [null, "ann", "bob", "carl"][Math.floor(i / 2) % 4]!,
      escalated: i % 5 === 0
    })
  }
})
afterAll(async () => {
  await people?.close()
  await env?.stop()
})

interface Row { id: number; name: string; status: string; customer: string; assignee: string; created: string }

/** Every case as the database holds it, with the sort keys the list promises. */
const allCases = () => query<Row>(env.url, `
  select id, case_name as name, case_status as status, coalesce(customer_code, '') as customer,
    coalesce(assigned_to, '') as assignee,
    to_char(case_creation_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created
  from incident_management_case`)

const keyOf: Record<string, (r: Row) => string | number> = {
  createdAt: (r) => r.created, id: (r) => r.id, status: (r) => r.status, name: (r) => r.name,
  customerCode: (r) => r.customer, assignedTo: (r) => r.assignee
}

const expectedOrder = (rows: ReadonlyArray<Row>, field: string, direction: "asc" | "desc") => {
  const key = keyOf[field]!
  const sign = direction === "asc" ? 1 : -1
  return [...rows].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    if (ka !== kb) return (ka < kb ? -1 : 1) * sign
    return (a.id - b.id) * sign
  }).map((r) => r.id)
}

/** Follows nextCursor to the end; returns every id in page order and the number of pages. */
const walk = async (client: DaemonClient, params: Omit<typeof Cases.CasesList.params.Type, "cursor">) => {
  const ids: Array<number> = []
  let cursor: string | undefined
  let pages = 0
  for (;;) {
    const page = await client.call(Cases.CasesList, { ...params, ...(cursor ? { cursor } : {}) })
    pages++
    if (params.limit !== undefined) expect(page.items.length).toBeLessThanOrEqual(params.limit)
    ids.push(...page.items.map((c) => c.id))
    if (!page.nextCursor) return { ids, pages }
    cursor = page.nextCursor
    if (pages > 100) throw new Error("the walk does not end")
  }
}

describe("cases/list pagination", () => {
  const fields = ["createdAt", "id", "status", "name", "customerCode", "assignedTo"] as const
  for (const field of fields) {
    for (const direction of ["asc", "desc"] as const) {
      it(`walks every page sorted by ${field} ${direction} without duplicates or gaps`, async () => {
        const rows = await allCases()
        for (const limit of [4, 7]) {
          const { ids, pages } = await walk(env.admin, { sort: { field, direction }, limit })
          expect(ids).toEqual(expectedOrder(rows, field, direction))
          expect(pages).toBe(Math.ceil(rows.length / limit))
        }
      })
    }
  }

  it("defaults to createdAt desc and 50 a page, and the default cursor is the explicit sort's", async () => {
    for (let i = 0; i < 25; i++) await insertCase(env.url, { name: "echo", customerCode: "beta", createdAt: "2023-06-01T00:00:00Z" })
    const rows = await allCases()
    const first = await env.admin.call(Cases.CasesList, {})
    expect(first.items.map((c) => c.id)).toEqual(expectedOrder(rows, "createdAt", "desc").slice(0, 50))
    expect(first.nextCursor).not.toBeNull()
    const second = await env.admin.call(Cases.CasesList, { sort: { field: "createdAt", direction: "desc" }, cursor: first.nextCursor! })
    expect(second.items.map((c) => c.id)).toEqual(expectedOrder(rows, "createdAt", "desc").slice(50))
    expect(second.nextCursor).toBeNull()
  })

  it("a page that ends exactly at the last row has no next cursor", async () => {
    const total = (await allCases()).length
    const page = await env.admin.call(Cases.CasesList, { limit: total })
    expect(page.items).toHaveLength(total)
    expect(page.nextCursor).toBeNull()
  })

  it("refuses a tampered cursor and a cursor of another sort with -32602", async () => {
    const page = await env.admin.call(Cases.CasesList, { sort: { field: "name", direction: "asc" }, limit: 2 })
    const cursor = page.nextCursor!
    const [body, mac] = cursor.split(".")
    const payload = JSON.parse(Buffer.from(body!, "base64url").toString("utf8"))
    const forged = `${Buffer.from(JSON.stringify({ ...payload, i: payload.i + 1 })).toString("base64url")}.${mac}`
    for (const bad of [forged, `${body}.${mac!.slice(0, -2)}AA`, "not-a-cursor", `${body}.${mac}.x`]) {
      await expect(env.admin.call(Cases.CasesList, { sort: { field: "name", direction: "asc" }, limit: 2, cursor: bad }))
        .rejects.toMatchObject({ _tag: "InvalidParams", message: expect.stringContaining("invalid cursor") })
    }
    for (const sort of [{ field: "name", direction: "desc" }, { field: "status", direction: "asc" }] as const) {
      await expect(env.admin.call(Cases.CasesList, { sort, limit: 2, cursor }))
        .rejects.toMatchObject({ _tag: "InvalidParams", message: expect.stringContaining("belongs to cases sorted by name asc") })
    }
    const raw = await env.admin.raw("cases/list", { sort: { field: "name", direction: "asc" }, cursor: forged }).catch((e) => e)
    expect(raw).toMatchObject({ _tag: "InvalidParams", issues: [{ path: ["cursor"] }] })
  })
})

describe("cases/list filters", () => {
  const ids = async (filter: typeof Cases.CaseFilter.Type) =>
    (await walk(env.admin, { filter, sort: { field: "id", direction: "asc" }, limit: 500 })).ids
  const sqlIds = async (where: string, values: Array<unknown> = []) =>
    (await query<{ id: number }>(env.url, `select id from incident_management_case where ${where} order by id`, values)).map((r) => r.id)

  it("status, customerCodes, assignedTo (null = unassigned), escalated", async () => {
    expect(await ids({ status: ["OPEN", "CLOSED"] })).toEqual(await sqlIds("case_status in ('OPEN', 'CLOSED')"))
    expect(await ids({ customerCodes: ["acme"] })).toEqual(await sqlIds("customer_code = 'acme'"))
    expect(await ids({ customerCodes: ["acme", "beta"] })).toEqual(await sqlIds("customer_code in ('acme', 'beta')"))
    expect(await ids({ assignedTo: null })).toEqual(await sqlIds("assigned_to is null"))
    expect(await ids({ assignedTo: "bob" })).toEqual(await sqlIds("assigned_to = 'bob'"))
    expect(await ids({ escalated: true })).toEqual(await sqlIds("escalated"))
    expect(await ids({ escalated: false })).toEqual(await sqlIds("not escalated"))
    expect(await ids({ status: [] })).toEqual([])
    const combined = await ids({ status: ["OPEN"], customerCodes: ["beta"], escalated: false })
    expect(combined).toEqual(await sqlIds("case_status = 'OPEN' and customer_code = 'beta' and not escalated"))
    expect(combined.length).toBeGreaterThan(0)
  })

  it("text is a case-insensitive substring of the name or the description", async () => {
    const named = await insertCase(env.url, { name: "Ransomware on FILESERVER", description: "x" })
    const described = await insertCase(env.url, { name: "other", description: "lateral movement to fileserver-02" })
    expect(await ids({ text: "fileSERVER" })).toEqual([named, described])
    expect(await ids({ text: "RANSOM" })).toEqual([named])
    // notText is its inverse: every other case (a NULL description does not hide a case).
    const every = await ids({})
    expect(await ids({ notText: "fileSERVER" })).toEqual(every.filter((id) => id !== named && id !== described))
    expect(await ids({ text: "fileserver", notText: "ransom" })).toEqual([described])
  })

  it("SQL and LIKE metacharacters in text match literally", async () => {
    const special = [
      await insertCase(env.url, { name: "100% sure", description: "d" }),
      await insertCase(env.url, { name: "under_score", description: "d" }),
      await insertCase(env.url, { name: "back\\slash", description: "d" }),
      await insertCase(env.url, { name: "o'quote\"; drop table cases; --", description: "d" })
    ]
    expect(await ids({ text: "%" })).toEqual([special[0]])
    expect(await ids({ text: "0% s" })).toEqual([special[0]])
    expect(await ids({ text: "_" })).toEqual([special[1]])
    expect(await ids({ text: "r_s" })).toEqual([special[1]])
    expect(await ids({ text: "\\" })).toEqual([special[2]])
    expect(await ids({ text: "k\\s" })).toEqual([special[2]])
    expect(await ids({ text: "'quote\"; drop" })).toEqual([special[3]])
    expect(await ids({ text: "%%" })).toEqual([])
    expect(await ids({ text: "no such text anywhere" })).toEqual([])
    expect((await query(env.url, "select count(*)::int as n from incident_management_case"))[0].n).toBeGreaterThan(30)
  })

  it("filters and keyset pagination combine", async () => {
    const rows = (await allCases()).filter((r) => r.status !== "IN_PROGRESS")
    const { ids: walked } = await walk(env.admin, { filter: { status: ["OPEN", "CLOSED"] }, sort: { field: "assignedTo", direction: "desc" }, limit: 3 })
    expect(walked).toEqual(expectedOrder(rows, "assignedTo", "desc"))
  })
})

describe("cases/get", () => {
  it("returns the summary, description, alerts by id, comments by time then id, and files", async () => {
    const caseId = await insertCase(env.url, {
      name: "Phishing wave", description: "Several users clicked", createdAt: "2024-05-01T08:00:00.250Z",
      customerCode: "acme", assignedTo: "ana", escalated: true, status: "IN_PROGRESS"
    })
    const a2 = await insertAlert(env.url, { name: "second", customerCode: "acme", createdAt: "2024-05-01T07:00:00.000Z", source: "o365" })
    const a1 = await insertAlert(env.url, {
      name: "first", customerCode: "acme", createdAt: "2024-05-01T06:00:00.000Z", assignedTo: "ana", escalated: true,
      status: "CLOSED", timeClosed: "2024-05-01T09:00:00.000Z"
    })
    const tagId = await tagAlert(env.url, a1, "phish")
    const [ioc] = await query(env.url, "insert into incident_management_ioc (value, type) values ('1.2.3.4', 'IP') returning id")
    await query(env.url, "insert into incident_management_alert_to_ioc (alert_id, ioc_id) values ($1, $2)", [a1, ioc.id])
    await linkSql(env.url, caseId, [a1, a2])
    const c1 = await query(env.url, `insert into incident_management_case_comment (case_id, comment, user_name, created_at)
      values ($1, 'later', 'ana', '2024-05-02T00:00:00Z') returning id`, [caseId])
    const c2 = await query(env.url, `insert into incident_management_case_comment (case_id, comment, user_name, created_at)
      values ($1, 'first tie', 'admin', '2024-05-01T12:00:00Z'), ($1, 'second tie', 'ana', '2024-05-01T12:00:00Z') returning id`, [caseId])
    const f1 = await query(env.url, `insert into incident_management_case_datastore
      (case_id, bucket_name, object_key, file_name, content_type, file_size, upload_time, file_hash)
      values ($1, 'copilot-cases', 'k1', 'report.pdf', 'application/pdf', 1234, '2024-05-03T00:00:00Z', 'abc123') returning id`, [caseId])
    const f2 = await query(env.url, `insert into incident_management_case_datastore
      (case_id, bucket_name, object_key, file_name, upload_time, file_hash)
      values ($1, 'copilot-cases', 'k2', 'notes.txt', '2024-05-04T00:00:00Z', 'def456') returning id`, [caseId])

    const detail = await analyst.call(Cases.CasesGet, { id: caseId })
    expect(detail).toEqual({
      id: caseId, name: "Phishing wave", status: "IN_PROGRESS", createdAt: new Date("2024-05-01T08:00:00.250Z"),
      closedAt: null, customerCode: "acme", assignedTo: "ana", escalated: true, notificationCount: 0, alertCount: 2,
      description: "Several users clicked",
      alerts: [
        {
          id: a2, name: "second", status: "OPEN", createdAt: new Date("2024-05-01T07:00:00.000Z"), closedAt: null,
          customerCode: "acme", source: "o365", assignedTo: null, escalated: false, tags: [], iocCount: 0, assetCount: 0,
          caseIds: [caseId]
        },
        {
          id: a1, name: "first", status: "CLOSED", createdAt: new Date("2024-05-01T06:00:00.000Z"),
          closedAt: new Date("2024-05-01T09:00:00.000Z"), customerCode: "acme", source: "wazuh", assignedTo: "ana",
          escalated: true, tags: [{ id: tagId, tag: "phish" }], iocCount: 1, assetCount: 0, caseIds: [caseId]
        }
      ].sort((x, y) => x.id - y.id),
      comments: [
        { id: c2[0].id, comment: "first tie", userName: "admin", createdAt: new Date("2024-05-01T12:00:00Z") },
        { id: c2[1].id, comment: "second tie", userName: "ana", createdAt: new Date("2024-05-01T12:00:00Z") },
        { id: c1[0].id, comment: "later", userName: "ana", createdAt: new Date("2024-05-02T00:00:00Z") }
      ],
      files: [
        { id: f1[0].id, fileName: "report.pdf", size: 1234, sha256: "abc123", uploadedAt: new Date("2024-05-03T00:00:00Z") },
        { id: f2[0].id, fileName: "notes.txt", sha256: "def456", uploadedAt: new Date("2024-05-04T00:00:00Z") }
      ]
    })
    expect(detail.files[1]).not.toHaveProperty("size")
    const listed = await analyst.call(Cases.CasesList, { filter: { text: "phishing wave" } })
    const { description: _d, alerts: _a, comments: _c, files: _f, ...summary } = detail
    expect(listed.items).toEqual([summary])
  })

  it("a missing case is NotFound", async () => {
    await expect(env.admin.call(Cases.CasesGet, { id: 999_999 })).rejects.toMatchObject({ _tag: "NotFound", message: "case 999999 not found" })
  })
})

describe("visibility", () => {
  it("a customer_user sees only its customers' cases, never staff-only (NULL customer) ones", async () => {
    const { ids } = await walk(customer, { sort: { field: "id", direction: "asc" }, limit: 9 })
    const acme = (await query<{ id: number }>(env.url, "select id from incident_management_case where customer_code = 'acme' order by id")).map((r) => r.id)
    expect(acme.length).toBeGreaterThan(5)
    expect(ids).toEqual(acme)
    expect(await walk(customer, { filter: { customerCodes: ["beta"] }, limit: 50 })).toMatchObject({ ids: [] })
    expect(await walk(customer, { filter: { assignedTo: null }, sort: { field: "id", direction: "asc" } }))
      .toMatchObject({ ids: (await query<{ id: number }>(env.url, "select id from incident_management_case where customer_code = 'acme' and assigned_to is null order by id")).map((r) => r.id) })
  })

  it("a customer_user gets NotFound for another customer's case and a staff-only case, worded as for a missing one", async () => {
    const beta = await insertCase(env.url, { name: "beta case", customerCode: "beta" })
    const staff = await insertCase(env.url, { name: "staff case", customerCode: null })
    for (const id of [beta, staff]) {
      await expect(customer.call(Cases.CasesGet, { id })).rejects.toMatchObject({ _tag: "NotFound", message: `case ${id} not found` })
      await expect(analyst.call(Cases.CasesGet, { id })).resolves.toMatchObject({ id })
    }
  })

  it("alerts inside a case follow alert visibility: another customer's alert is hidden from a customer_user", async () => {
    const caseId = await insertCase(env.url, { name: "mixed", customerCode: "acme" })
    const mine = await insertAlert(env.url, { customerCode: "acme" })
    const theirs = await insertAlert(env.url, { customerCode: "beta" })
    await linkSql(env.url, caseId, [mine, theirs])
    const seen = await customer.call(Cases.CasesGet, { id: caseId })
    expect(seen.alerts.map((a) => a.id)).toEqual([mine])
    expect(seen.alertCount).toBe(1)
    expect((await env.admin.call(Cases.CasesGet, { id: caseId })).alertCount).toBe(2)
  })

  it("tag RBAC hides an alert from an analyst's case view and alertCount, not from admin", async () => {
    const caseId = await insertCase(env.url, { name: "tagged alerts", customerCode: "acme" })
    const granted = await insertAlert(env.url, { customerCode: "acme", name: "granted" })
    const hidden = await insertAlert(env.url, { customerCode: "acme", name: "hidden" })
    const untagged = await insertAlert(env.url, { customerCode: "acme", name: "untagged" })
    const okTag = await tagAlert(env.url, granted, "tier1")
    await tagAlert(env.url, hidden, "restricted")
    await linkSql(env.url, caseId, [granted, hidden, untagged])
    await grantTag(env.url, people.analystId, okTag)
    await withTagRbac(env.url, async () => {
      const asAnalyst = await analyst.call(Cases.CasesGet, { id: caseId })
      expect(asAnalyst.alerts.map((a) => a.id)).toEqual([granted, untagged])
      expect(asAnalyst.alertCount).toBe(2)
      const listed = await analyst.call(Cases.CasesList, { filter: { text: "tagged alerts" } })
      expect(listed.items.map((c) => [c.id, c.alertCount])).toEqual([[caseId, 2]])
      const asAdmin = await env.admin.call(Cases.CasesGet, { id: caseId })
      expect(asAdmin.alerts.map((a) => a.id)).toEqual([granted, hidden, untagged])
      expect(asAdmin.alertCount).toBe(3)
      expect((await env.admin.call(Cases.CasesList, { filter: { text: "tagged alerts" } })).items[0]!.alertCount).toBe(3)
    })
    expect((await analyst.call(Cases.CasesGet, { id: caseId })).alertCount).toBe(3)
  })
})
