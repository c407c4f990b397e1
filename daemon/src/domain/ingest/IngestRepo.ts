import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { retryingTransaction } from "../../db/Transaction.js"

/** A SIEM document by its coordinates. */
export interface DocKey {
  readonly index: string
  readonly id: string
}
export const keyOf = (k: DocKey) => `${k.index}\u0000${k.id}`

/** Which collector read a document, so that a retry reads it the same way. */
export type Collector = "graylog" | "wazuh"

export interface FailureRow {
  readonly indexName: string
  readonly docId: string
  readonly collector: Collector
  readonly error: string
  readonly attempts: number
  readonly nextAttemptAt: Date
}

export interface Checkpoint {
  readonly sortValue: string | number
  readonly id: string
}

// 1 minute × 2^(attempts-1), at most a day.
const BACKOFF_FIRST_SECONDS = 60
const BACKOFF_MAX_SECONDS = 86_400

const keysJson = (keys: ReadonlyArray<DocKey>) => JSON.stringify(keys.map((k) => ({ i: k.index, d: k.id })))

/** The ledger, the failure queue, the checkpoints and the customer lookup of ingestion. */
export class IngestRepo extends Effect.Service<IngestRepo>()("Ingest/IngestRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** The documents among `keys` already in the ledger, with the alert each became. */
    const ingestedAmong = (keys: ReadonlyArray<DocKey>) =>
      keys.length === 0
        ? Effect.succeed(new Map<string, number | null>())
        : sql<{ indexName: string; docId: string; alertId: number | null }>`
            select l.index_name, l.doc_id, l.alert_id
            from json_to_recordset(${keysJson(keys)}::json) as k(i text, d text)
            join sockeye_ingested_documents l on l.index_name = k.i and l.doc_id = k.d`.pipe(
            Effect.orDie,
            Effect.map((rows) => new Map(rows.map((r) => [keyOf({ index: r.indexName, id: r.docId }), r.alertId]))))

    /** The documents among `keys` with a failure row (a retry, not a search, handles them). */
    const failingAmong = (keys: ReadonlyArray<DocKey>) =>
      keys.length === 0
        ? Effect.succeed(new Set<string>())
        : sql<{ indexName: string; docId: string }>`
            select f.index_name, f.doc_id
            from json_to_recordset(${keysJson(keys)}::json) as k(i text, d text)
            join sockeye_ingest_failures f on f.index_name = k.i and f.doc_id = k.d`.pipe(
            Effect.orDie,
            Effect.map((rows) => new Set(rows.map((r) => keyOf({ index: r.indexName, id: r.docId })))))

    const dueFailures = (limit: number) =>
      sql<FailureRow>`
        select index_name, doc_id, collector, error, attempts, next_attempt_at
        from sockeye_ingest_failures where next_attempt_at <= now()
        order by next_attempt_at, index_name, doc_id limit ${limit}`.pipe(Effect.orDie)

    const listFailures = (limit: number) =>
      sql<FailureRow>`
        select index_name, doc_id, collector, error, attempts, next_attempt_at
        from sockeye_ingest_failures order by last_failed_at desc, index_name, doc_id limit ${limit}`.pipe(Effect.orDie)

    /** Records failures, or one more attempt of known ones, and when to try each again. */
    const recordFailures = (failures: ReadonlyArray<{ readonly key: DocKey; readonly collector: Collector; readonly reason: string }>) => {
      // One row per document: an upsert may not touch a row twice.
      const rows = [...new Map(failures.map((f) => [keyOf(f.key), { i: f.key.index, d: f.key.id, c: f.collector, e: f.reason.slice(0, 4000) }])).values()]
      return rows.length === 0 ? Effect.void : sql`
        insert into sockeye_ingest_failures as f (index_name, doc_id, collector, error, next_attempt_at)
        select x.i, x.d, x.c, x.e, now() + make_interval(secs => ${BACKOFF_FIRST_SECONDS})
        from json_to_recordset(${JSON.stringify(rows)}) as x(i text, d text, c text, e text)
        order by x.i, x.d
        on conflict (index_name, doc_id) do update set
          error = excluded.error,
          collector = excluded.collector,
          attempts = f.attempts + 1,
          last_failed_at = now(),
          next_attempt_at = now() + make_interval(secs => least(
            ${BACKOFF_FIRST_SECONDS} * power(2, least(f.attempts, 20)), ${BACKOFF_MAX_SECONDS}))`.pipe(Effect.orDie, Effect.asVoid)
    }

    const clearFailures = (keys: ReadonlyArray<DocKey>) =>
      keys.length === 0
        ? Effect.void
        : sql`
            delete from sockeye_ingest_failures f
            using json_to_recordset(${keysJson(keys)}::json) as k(i text, d text)
            where f.index_name = k.i and f.doc_id = k.d`.pipe(Effect.orDie, Effect.asVoid)

    const checkpoint = (sourceKey: string) =>
      sql<{ sortValue: string; sortNumeric: boolean; docId: string }>`
        select sort_value, sort_numeric, doc_id from sockeye_ingest_checkpoints where source_key = ${sourceKey}`.pipe(
        Effect.orDie,
        Effect.map((rows): Checkpoint | undefined => rows[0]
          ? { sortValue: rows[0].sortNumeric ? Number(rows[0].sortValue) : rows[0].sortValue, id: rows[0].docId }
          : undefined))

    /**
     * Moves the checkpoint forward, never back: two daemons collecting the same source each
     * advance it after their batch, and the one that read further wins.
     */
    const advanceCheckpoint = (sourceKey: string, to: Checkpoint) =>
      retryingTransaction(sql, Effect.gen(function*() {
        const rows = yield* sql<{ sortValue: string; sortNumeric: boolean; docId: string }>`
          select sort_value, sort_numeric, doc_id from sockeye_ingest_checkpoints
          where source_key = ${sourceKey} for update`
        const current = rows[0]
        if (current && !isAfter(to, current)) return
        yield* sql`
          insert into sockeye_ingest_checkpoints (source_key, sort_value, sort_numeric, doc_id, updated_at)
          values (${sourceKey}, ${String(to.sortValue)}, ${typeof to.sortValue === "number"}, ${to.id}, now())
          on conflict (source_key) do update set sort_value = excluded.sort_value, sort_numeric = excluded.sort_numeric,
            doc_id = excluded.doc_id, updated_at = now()`
      })).pipe(Effect.orDie)

    /**
     * The customer each candidate code names: by customer_code, else by customer_name compared
     * case-insensitively with `_` read as a space (CoPilot matched custom_alert_creation_settings
     * this way; Sockeye matches the customers table). Unknown codes are absent from the map.
     */
    const resolveCustomers = (codes: ReadonlyArray<string>) =>
      codes.length === 0
        ? Effect.succeed(new Map<string, string>())
        : sql<{ candidate: string; customerCode: string }>`
            select x.candidate, c.customer_code
            from json_array_elements_text(${JSON.stringify([...new Set(codes)])}::json) as x(candidate)
            cross join lateral (
              select c.customer_code from customers c
              where c.customer_code = x.candidate
                 or lower(c.customer_name) = lower(replace(x.candidate, '_', ' '))
              order by (c.customer_code = x.candidate) desc, c.id limit 1
            ) c`.pipe(Effect.orDie, Effect.map((rows) => new Map(rows.map((r) => [r.candidate, r.customerCode]))))

    const setting = (key: string) =>
      sql<{ value: string }>`select value from sockeye_settings where key = ${key}`.pipe(
        Effect.orDie, Effect.map((rows) => rows[0]?.value))

    return {
      ingestedAmong, failingAmong, dueFailures, listFailures, recordFailures, clearFailures,
      checkpoint, advanceCheckpoint, resolveCustomers, setting
    } as const
  })
}) {}

const isAfter = (to: Checkpoint, current: { sortValue: string; sortNumeric: boolean; docId: string }) => {
  const a = to.sortValue
  const b = current.sortNumeric ? Number(current.sortValue) : current.sortValue
  if (typeof a === "number" && typeof b === "number" && a !== b) return a > b
  if (typeof a === "string" && typeof b === "string" && a !== b) return a > b
  if (typeof a !== typeof b) return true
  return to.id > current.docId
}
