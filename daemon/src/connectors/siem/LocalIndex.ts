import { SqlClient, type SqlError } from "@effect/sql"
import { Effect, Either, Layer } from "effect"
import { compileSearch } from "./LocalQuery.js"
import { parseQuery } from "./QueryString.js"
import { SiemError, SiemIndex, type PartialUpdate, type SearchRequest, type SiemDoc, type SiemIndexService } from "./SiemIndex.js"
import { deepMerge, documentTime, missingMessage, TIME_FIELDS } from "./documents.js"

/** Rows per INSERT: one JSON parameter each, far below PostgreSQL's message limits. */
const CHUNK = 500

const rejected = (message: string) => new SiemError({ reason: "rejected", message })
const notFound = (index: string, id: string) =>
  new SiemError({ reason: "not-found", message: `document ${id} not found in index ${index}` })

/** Bad input data (a NUL in a string, an invalid number) is the caller's; anything else is a defect. */
const dataError = (error: SqlError.SqlError) => {
  const code = (error.cause as { code?: unknown } | undefined)?.code
  return typeof code === "string" && code.startsWith("22")
    ? Effect.fail(rejected(`the local index refused the documents: ${(error.cause as Error).message}`))
    : Effect.die(error)
}

const toSortValue = (value: unknown): string | number | undefined =>
  typeof value === "string" || typeof value === "number" ? value : undefined

/** A partial with no object values merges as PostgreSQL's || does (the write-back's {alert_id}: the fast path). */
const isShallow = (partial: Record<string, unknown>) =>
  Object.values(partial).every((v) => typeof v !== "object" || v === null || Array.isArray(v))

const toTimestamp = (millis: number | undefined) => (millis === undefined ? null : new Date(millis))

/**
 * The SIEM index kept in PostgreSQL (sockeye_siem_documents), for the embedded default and the
 * demo: get, search with the documented query-string subset (QueryString.ts), terms, time
 * range and keyset paging, deep-merge updates, and upserts. It has no snapshots or settings.
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const get = Effect.fn("LocalIndex.get")(function*(index: string, id: string) {
    const rows = yield* sql<{ source: Record<string, unknown> }>`
      select source from sockeye_siem_documents where index_name = ${index} and doc_id = ${id}`.pipe(Effect.orDie)
    if (rows.length === 0) return yield* notFound(index, id)
    return { index, id, source: rows[0]!.source }
  })

  const search = Effect.fn("LocalIndex.search")(function*(request: SearchRequest) {
    const query = request.query === undefined ? undefined : parseQuery(request.query)
    if (query && Either.isLeft(query)) return yield* rejected(`query: ${query.left}`)
    const compiled = compileSearch(sql, request, query?.pipe(Either.getOrThrow))
    if (Either.isLeft(compiled)) return yield* rejected(compiled.left)
    const { where, segments, sortValue } = compiled.right
    const rows: Array<{ indexName: string; docId: string; source: Record<string, unknown>; sortValue: unknown }> = []
    for (const segment of segments) {
      if (rows.length >= request.size) break
      rows.push(...yield* sql<(typeof rows)[number]>`
        select d.index_name, d.doc_id, d.source, ${sortValue} as sort_value
        from sockeye_siem_documents d
        where ${where} and ${segment.position}
        order by ${segment.orderBy}
        limit ${request.size - rows.length}`.pipe(Effect.orDie))
    }
    const total = request.trackTotalHits === false ? rows.length
      : (yield* sql<{ n: number }>`select count(*)::int as n from sockeye_siem_documents d where ${where}`.pipe(Effect.orDie))[0]!.n
    return {
      total,
      hits: rows.map((row) => {
        const sortValue = toSortValue(row.sortValue)
        return { index: row.indexName, id: row.docId, source: row.source, ...(sortValue === undefined ? {} : { sortValue }) }
      })
    }
  })

  const update = Effect.fn("LocalIndex.update")(function*(index: string, id: string, partial: Record<string, unknown>) {
    // Read, merge and write under the row lock: a deep merge PostgreSQL's || cannot do.
    yield* sql.withTransaction(Effect.gen(function*() {
      const rows = yield* sql<{ source: Record<string, unknown> }>`
        select source from sockeye_siem_documents where index_name = ${index} and doc_id = ${id} for update`
      if (rows.length === 0) return yield* notFound(index, id)
      const merged = deepMerge(rows[0]!.source, partial)
      yield* sql`update sockeye_siem_documents set source = ${JSON.stringify(merged)}::jsonb, ts = ${toTimestamp(documentTime(merged))}
        where index_name = ${index} and doc_id = ${id}`
    })).pipe(Effect.catchTag("SqlError", dataError))
  })

  /**
   * One statement per chunk, merged in SQL (||, or sockeye_jsonb_merge of migration 0017 for
   * nested partials): only the partials travel. An update that sets a time field moves the
   * document's `ts`, which only documentTime computes: those few go through `update` one by one.
   */
  const updateMany = Effect.fn("LocalIndex.updateMany")(function*(updates: ReadonlyArray<PartialUpdate>) {
    const timed = updates.filter((u) => TIME_FIELDS.some((f) => Object.hasOwn(u.partial, f)))
    const plain = updates.filter((u) => !TIME_FIELDS.some((f) => Object.hasOwn(u.partial, f)))
    // One UPDATE may not change a row twice: a document's partials merge in order first.
    const merged = new Map<string, PartialUpdate>()
    for (const u of plain) {
      const key = `${u.index}\u0000${u.id}`
      const before = merged.get(key)
      merged.set(key, before ? { ...u, partial: deepMerge(before.partial, u.partial) } : u)
    }
    const unique = [...merged.values()]
    const chunks = Array.from({ length: Math.ceil(unique.length / CHUNK) }, (_, i) => unique.slice(i * CHUNK, (i + 1) * CHUNK))
    const found = new Set<string>()
    yield* sql.withTransaction(Effect.forEach(chunks, (chunk) =>
      Effect.map(sql<{ indexName: string; docId: string }>`
        update sockeye_siem_documents d set source = case when x.s then d.source || x.p else sockeye_jsonb_merge(d.source, x.p) end
        from jsonb_to_recordset(${JSON.stringify(chunk.map((u) => ({ i: u.index, d: u.id, p: u.partial, s: isShallow(u.partial) })))}::jsonb)
          as x(i text, d text, p jsonb, s boolean)
        where d.index_name = x.i and d.doc_id = x.d
        returning d.index_name, d.doc_id`, (rows) => { for (const r of rows) found.add(`${r.indexName}\u0000${r.docId}`) }),
    { discard: true })).pipe(Effect.catchTag("SqlError", dataError))
    const missing = unique.filter((u) => !found.has(`${u.index}\u0000${u.id}`)).map((u) => `${u.index}/${u.id}`)
    for (const u of timed) {
      yield* update(u.index, u.id, u.partial).pipe(Effect.catchTag("SiemError", (e) =>
        e.reason === "not-found" ? Effect.sync(() => { missing.push(`${u.index}/${u.id}`) }) : Effect.fail(e)))
    }
    if (missing.length > 0) return yield* new SiemError({ reason: "not-found", message: missingMessage(missing) })
  })

  const index = Effect.fn("LocalIndex.index")(function*(docs: ReadonlyArray<SiemDoc>) {
    const bad = docs.find((d) => d.index.length === 0 || d.index.length > 255 || d.id.length === 0 || d.id.length > 512)
    if (bad) return yield* rejected(`a document needs an index name of 1 to 255 characters and an id of 1 to 512, got ${JSON.stringify(bad.index)}/${JSON.stringify(bad.id)}`)
    // The last of duplicate (index, id) pairs wins, as in a bulk request; one INSERT may not touch a row twice.
    const unique = [...new Map(docs.map((d) => [`${d.index}\u0000${d.id}`, d])).values()]
    const chunks = Array.from({ length: Math.ceil(unique.length / CHUNK) }, (_, i) => unique.slice(i * CHUNK, (i + 1) * CHUNK))
    yield* sql.withTransaction(Effect.forEach(chunks, (chunk) => {
      const rows = chunk.map((d) => ({ i: d.index, d: d.id, t: documentTime(d.source) ?? null, s: d.source }))
      return sql`
        insert into sockeye_siem_documents (index_name, doc_id, ts, source)
        select e->>'i', e->>'d', timestamptz 'epoch' + (e->>'t')::bigint * interval '1 millisecond', e->'s'
        from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) e
        on conflict (index_name, doc_id) do update set ts = excluded.ts, source = excluded.source`
    }, { discard: true })).pipe(Effect.catchTag("SqlError", dataError))
  })

  const none = (what: string) =>
    Effect.fail(new SiemError({ reason: "unconfigured", message: `${what}: snapshots and index settings need the Wazuh indexer; the local index has none` }))

  const service: SiemIndexService = {
    kind: "local",
    describe: "the local index",
    get,
    search,
    update,
    updateMany,
    index,
    admin: {
      createSnapshot: () => none("createSnapshot"),
      getSettings: () => none("getSettings"),
      putSettings: () => none("putSettings")
    }
  }
  return service
})

export const layer = Layer.effect(SiemIndex, make)
