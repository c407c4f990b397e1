import { Effect, Fiber } from "effect"
import { SiemIndex, type SearchRequest } from "../../connectors/siem/SiemIndex.js"
import type { ReportProgress } from "../jobs/Job.js"
import { IngestRepo, keyOf, type Checkpoint, type Collector } from "./IngestRepo.js"
import { addCounts, emptyCounts, Pipeline, type Counts, type Mappings } from "./Pipeline.js"

/** CoPilot §f.1: Graylog events not yet made alerts, oldest first, 100 at a time, 10 batches a run. */
export const GRAYLOG = { indexPattern: "gl-events*", batchSize: 100, maxBatches: 10 } as const
/**
 * Direct collection reads more per run than CoPilot's Graylog path: without Graylog every Wazuh
 * alert arrives here, and the job runs every 5 minutes.
 */
export const WAZUH = { indexPattern: "wazuh-alerts-*", batchSize: 1000, maxBatches: 10 } as const
/** Failures retried per run (the due ones, oldest due first). */
export const RETRY_LIMIT = 1000

// A range from the year 1 keeps documents without a time out of direct collection: they sort
// after every timed one, so a checkpoint past them would skip every later alert. Wazuh always
// stamps `timestamp`.
const EARLIEST = new Date("0001-01-01T00:00:00Z")

const position = (hit: { id: string; sortValue?: string | number }): Checkpoint | undefined =>
  hit.sortValue === undefined ? undefined : { sortValue: hit.sortValue, id: hit.id }

/** Reports a phase's share of the run: `from`..`to` percent, by batches done. */
export interface Progress {
  readonly report: ReportProgress
  readonly from: number
  readonly to: number
}
const step = (p: Progress | undefined, done: number, of: number, message: string) =>
  p ? p.report(Math.round(p.from + ((p.to - p.from) * done) / of), message) : Effect.void

/** The collectors: due retries, Graylog events, and Wazuh alerts read directly with a checkpoint. */
export class Collect extends Effect.Service<Collect>()("Ingest/Collect", {
  effect: Effect.gen(function*() {
    const siem = yield* SiemIndex
    const repo = yield* IngestRepo
    const pipeline = yield* Pipeline

    const retries = (collectors: ReadonlyArray<Collector>, mappings: Mappings) =>
      Effect.gen(function*() {
        const due = (yield* repo.dueFailures(RETRY_LIMIT)).filter((f) => collectors.includes(f.collector))
        return yield* pipeline.retry(due.map((f) => ({ key: { index: f.indexName, id: f.docId }, collector: f.collector })), mappings)
      })

    /**
     * Events with fields.COPILOT_ALERT_ID = "NONE". Paging goes on past events that failed
     * earlier (their retries are due-driven), so a stuck event never blocks newer ones.
     */
    const graylog = (mappings: Mappings, progress?: Progress) =>
      Effect.gen(function*() {
        let counts = emptyCounts()
        let after: Checkpoint | undefined
        for (let batch = 0; batch < GRAYLOG.maxBatches; batch++) {
          const request: SearchRequest = {
            indexPattern: GRAYLOG.indexPattern,
            terms: { "fields.COPILOT_ALERT_ID": "NONE" },
            sort: { field: "timestamp", direction: "asc" },
            size: GRAYLOG.batchSize,
            trackTotalHits: false,
            ...(after ? { after } : {})
          }
          const { hits } = yield* siem.search(request)
          if (hits.length === 0) break
          const failing = yield* repo.failingAmong(hits)
          const fresh = hits.filter((h) => !failing.has(keyOf(h)))
          counts = addCounts(counts, yield* pipeline.ingestEvents(fresh, mappings))
          yield* step(progress, batch + 1, GRAYLOG.maxBatches, `Graylog events: ${counts.documents} documents`)
          after = position(hits[hits.length - 1]!)
          if (!after || hits.length < GRAYLOG.batchSize) break
        }
        return counts
      })

    /**
     * Wazuh alerts after the checkpoint of the index pattern, in (timestamp, id) order. The next
     * page is read, and the last batch written back, while a batch is written; the checkpoint
     * passes a batch once its write-back is done, so a daemon killed before that reads the batch
     * again, the ledger skips it, and only the write-back is redone.
     */
    const wazuh = (mappings: Mappings, progress?: Progress) =>
      Effect.gen(function*() {
        let counts = emptyCounts()
        const search = (after: Checkpoint | undefined) => siem.search({
          indexPattern: WAZUH.indexPattern,
          from: EARLIEST,
          sort: { field: "timestamp", direction: "asc" },
          size: WAZUH.batchSize,
          trackTotalHits: false,
          ...(after ? { after } : {})
        })
        let page = yield* Effect.fork(search(yield* repo.checkpoint(WAZUH.indexPattern)))
        let pending: Fiber.Fiber<void> | undefined
        for (let batch = 0; batch < WAZUH.maxBatches; batch++) {
          const { hits } = yield* Fiber.join(page)
          if (hits.length === 0) break
          const last = position(hits[hits.length - 1]!)
          const more = last !== undefined && hits.length === WAZUH.batchSize && batch + 1 < WAZUH.maxBatches
          if (more) page = yield* Effect.fork(search(last))
          const done = yield* pipeline.ingestDocuments(hits, mappings)
          counts = addCounts(counts, done.counts)
          if (pending) yield* Fiber.join(pending)
          pending = yield* Effect.fork(last
            ? Effect.zipRight(done.writeBack, repo.advanceCheckpoint(WAZUH.indexPattern, last))
            : Effect.zipRight(done.writeBack, Effect.logWarning(`ingest: ${siem.describe} returned no sort values; direct collection cannot keep its place`)))
          yield* step(progress, batch + 1, WAZUH.maxBatches, `Wazuh alerts: ${counts.documents} documents`)
          if (!more) break
        }
        if (pending) yield* Fiber.join(pending)
        return counts
      })

    /** Graylog is in use when any event exists: its event definitions then choose the alerts. */
    const graylogInUse = siem.search({ indexPattern: GRAYLOG.indexPattern, size: 1, trackTotalHits: false }).pipe(
      Effect.map((r) => r.hits.length > 0))

    return { retries, graylog, wazuh, graylogInUse } as const
  }),
  dependencies: [IngestRepo.Default, Pipeline.Default]
}) {}
