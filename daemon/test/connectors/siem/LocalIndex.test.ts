import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Layer, ManagedRuntime, Option, Redacted } from "effect"
import * as DaemonConfig from "../../../src/DaemonConfig.js"
import * as Database from "../../../src/db/Database.js"
import * as Migrations from "../../../src/db/Migrations.js"
import * as LocalIndex from "../../../src/connectors/siem/LocalIndex.js"
import { SiemIndex, type SearchRequest, type SiemError } from "../../../src/connectors/siem/SiemIndex.js"
import { MISSING_TIME_ASC, deepMerge, documentTime } from "../../../src/connectors/siem/documents.js"
import { createTestDatabase } from "../../fixtures/Postgres.js"
import { key, loadFixtureDocs, valuesAt, type FixtureDoc } from "./siemFixtures.js"

/**
 * The local SIEM index on real PostgreSQL, filled with every real document of
 * ../shared/fixtures/siem (wazuh-alerts and graylog NDJSON; see siemFixtures.ts for how each
 * line becomes a document). Expected hits are computed from the documents in JavaScript,
 * independently of the SQL under test, and compared as exact sets.
 */

let db: Awaited<ReturnType<typeof createTestDatabase>>
let runtime: ManagedRuntime.ManagedRuntime<SiemIndex | SqlClient.SqlClient, unknown>
const docs = loadFixtureDocs()
const byKey = new Map(docs.map((d) => [key(d), d]))

const run = <A, E>(effect: Effect.Effect<A, E, SiemIndex | SqlClient.SqlClient>) => runtime.runPromise(effect)
const siem = <A>(f: (s: typeof SiemIndex.Service) => Effect.Effect<A, SiemError>) => run(Effect.flatMap(SiemIndex, f))
const failure = <A>(f: (s: typeof SiemIndex.Service) => Effect.Effect<A, SiemError>) => run(Effect.flip(Effect.flatMap(SiemIndex, f)))
const sqlRows = <R extends object>(text: string) => run(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe<R>(text)))

/** Every hit of a search, walking `after` pages of `size`; fails if a page repeats a document. */
const searchAll = async (request: Omit<SearchRequest, "size">, size = 500) => {
  const seen: Array<string> = []
  let after: SearchRequest["after"]
  // Bounded: a continuation that repeats itself fails here rather than looping.
  for (let pages = 0; pages < 1000; pages++) {
    const page = await siem((s) => s.search({ ...request, size, ...(after ? { after } : {}) }))
    seen.push(...page.hits.map(key))
    if (page.hits.length < size) return { keys: seen, total: page.total }
    const last = page.hits[page.hits.length - 1]!
    after = { sortValue: last.sortValue!, id: last.id }
  }
  throw new Error("paging did not end")
}

const expected = (predicate: (d: FixtureDoc) => boolean, pattern = /./) =>
  docs.filter((d) => pattern.test(d.index) && predicate(d)).map(key).sort()

const leaves = (value: unknown): Array<unknown> =>
  Array.isArray(value) ? value.flatMap(leaves) : typeof value === "object" && value !== null ? Object.values(value).flatMap(leaves) : [value]

beforeAll(async () => {
  db = await createTestDatabase("siemlocal")
  const config = DaemonConfig.layer({ databaseUrl: Option.some(Redacted.make(db.url)) })
  runtime = ManagedRuntime.make(LocalIndex.layer.pipe(Layer.provideMerge(Database.layer), Layer.provideMerge(config)))
  await runtime.runPromise(Migrations.run.pipe(Effect.provide(config)))
  await siem((s) => s.index(docs))
})
afterAll(async () => {
  await runtime?.dispose()
  await db?.drop()
})

describe("local index: every fixture document", () => {
  it("stores each once and gives each back exactly as written", async () => {
    expect(docs.length).toBe(2696 + 31 + 2)
    expect(byKey.size).toBe(docs.length)
    const [{ n }] = await sqlRows<{ n: number }>("select count(*)::int as n from sockeye_siem_documents")
    expect(n).toBe(docs.length)
    const back = await run(Effect.forEach(docs, (d) => Effect.flatMap(SiemIndex, (s) => s.get(d.index, d.id)), { concurrency: 8 }))
    back.forEach((got, i) => expect(got).toEqual({ index: docs[i]!.index, id: docs[i]!.id, source: docs[i]!.source }))
  })

  it("reads the time from timestamp, else @timestamp, to the millisecond and in UTC; none for placeholders", async () => {
    const rows = await sqlRows<{ indexName: string; docId: string; ts: Date | null }>("select index_name, doc_id, ts from sockeye_siem_documents")
    expect(rows.filter((r) => r.ts === null)).toHaveLength(1124 + 2)
    for (const row of rows) expect(row.ts?.getTime(), `${row.indexName}/${row.docId}`).toBe(documentTime(byKey.get(`${row.indexName}/${row.docId}`)!.source))
    const at = (id: string) => rows.find((r) => r.docId === id)!.ts!.toISOString()
    expect(at("wazuh__integratord-test-case__read_valid_json_alert:0")).toBe("2022-05-11T12:29:19.905Z")
    expect(at("wazuh-documentation__virus-total-integration.rst:0")).toBe("2022-11-17T17:17:42.694Z") // +0200
    expect(at("ait-aecid-alert-aggregation__ossec_insect:0")).toBe("2020-03-04T13:55:05.224Z") // microseconds cut
    expect(at("event-001")).toBe("2024-01-15T10:00:00.000Z") // Graylog's yyyy-MM-dd HH:mm:ss.SSS is UTC
  })

  it("gets an unknown document as not-found", async () => {
    expect(await failure((s) => s.get("gl-events_0", "nope"))).toMatchObject({ reason: "not-found", message: "document nope not found in index gl-events_0" })
  })
})

describe("local index: the query-string subset, exact hits", () => {
  const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN)
  const has = (d: FixtureDoc, field: string, test: (v: unknown) => boolean) => valuesAt(d.source, field).some(test)
  const text = (d: FixtureDoc, needle: string) =>
    leaves(d.source).some((v) => (typeof v === "string" || typeof v === "number") && String(v).toLowerCase().includes(needle))
  const cases: Array<[string, string, (d: FixtureDoc) => boolean, number?]> = [
    ["*", "rule.id:5712", (d) => d.id === "wazuh__integratord-test-case__read_valid_json_alert:0", 1],
    ["*", "rule.level:>=12", (d) => has(d, "rule.level", (v) => num(v) >= 12), 39],
    ["*", "rule.level:10", (d) => has(d, "rule.level", (v) => v === 10), 135],
    ["*", "rule.groups:sshd", (d) => has(d, "rule.groups", (v) => v === "sshd"), 11],
    ["*", "_exists_:data.srcip", (d) => has(d, "data.srcip", () => true), 828],
    ["*", "data.srcip:*", (d) => has(d, "data.srcip", () => true), 828],
    ["*", "agent.name:Win*", (d) => has(d, "agent.name", (v) => typeof v === "string" && v.startsWith("Win"))],
    ["*", "rule.mitre.id:T1110 AND NOT rule.level:<10", (d) => has(d, "rule.mitre.id", (v) => v === "T1110") && !has(d, "rule.level", (v) => num(v) < 10)],
    ["*", "rule.groups:dovecot AND NOT rule.groups:authentication_success",
      (d) => has(d, "rule.groups", (v) => v === "dovecot") && !has(d, "rule.groups", (v) => v === "authentication_success"), 190],
    ["wazuh-alerts-*", "(rule.level:3 OR rule.level:5) agent.id:001",
      (d) => has(d, "rule.level", (v) => v === 3 || v === 5) && has(d, "agent.id", (v) => v === "001")],
    ["*", "EICAR", (d) => text(d, "eicar"), 3],
    ["*", "\"brute force\"", (d) => text(d, "brute force")],
    ["*", "rule.description:\"sshd: brute force trying to get access to the system. Non existent user.\"",
      (d) => has(d, "rule.description", (v) => v === "sshd: brute force trying to get access to the system. Non existent user.")],
    ["*", "data.office365.Actor.ID:10032002120F5B41", (d) => d.id === "0NRwVY0B9LTh695MCISi", 1],
    ["*", "data.win.eventdata.detection\\ User:Windows-11\\\\\\\\win11",
      (d) => has(d, "data.win.eventdata.detection User", (v) => v === "Windows-11\\\\win11")],
    ["gl-events*", "alert:true", (d) => d.source["alert"] === true, 17],
    ["gl-events*", "priority:>=2", (d) => num(d.source["priority"]) >= 2, 24],
    ["*", "_index:gl-events_0 AND _id:event-00*", (d) => d.index === "gl-events_0" && d.id.startsWith("event-00")],
    ["wazuh-alerts-4.x-sample", "NOT rule.groups:audit", (d) => !has(d, "rule.groups", (v) => v === "audit")],
    ["wazuh-alerts-4.x-2020.03.*,gl-events_0", "*", () => true]
  ]
  for (const [pattern, query, predicate, count] of cases) {
    it(`${pattern} ${query}`, async () => {
      const re = new RegExp(`^(${pattern.split(",").map((p) => p.replace(/[.]/g, "\\.").replace(/\*/g, ".*")).join("|")})$`)
      const want = expected(predicate, re)
      if (count !== undefined) expect(want).toHaveLength(count)
      expect(want.length).toBeGreaterThan(0)
      const got = await searchAll({ indexPattern: pattern, query })
      expect(got.total).toBe(want.length)
      expect([...got.keys].sort()).toEqual(want)
    })
  }

  it("refuses syntax outside the subset with the reason and the position", async () => {
    expect(await failure((s) => s.search({ indexPattern: "*", query: "rule.level:[10 TO 12]", size: 1 }))).toMatchObject({
      reason: "rejected",
      message: "query: ranges [a TO b] are not supported: use field:>=a AND field:<b (at character 12)"
    })
    expect(await failure((s) => s.search({ indexPattern: "*", size: 1, from: new Date(0), timeField: "timestamp_utc" })))
      .toMatchObject({ reason: "rejected", message: "the local index keeps times of timestamp or @timestamp only, not timestamp_utc" })
  })
})

describe("local index: terms, time range, keyset paging", () => {
  it("terms: nested paths, arrays, numbers as strings and back", async () => {
    const count = async (terms: SearchRequest["terms"], indexPattern = "*") =>
      (await siem((s) => s.search({ indexPattern, terms: terms!, size: 0 }))).total
    expect(await count({ "agent.id": "001" })).toBe(expected((d) => valuesAt(d.source, "agent.id").includes("001")).length)
    expect(await count({ "rule.groups": "sshd" })).toBe(11)
    expect(await count({ "rule.level": 10 })).toBe(135)
    expect(await count({ "rule.level": "10" })).toBe(135)
    expect(await count({ "rule.level": 10, "agent.name": "localhost.localdomain" }))
      .toBe(expected((d) => valuesAt(d.source, "rule.level").includes(10) && valuesAt(d.source, "agent.name").includes("localhost.localdomain")).length)
    expect(await count({ alert: true }, "gl-events*")).toBe(17)
  })

  it("from (inclusive) and to (exclusive) on the document time", async () => {
    const from = new Date("2020-03-04T18:00:00Z")
    const to = new Date("2020-03-05T00:00:00Z")
    const want = expected((d) => { const t = documentTime(d.source); return t !== undefined && t >= from.getTime() && t < to.getTime() })
    expect(want.length).toBeGreaterThan(100)
    const got = await searchAll({ indexPattern: "*", from, to }, 97)
    expect([...got.keys].sort()).toEqual(want)
  })

  for (const direction of ["asc", "desc"] as const) {
    it(`after walks every wazuh document once in time order (${direction}), those without a time last`, async () => {
      const got = await searchAll({ indexPattern: "wazuh-alerts-*", sort: { field: "timestamp", direction } }, 100)
      expect(got.keys).toHaveLength(2696)
      expect(new Set(got.keys).size).toBe(2696)
      const times = got.keys.map((k) => documentTime(byKey.get(k)!.source))
      const timed = times.filter((t): t is number => t !== undefined)
      expect(times.slice(timed.length).every((t) => t === undefined)).toBe(true)
      expect(timed).toEqual([...timed].sort((a, b) => (direction === "asc" ? a - b : b - a)))
    })
  }

  it("gives a missing time the sort value OpenSearch's missing:_last leads to, so paging resumes past it", async () => {
    const page = await siem((s) => s.search({ indexPattern: "wazuh-alerts-4.x-sample", sort: { field: "timestamp", direction: "asc" }, size: 2 }))
    expect(page.hits.map((h) => h.sortValue)).toEqual([MISSING_TIME_ASC, MISSING_TIME_ASC])
    const next = await siem((s) => s.search({
      indexPattern: "wazuh-alerts-4.x-sample", sort: { field: "timestamp", direction: "asc" }, size: 1, trackTotalHits: false,
      after: { sortValue: MISSING_TIME_ASC, id: page.hits[1]!.id }
    }))
    expect(next.hits[0]!.id > page.hits[1]!.id).toBe(true)
    expect(next.total).toBe(1)
  })

  it("sorts by a field path, numbers by value, with after", async () => {
    const got = await searchAll({ indexPattern: "gl-events*", sort: { field: "priority", direction: "desc" } }, 4)
    const priorities = got.keys.map((k) => byKey.get(k)!.source["priority"] as number)
    expect(got.keys).toHaveLength(31)
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a))
  })

  it("serves term filters from the GIN index", async () => {
    const plan = await run(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.withTransaction(Effect.gen(function*() {
      yield* sql`set local enable_seqscan = off`
      return yield* sql.unsafe<{ "QUERY PLAN": string }>(
        `explain select doc_id from sockeye_siem_documents d where d.source @@ '$."fields"."COPILOT_ALERT_ID" == "NONE"'::jsonpath`)
    }))))
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("ix_sockeye_siem_documents_source")
  })
})

describe("local index: writes", () => {
  it("update deep-merges (write-back keys alert_id and fields.COPILOT_ALERT_ID), arrays replaced", async () => {
    const target = docs.find((d) => d.id === "event-001")!
    await siem((s) => s.update(target.index, target.id, { fields: { COPILOT_ALERT_ID: "NONE" } }))
    expect(await siem((s) => s.search({ indexPattern: "gl-events*", terms: { "fields.COPILOT_ALERT_ID": "NONE" }, size: 5 })))
      .toMatchObject({ total: 1, hits: [{ id: "event-001" }] })
    await siem((s) => s.update(target.index, target.id, { fields: { COPILOT_ALERT_ID: "42", OTHER: "x" }, alert_id: 42, streams: ["s"] }))
    const got = await siem((s) => s.get(target.index, target.id))
    expect(got.source).toEqual({ ...target.source, fields: { COPILOT_ALERT_ID: "42", OTHER: "x" }, alert_id: 42, streams: ["s"] })
    const wazuh = docs.find((d) => d.id === "wazuh__integratord-test-case__read_valid_json_alert:0")!
    await siem((s) => s.update(wazuh.index, wazuh.id, { rule: { level: 15 }, timestamp: "2030-01-01T00:00:00Z" }))
    const merged = await siem((s) => s.get(wazuh.index, wazuh.id))
    expect(merged.source["rule"]).toEqual({ ...(wazuh.source["rule"] as object), level: 15 })
    const [row] = await sqlRows<{ ts: Date }>(`select ts from sockeye_siem_documents where doc_id = '${wazuh.id}'`)
    expect(row!.ts.toISOString()).toBe("2030-01-01T00:00:00.000Z")
    expect(await failure((s) => s.update("gl-events_0", "nope", { a: 1 }))).toMatchObject({ reason: "not-found" })
  })

  it("updateMany merges each partial in SQL, as update does; missing documents fail after the rest are applied", async () => {
    const [a, b] = docs.filter((d) => d.index.startsWith("wazuh-alerts-")).slice(5, 7)
    const event = docs.find((d) => d.id === "event-003")!
    const error = await failure((s) => s.updateMany([
      { index: a!.index, id: a!.id, partial: { alert_id: 11 } },
      { index: event.index, id: event.id, partial: { fields: { COPILOT_ALERT_ID: "11" } } },
      { index: "gl-events_0", id: "nope", partial: { alert_id: 1 } },
      // Two partials of one document merge in order; a time field moves the document's ts.
      { index: b!.index, id: b!.id, partial: { alert_id: 12, rule: { level: 1 } } },
      { index: b!.index, id: b!.id, partial: { alert_id: 13 } },
      { index: a!.index, id: a!.id, partial: { "@timestamp": "2031-02-03T04:05:06Z" } }
    ]))
    expect(error).toMatchObject({ reason: "not-found", message: "1 documents to update not found: gl-events_0/nope" })
    expect((await siem((s) => s.get(a!.index, a!.id))).source).toEqual({ ...a!.source, alert_id: 11, "@timestamp": "2031-02-03T04:05:06Z" })
    expect((await siem((s) => s.get(event.index, event.id))).source).toEqual({ ...event.source, fields: { ...(event.source["fields"] as object), COPILOT_ALERT_ID: "11" } })
    expect((await siem((s) => s.get(b!.index, b!.id))).source).toEqual({ ...b!.source, alert_id: 13, rule: { ...(b!.source["rule"] as object), level: 1 } })
    const [row] = await sqlRows<{ ts: Date }>(`select ts from sockeye_siem_documents where index_name = '${a!.index}' and doc_id = '${a!.id}'`)
    expect(row!.ts.getTime()).toBe(documentTime({ ...a!.source, "@timestamp": "2031-02-03T04:05:06Z" }))
    await siem((s) => s.updateMany([]))
  })

  it("sockeye_jsonb_merge (migration 0017) is documents.ts deepMerge", async () => {
    const cases: Array<[unknown, unknown]> = [
      [{ a: 1, b: { c: 2, d: [1, 2] } }, { b: { d: [3], e: null }, f: "x" }],
      [{ a: { b: { c: { d: 1 } } } }, { a: { b: { c: { e: 2 }, f: [] } } }],
      [{ a: "text" }, { a: { now: "an object" } }],
      [{ a: { b: 1 } }, { a: "now text" }],
      [{}, {}],
      [{ a: 1 }, { a: null }]
    ]
    for (const [target, patch] of cases) {
      const [row] = await sqlRows<{ merged: unknown }>(`select sockeye_jsonb_merge('${JSON.stringify(target)}'::jsonb, '${JSON.stringify(patch)}'::jsonb) as merged`)
      expect(row!.merged).toEqual(deepMerge(target as Record<string, unknown>, patch as Record<string, unknown>))
    }
  })

  it("index replaces a document with the same index and id; the last of duplicates wins", async () => {
    await siem((s) => s.index([
      { index: "t-1", id: "a", source: { timestamp: "2024-01-01T00:00:00Z", v: 1 } },
      { index: "t-1", id: "a", source: { timestamp: "2024-01-01T00:00:00Z", v: 2 } }
    ]))
    await siem((s) => s.index([{ index: "t-1", id: "a", source: { v: 3 } }]))
    expect(await siem((s) => s.get("t-1", "a"))).toEqual({ index: "t-1", id: "a", source: { v: 3 } })
    expect(await failure((s) => s.index([{ index: "t-1", id: "", source: {} }]))).toMatchObject({ reason: "rejected" })
  })

  it("has no snapshots or settings", async () => {
    expect(await failure((s) => s.admin.createSnapshot("repo", "snap", ["wazuh-alerts-*"]))).toMatchObject({ reason: "unconfigured" })
    expect(await failure((s) => s.admin.getSettings("wazuh-alerts-*"))).toMatchObject({ reason: "unconfigured" })
  })
})
