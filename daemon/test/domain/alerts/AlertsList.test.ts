import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Alerts } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { seedAlerts, startAlertsWorld, walk, type SeedAlert } from "./fixtures.js"

/**
 * alerts/list and alerts/count over a few hundred alerts with deliberately colliding sort values
 * (20 timestamps, some a microsecond apart; repeated names, codes, sources, assignees), so that
 * every page boundary depends on the id tie-breaker.
 */

let world: Awaited<ReturnType<typeof startAlertsWorld>>
let admin: DaemonClient
let url: string

interface Model extends SeedAlert {
  id: number
  createdAt: string
  source: string
  status: string
  assignedTo: string | null
  escalated: boolean
  tags: ReadonlyArray<string>
  iocs: ReadonlyArray<{ value: string; type: string }>
  assets: ReadonlyArray<string>
}
let model: Array<Model> = []

const names = [
  "Brute force", "brute FORCE attempt", "Malware found", "Login 100% failed", "under_score name",
  "back\\slash path", "O'Reilly'; drop table x; --", "Zeta", "alpha", "ünïcode ☃"
]
const codes = ["acme", "globex", "initech"]
const sources = ["wazuh", "graylog", "velo", "office365"]
const assignees = [null, "alice", "bob", "carol"]
const statuses = ["OPEN", "IN_PROGRESS", "CLOSED"]
const iocPool = [
  { value: "1.2.3.4", type: "IP" }, { value: "evil.com", type: "DOMAIN" }, { value: "50%off.com", type: "DOMAIN" },
  { value: "a_b.com", type: "DOMAIN" }, { value: "EVIL.com", type: "DOMAIN" }
]
const assetPool = ["host-1", "HOST-2", "srv_x", "db%1"]
const tagPool = ["t1", "t2", "t3"]

/** 20 distinct times; the last five differ only in microseconds (a Date would merge them). */
const times = [
  ...Array.from({ length: 15 }, (_, k) => `2024-03-01T${String(k).padStart(2, "0")}:00:00.000Z`),
  ...Array.from({ length: 5 }, (_, k) => `2024-03-02T00:00:00.00000${k + 1}Z`)
]

const seedModel = (count: number): Array<Omit<Model, "id">> => {
  // mulberry32: deterministic, and its low bits are as random as its high ones.
  let state = 42
  const next = (n: number) => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return (((t ^ (t >>> 14)) >>> 0) % 4294967296) % n
  }
  return Array.from({ length: count }, () => ({
    name: names[next(names.length)]!,
    customerCode: codes[next(codes.length)]!,
    source: sources[next(sources.length)]!,
    status: statuses[next(statuses.length)]!,
    createdAt: times[next(times.length)]!,
    assignedTo: assignees[next(assignees.length)]!,
    escalated: next(4) === 0,
    tags: tagPool.filter(() => next(3) === 0),
    iocs: iocPool.filter(() => next(4) === 0),
    assets: assetPool.filter(() => next(3) === 0)
  }))
}

beforeAll(async () => {
  world = await startAlertsWorld("alertslist")
  admin = world.admin
  url = world.db.url
  for (const code of codes) await query(url, `insert into customers (customer_code, customer_name) values ($1, $1)`, [code])
  const rows = seedModel(310)
  const ids = await seedAlerts(url, rows)
  model = rows.map((r, i) => ({ ...r, id: ids[i]! }))
})
afterAll(async () => {
  await world?.stop()
})

const idsOf = (items: ReadonlyArray<{ id: number }>) => items.map((i) => i.id)
const sorted = (ids: ReadonlyArray<number>) => [...ids].sort((a, b) => a - b)
const modelIds = (keep: (m: Model) => boolean) => model.filter(keep).map((m) => m.id).sort((a, b) => a - b)

const sortSql: Record<string, string> = {
  createdAt: "alert_creation_time", id: "id", status: "status", name: "alert_name", customerCode: "customer_code",
  source: "source", assignedTo: "coalesce(assigned_to, '')"
}

describe("alerts/list", () => {
  it("returns the newest first by default, 50 a page, with every summary field", async () => {
    const page = await admin.call(Alerts.AlertsList, {})
    expect(page.items).toHaveLength(50)
    expect(page.nextCursor).toEqual(expect.any(String))
    const newest = [...model].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)[0]!
    const first = page.items[0]!
    expect(first).toEqual({
      id: newest.id,
      name: newest.name,
      status: newest.status,
      createdAt: new Date(newest.createdAt),
      closedAt: null,
      customerCode: newest.customerCode,
      source: newest.source,
      assignedTo: newest.assignedTo,
      escalated: newest.escalated,
      tags: expect.any(Array),
      iocCount: newest.iocs.length,
      assetCount: newest.assets.length,
      caseIds: []
    })
    expect(first.tags.map((t) => t.tag)).toEqual([...newest.tags].sort())
  })

  for (const field of Object.keys(sortSql) as Array<keyof typeof sortSql>) {
    for (const direction of ["asc", "desc"] as const) {
      it(`walks every page sorted by ${field} ${direction} with no duplicate and no gap`, async () => {
        const sort = { field: field as typeof Alerts.AlertSortField.Type, direction }
        const { items, pages } = await walk(admin, { sort, limit: 37 })
        const expected = (await query<{ id: number }>(url,
          `select id from incident_management_alert order by ${sortSql[field]} ${direction}, id ${direction}`)).map((r) => r.id)
        expect(pages).toBe(Math.ceil(model.length / 37))
        expect(idsOf(items)).toEqual(expected)
        expect(new Set(idsOf(items)).size).toBe(model.length)
      })
    }
  }

  it("keeps rows a microsecond apart on separate sides of a page boundary", async () => {
    // Walk only the five microsecond-apart timestamps with pages of one row.
    const filter = { createdAfter: new Date("2024-03-02T00:00:00.000Z"), createdBefore: new Date("2024-03-02T00:00:01Z") }
    const { items } = await walk(admin, { filter, limit: 1 })
    const expected = model.filter((m) => m.createdAt.startsWith("2024-03-02"))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id).map((m) => m.id)
    expect(expected.length).toBeGreaterThan(5)
    expect(idsOf(items)).toEqual(expected)
  })

  it("gives no next cursor when the last page is exactly full", async () => {
    const all = await admin.call(Alerts.AlertsList, { limit: 310 })
    expect(all.items).toHaveLength(310)
    expect(all.nextCursor).toBeNull()
    const almost = await admin.call(Alerts.AlertsList, { limit: 309 })
    expect(almost.nextCursor).not.toBeNull()
    const rest = await admin.call(Alerts.AlertsList, { limit: 309, cursor: almost.nextCursor! })
    expect(rest.items).toHaveLength(1)
    expect(rest.nextCursor).toBeNull()
    expect(idsOf([...almost.items, ...rest.items])).toEqual(idsOf(all.items))
  })

  it("refuses a tampered cursor with -32602", async () => {
    const { nextCursor } = await admin.call(Alerts.AlertsList, { limit: 5 })
    const [body, mac] = nextCursor!.split(".")
    const payload = JSON.parse(Buffer.from(body!, "base64url").toString("utf8"))
    const forged = `${Buffer.from(JSON.stringify({ ...payload, i: payload.i + 100 })).toString("base64url")}.${mac}`
    const flipped = `${body}.${mac!.startsWith("A") ? "B" : "A"}${mac!.slice(1)}`
    for (const cursor of [forged, flipped, "garbage", `${body}.${mac}.extra`]) {
      await expect(admin.call(Alerts.AlertsList, { limit: 5, cursor }))
        .rejects.toMatchObject({ _tag: "InvalidParams", issues: [{ path: ["cursor"] }] })
    }
  })

  it("refuses a cursor reused with another sort field or direction", async () => {
    const { nextCursor } = await admin.call(Alerts.AlertsList, { limit: 5, sort: { field: "name", direction: "asc" } })
    for (const sort of [{ field: "name", direction: "desc" }, { field: "source", direction: "asc" }] as const) {
      await expect(admin.call(Alerts.AlertsList, { limit: 5, sort, cursor: nextCursor! }))
        .rejects.toMatchObject({ _tag: "InvalidParams", message: expect.stringContaining("sorted by name asc") })
    }
    // The default sort is createdAt desc: a name cursor does not fit it either.
    await expect(admin.call(Alerts.AlertsList, { limit: 5, cursor: nextCursor! })).rejects.toMatchObject({ _tag: "InvalidParams" })
  })
})

describe("alerts/list filters", () => {
  const tagId = async (tag: string) =>
    (await query<{ id: number }>(url, `select id from incident_management_alerttag where tag = $1`, [tag]))[0]!.id
  const lower = (s: string) => s.toLowerCase()
  const contains = (m: Model, text: string) =>
    [m.name, ...m.assets, ...m.iocs.map((i) => i.value)].some((v) => lower(v).includes(lower(text)))

  const cases: Array<[string, () => Promise<[typeof Alerts.AlertFilter.Type, (m: Model) => boolean]>]> = [
    ["status", async () => [{ status: ["OPEN", "CLOSED"] }, (m) => m.status !== "IN_PROGRESS"]],
    ["customerCodes", async () => [{ customerCodes: ["globex"] }, (m) => m.customerCode === "globex"]],
    ["sources", async () => [{ sources: ["velo", "graylog"] }, (m) => ["velo", "graylog"].includes(m.source)]],
    ["assignedTo (a user)", async () => [{ assignedTo: "bob" }, (m) => m.assignedTo === "bob"]],
    ["assignedTo null (unassigned)", async () => [{ assignedTo: null }, (m) => m.assignedTo === null]],
    ["escalated true", async () => [{ escalated: true }, (m) => m.escalated]],
    ["escalated false", async () => [{ escalated: false }, (m) => !m.escalated]],
    ["tagIds (any of)", async () => [{ tagIds: [await tagId("t1"), await tagId("t3")] }, (m) => m.tags.includes("t1") || m.tags.includes("t3")]],
    ["iocValue (exact)", async () => [{ iocValue: "evil.com" }, (m) => m.iocs.some((i) => i.value === "evil.com")]],
    ["iocValue with % taken literally", async () => [{ iocValue: "50%off.com" }, (m) => m.iocs.some((i) => i.value === "50%off.com")]],
    ["iocValue pattern characters match nothing", async () => [{ iocValue: "%" }, () => false]],
    ["text in a name, any case", async () => [{ text: "bRuTe" }, (m) => contains(m, "brute")]],
    ["text in an asset name", async () => [{ text: "host-" }, (m) => contains(m, "host-")]],
    ["text in an IoC value", async () => [{ text: "EVIL" }, (m) => contains(m, "evil")]],
    ["text % is literal", async () => [{ text: "%" }, (m) => contains(m, "%")]],
    ["text _ is literal", async () => [{ text: "_" }, (m) => contains(m, "_")]],
    ["text \\ is literal", async () => [{ text: "\\" }, (m) => contains(m, "\\")]],
    ["text with SQL is literal", async () => [{ text: "'; drop table x; --" }, (m) => contains(m, "'; drop table x; --")]],
    ["text unicode", async () => [{ text: "ÜNÏ" }, (m) => contains(m, "ünï")]],
    ["empty text matches everything", async () => [{ text: "" }, () => true]],
    ["notText: name, assets and IoCs all lack it", async () => [{ notText: "EVIL" }, (m) => !contains(m, "evil")]],
    ["notText % is literal", async () => [{ notText: "%" }, (m) => !contains(m, "%")]],
    ["notText with text: contains one, lacks the other", async () => [{ text: "o", notText: "host-" }, (m) => contains(m, "o") && !contains(m, "host-")]],
    ["empty notText matches everything", async () => [{ notText: "" }, () => true]],
    ["empty lists do not constrain", async () => [{ status: [], customerCodes: [], sources: [], tagIds: [] }, () => true]],
    ["createdAfter is inclusive", async () => [{ createdAfter: new Date("2024-03-01T05:00:00Z") }, (m) => m.createdAt >= "2024-03-01T05:00:00.000Z"]],
    ["createdBefore is exclusive", async () => [{ createdBefore: new Date("2024-03-01T05:00:00Z") }, (m) => m.createdAt < "2024-03-01T05:00:00.000Z"]],
    ["filters combine with AND", async () => [
      { customerCodes: ["acme"], status: ["OPEN"], escalated: false, text: "o" },
      (m) => m.customerCode === "acme" && m.status === "OPEN" && !m.escalated && contains(m, "o")
    ]]
  ]

  for (const [label, make] of cases) {
    it(label, async () => {
      const [filter, keep] = await make()
      const { items } = await walk(admin, { filter, limit: 500 })
      const expected = modelIds(keep)
      expect(sorted(idsOf(items))).toEqual(expected)
      const counted = await admin.call(Alerts.AlertsCount, { filter })
      expect(counted).toEqual({ total: expected.length })
    })
  }

  it("text with a pattern character is not a wildcard: '_' is not 'any character'", async () => {
    const { items } = await walk(admin, { filter: { text: "under_score" }, limit: 500 })
    expect(items.length).toBeGreaterThan(0)
    const { items: none } = await walk(admin, { filter: { text: "under_scorX" }, limit: 500 })
    expect(none).toHaveLength(0)
    const { items: wild } = await walk(admin, { filter: { text: "unde__score" }, limit: 500 })
    expect(wild).toHaveLength(0)
    // The SQL-looking filter did nothing to the database.
    expect(await query(url, "select count(*)::int as n from incident_management_alert")).toEqual([{ n: model.length }])
  })
})

describe("alerts/count", () => {
  const keyOf: Record<string, (m: Model) => ReadonlyArray<string | null>> = {
    status: (m) => [m.status],
    customerCode: (m) => [m.customerCode],
    source: (m) => [m.source],
    assignedTo: (m) => [m.assignedTo],
    tag: (m) => (m.tags.length === 0 ? [null] : m.tags)
  }

  for (const groupBy of Object.keys(keyOf) as Array<typeof Alerts.AlertGroupBy.Type>) {
    it(`groups by ${groupBy}, and each group agrees with the list`, async () => {
      const filter = { escalated: false }
      const result = await admin.call(Alerts.AlertsCount, { filter, groupBy })
      const kept = model.filter((m) => !m.escalated)
      expect(result.total).toBe(kept.length)
      const expected = new Map<string | null, number>()
      for (const m of kept) for (const key of keyOf[groupBy]!(m)) expected.set(key, (expected.get(key) ?? 0) + 1)
      expect(new Map(result.groups!.map((g) => [g.key, g.count]))).toEqual(expected)
      // Largest group first.
      const counts = result.groups!.map((g) => g.count)
      expect(counts).toEqual([...counts].sort((a, b) => b - a))
      for (const group of result.groups!) {
        if (groupBy === "tag") {
          if (group.key === null) continue
          const [{ id }] = await query(url, "select id from incident_management_alerttag where tag = $1", [group.key])
          expect((await walk(admin, { filter: { ...filter, tagIds: [id] }, limit: 500 })).items).toHaveLength(group.count)
          continue
        }
        const narrowed = groupBy === "status" ? { status: [group.key as "OPEN"] }
          : groupBy === "customerCode" ? { customerCodes: [group.key!] }
          : groupBy === "source" ? { sources: [group.key!] }
          : { assignedTo: group.key }
        expect((await walk(admin, { filter: { ...filter, ...narrowed }, limit: 500 })).items).toHaveLength(group.count)
      }
    })
  }

  it("counts nothing for a filter that matches nothing, with no groups", async () => {
    expect(await admin.call(Alerts.AlertsCount, { filter: { customerCodes: ["nobody"] }, groupBy: "status" }))
      .toEqual({ total: 0, groups: [] })
  })
})

describe("bad list and count params", () => {
  const bad: Array<[string, unknown]> = [
    ["limit 0", { limit: 0 }],
    ["limit 501", { limit: 501 }],
    ["limit not an integer", { limit: 2.5 }],
    ["limit as a string", { limit: "5" }],
    ["unknown status", { filter: { status: ["DONE"] } }],
    ["status not a list", { filter: { status: "OPEN" } }],
    ["escalated as a string", { filter: { escalated: "yes" } }],
    ["tag id zero", { filter: { tagIds: [0] } }],
    ["createdAfter not a date", { filter: { createdAfter: "yesterday" } }],
    ["unknown sort field", { sort: { field: "severity", direction: "asc" } }],
    ["unknown direction", { sort: { field: "id", direction: "up" } }],
    ["unknown filter key", { filter: { severity: 3 } }],
    ["empty cursor", { cursor: "" }],
    ["empty customer code", { filter: { customerCodes: [""] } }],
    ["empty assignee", { filter: { assignedTo: "" } }],
    ["text over 500 characters", { filter: { text: "x".repeat(501) } }]
  ]
  for (const [label, params] of bad) {
    it(`alerts/list refuses ${label} with -32602`, async () => {
      await expect(admin.raw("alerts/list", params)).rejects.toMatchObject({ _tag: "InvalidParams" })
    })
  }

  it("alerts/count refuses an unknown groupBy", async () => {
    await expect(admin.raw("alerts/count", { groupBy: "severity" })).rejects.toMatchObject({ _tag: "InvalidParams" })
  })

  it("a 10 MB text filter arrives and is refused by its maxLength", async () => {
    const error = await admin.raw("alerts/list", { filter: { text: "x".repeat(10 * 1024 * 1024) } }).catch((e) => e)
    // Compare small projections: the error echoes the value, and a failing diff would print it.
    expect(error._tag).toBe("InvalidParams")
    expect(error.issues[0].path).toEqual(["filter", "text"])
    expect(error.issues[0].message.slice(0, 47)).toBe("Expected a string at most 500 character(s) long")
    // The daemon still serves this connection.
    expect((await admin.call(Alerts.AlertsCount, {})).total).toBe(model.length)
  })
})
