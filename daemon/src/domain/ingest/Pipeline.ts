import { Effect } from "effect"
import { SiemIndex, type PartialUpdate, type SiemDoc } from "../../connectors/siem/SiemIndex.js"
import { AlertWriter, type WriteOutcome, type WriteRequest } from "./AlertWriter.js"
import { extract, parseOriginContext, sourceTypeOf, type Extracted } from "./Extract.js"
import { IngestRepo, keyOf, type Collector, type DocKey } from "./IngestRepo.js"
import type { Assembled } from "./Mapping.js"

export interface Counts {
  documents: number
  created: number
  merged: number
  skipped: number
  failed: number
}
export const emptyCounts = (): Counts => ({ documents: 0, created: 0, merged: 0, skipped: 0, failed: 0 })
export const addCounts = (a: Counts, b: Counts): Counts => ({
  documents: a.documents + b.documents,
  created: a.created + b.created,
  merged: a.merged + b.merged,
  skipped: a.skipped + b.skipped,
  failed: a.failed + b.failed
})

export const describeCounts = (c: Counts) =>
  `${c.documents} documents: ${c.created} created, ${c.merged} merged, ${c.skipped} skipped, ${c.failed} failed`

/** Mappings by source, loaded once per run. */
export type Mappings = ReadonlyMap<string, Assembled>

/** Counts of one call, and the failures to record at its end (one statement for all). */
interface Tally {
  readonly counts: Counts
  readonly failures: Array<{ readonly key: DocKey; readonly collector: Collector; readonly reason: string }>
}
const tally = (documents: number): Tally => ({ counts: { ...emptyCounts(), documents }, failures: [] })

/** A document to ingest: the original, and what the collector read to find it. */
interface Item {
  readonly collector: Collector
  /** The Graylog event, or the original itself for direct collection. */
  readonly collected: DocKey
  readonly original: SiemDoc
}

/** SIEM reads and write-backs in flight at once. */
const CONCURRENCY = 8
// Column widths of the asset's index_name / index_id.
const MAX_KEY = 255

const describe = (k: DocKey) => `${k.index}/${k.id}`

/**
 * From collected documents to alerts: Graylog events resolved to their originals, the ledger
 * consulted, fields extracted, customers matched, the batch written in one transaction (each
 * document with its ledger row), then the alert ids written back. A document that fails is
 * recorded for a retry and the rest go on; SIEM write-backs are best-effort because the ledger,
 * not the SIEM, says what is done.
 */
export class Pipeline extends Effect.Service<Pipeline>()("Ingest/Pipeline", {
  effect: Effect.gen(function*() {
    const siem = yield* SiemIndex
    const repo = yield* IngestRepo
    const writer = yield* AlertWriter

    const fail = (t: Tally, key: DocKey, collector: Collector, reason: string) => {
      t.counts.failed++
      t.failures.push({ key, collector, reason })
    }
    const recordFailures = (t: Tally) =>
      Effect.gen(function*() {
        if (t.failures.length === 0) return
        yield* Effect.logDebug(`ingest: ${t.failures.length} documents failed, e.g. ${describe(t.failures[0]!.key)}: ${t.failures[0]!.reason}`)
        yield* repo.recordFailures(t.failures)
        t.failures.length = 0
      })

    /**
     * Alert ids back into the SIEM, best-effort: the ledger, not the SIEM, says what is done, and
     * an event whose write-back failed is collected again and only written back. One bulk
     * partial update for the batch (`_bulk` update actions; one UPDATE on the local index): the
     * alert id into each original, and COPILOT_ALERT_ID into each Graylog event, as CoPilot does.
     */
    const writeBack = (done: ReadonlyArray<{ readonly item: Item; readonly alertId: number }>) => {
      const updates: Array<PartialUpdate> = []
      for (const { item, alertId } of done) {
        if (item.collector === "graylog") {
          updates.push({ index: item.collected.index, id: item.collected.id, partial: { fields: { COPILOT_ALERT_ID: String(alertId) } } })
        }
        if (item.original.source["alert_id"] !== alertId) updates.push({ index: item.original.index, id: item.original.id, partial: { alert_id: alertId } })
      }
      return updates.length === 0 ? Effect.void : siem.updateMany(updates).pipe(
        Effect.catchAll((e) => Effect.logWarning(`ingest: writing alert ids back to ${updates.length} documents: ${e.message}`)))
    }

    const prepare = (item: Item, mappings: Mappings): Extracted | string => {
      const { index, id, source } = item.original
      if (index.length > MAX_KEY || id.length > MAX_KEY) return `document ${describe(item.original)}: index name or id longer than ${MAX_KEY} characters`
      const type = sourceTypeOf(source, index)
      if (type === undefined) return "no source type: the document has neither syslog_type nor integration"
      const mapping = mappings.get(type)
      if (!mapping) return `source ${type} has no field mapping (ingest/fieldNames/set)`
      if (mapping._tag === "incomplete") return `the field mapping of source ${type} has no ${mapping.missing.join(" or ")} field`
      const extraction = extract(source, type, mapping.mapping)
      return extraction._tag === "ok" ? extraction.value : extraction.reason
    }

    /**
     * Items whose originals the ledger does not know are extracted, matched and written; returns
     * the write-back to run after (the caller may overlap it with the next batch).
     */
    const ingestItems = (items: ReadonlyArray<Item>, mappings: Mappings, t: Tally) =>
      Effect.gen(function*() {
        const done = yield* repo.ingestedAmong(items.map((i) => i.original))
        const skipped = items.filter((i) => done.has(keyOf(i.original)))
        yield* repo.clearFailures(skipped.map((i) => i.collected))
        t.counts.skipped += skipped.length
        const written: Array<{ item: Item; alertId: number }> = []
        for (const item of skipped) {
          const alertId = done.get(keyOf(item.original))
          if (alertId !== null && alertId !== undefined) written.push({ item, alertId })
        }

        const prepared: Array<{ item: Item; alert: Extracted }> = []
        for (const item of items.filter((i) => !done.has(keyOf(i.original)))) {
          const result = prepare(item, mappings)
          if (typeof result === "string") fail(t, item.collected, item.collector, result)
          else prepared.push({ item, alert: result })
        }
        const customers = yield* repo.resolveCustomers(prepared.map((p) => p.alert.customerCode))
        const requests: Array<{ item: Item; request: WriteRequest }> = []
        for (const { item, alert } of prepared) {
          const customerCode = customers.get(alert.customerCode)
          if (customerCode === undefined) {
            fail(t, item.collected, item.collector, `unknown customer ${alert.customerCode} (has it been provisioned?)`)
          } else {
            requests.push({ item, request: { original: item.original, collected: item.collected, alert: { ...alert, customerCode } } })
          }
        }
        const outcomes = yield* writeAll(requests.map((r) => r.request))
        for (const [i, { item }] of requests.entries()) {
          const outcome = outcomes[i]!
          if (outcome._tag === "error") {
            fail(t, item.collected, item.collector, `database: ${outcome.message}`)
            continue
          }
          t.counts[outcome._tag]++
          if (outcome.alertId !== null) written.push({ item, alertId: outcome.alertId })
        }
        yield* recordFailures(t)
        return writeBack(written)
      })

    /**
     * One transaction for the batch; if it fails (a value the database refuses, a deadlock with
     * another writer), each document alone, so that only the bad ones fail.
     */
    const writeAll = (requests: ReadonlyArray<WriteRequest>) =>
      requests.length === 0 ? Effect.succeed([]) : writer.write(requests).pipe(
        Effect.map((outcomes): ReadonlyArray<WriteOutcome | { readonly _tag: "error"; readonly message: string }> => outcomes),
        Effect.catchTag("SqlError", (e) => Effect.gen(function*() {
          yield* Effect.logWarning(`ingest: a batch of ${requests.length} documents failed (${e.message}); writing them one by one`)
          return yield* Effect.forEach(requests, (r) => writer.write([r]).pipe(
            Effect.map((o): WriteOutcome | { readonly _tag: "error"; readonly message: string } => o[0]!),
            Effect.catchTag("SqlError", (e) => Effect.succeed({ _tag: "error" as const, message: e.message }))))
        })))

    /** Wazuh alerts read directly: each is its own original. The write-back is the caller's to run. */
    const ingestDocuments = (docs: ReadonlyArray<SiemDoc>, mappings: Mappings) =>
      Effect.gen(function*() {
        const t = tally(docs.length)
        const writeBack = yield* ingestItems(docs.map((doc) => ({ collector: "wazuh" as const, collected: doc, original: doc })), mappings, t)
        return { counts: t.counts, writeBack }
      })

    /** Graylog events: each names its original by origin_context, which is read from the SIEM. */
    const ingestEvents = (events: ReadonlyArray<SiemDoc>, mappings: Mappings) =>
      Effect.gen(function*() {
        const t = tally(events.length)
        const located: Array<{ event: SiemDoc; origin: DocKey }> = []
        for (const event of events) {
          const origin = parseOriginContext(event.source["origin_context"])
          if (origin) located.push({ event, origin })
          else fail(t, event, "graylog", "the Graylog event has no origin_context naming a message (urn:graylog:message:es:<index>:<id>)")
        }
        // Originals already ingested need no read: their events only miss the write-back.
        const done = yield* repo.ingestedAmong(located.map((l) => l.origin))
        const items = yield* Effect.forEach(located, ({ event, origin }) =>
          done.has(keyOf(origin))
            ? Effect.succeed<Item | undefined>({ collector: "graylog", collected: event, original: { ...origin, source: {} } })
            : siem.get(origin.index, origin.id).pipe(
              Effect.map((original): Item | undefined => ({ collector: "graylog", collected: event, original })),
              Effect.catchTag("SiemError", (e) => {
                fail(t, event, "graylog", e.reason === "not-found"
                  ? `original document ${describe(origin)} not found`
                  : `original document ${describe(origin)}: ${e.message}`)
                return Effect.succeed(undefined)
              })),
          { concurrency: CONCURRENCY })
        yield* yield* ingestItems(items.filter((i): i is Item => i !== undefined), mappings, t)
        return t.counts
      })

    /** Failed documents read again by their coordinates, then ingested as their collectors would. */
    const retry = (failures: ReadonlyArray<{ readonly key: DocKey; readonly collector: Collector }>, mappings: Mappings) =>
      Effect.gen(function*() {
        const t = tally(0)
        const read = yield* Effect.forEach(failures, (f) =>
          siem.get(f.key.index, f.key.id).pipe(
            Effect.map((doc) => ({ doc, collector: f.collector })),
            Effect.catchTag("SiemError", (e) => {
              t.counts.documents++
              fail(t, f.key, f.collector, e.reason === "not-found" ? `document ${describe(f.key)} not found` : e.message)
              return Effect.succeed(undefined)
            })),
          { concurrency: CONCURRENCY })
        yield* recordFailures(t)
        const docs = read.filter((r) => r !== undefined)
        const events = yield* ingestEvents(docs.filter((r) => r.collector === "graylog").map((r) => r.doc), mappings)
        const direct = yield* ingestDocuments(docs.filter((r) => r.collector === "wazuh").map((r) => r.doc), mappings)
        yield* direct.writeBack
        return addCounts(t.counts, addCounts(events, direct.counts))
      })

    return { ingestDocuments, ingestEvents, retry } as const
  }),
  dependencies: [IngestRepo.Default, AlertWriter.Default]
}) {}
