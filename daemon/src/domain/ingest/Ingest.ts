import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Conflict, Forbidden, InvalidParams, NotFound, Unavailable } from "@sockeye/protocol"
import { SiemIndex, type SiemError } from "../../connectors/siem/SiemIndex.js"
import { audit } from "../Audit.js"
import { CurrentPrincipal } from "../Principal.js"
import type { ReportProgress } from "../jobs/Job.js"
import { Collect } from "./Collect.js"
import type { Collector } from "./IngestRepo.js"
import { IngestRepo } from "./IngestRepo.js"
import { assemble, validateMapping, type FieldMapping } from "./Mapping.js"
import { MappingsRepo } from "./MappingsRepo.js"
import { addCounts, describeCounts, emptyCounts, type Counts, type Mappings } from "./Pipeline.js"
import { retryingTransaction } from "../../db/Transaction.js"

const DEFAULT_FAILURES = 100
const COLLECTORS: ReadonlyArray<Collector> = ["graylog", "wazuh"]

/** SIEM trouble during a run is the SIEM's (-32010); a refused search is the daemon's own bug. */
const siemFailure = (e: SiemError) =>
  e.reason === "unconfigured" || e.reason === "unreachable"
    ? Effect.fail(new Unavailable({ message: e.message }))
    : Effect.die(e)

/**
 * SIEM ingestion (copilot-facts §f): field mappings per source, and runs that collect Graylog
 * events and Wazuh alerts into alerts exactly once, recording failures for retry.
 */
export class Ingest extends Effect.Service<Ingest>()("Ingest/Ingest", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const siem = yield* SiemIndex
    const mappingsRepo = yield* MappingsRepo
    const repo = yield* IngestRepo
    const collect = yield* Collect

    /** Why collection cannot run here (no SIEM configured), in the SIEM layer's words; undefined if it can. */
    const unavailable: Effect.Effect<string | undefined> = siem.kind === "none"
      ? siem.search({ indexPattern: "gl-events*", size: 0 }).pipe(
        Effect.match({ onFailure: (e) => e.message, onSuccess: () => "no SIEM is configured" }))
      : Effect.succeed(undefined)

    const fieldNamesGet = Effect.fn("Ingest.fieldNamesGet")(function*(source: string) {
      const rows = yield* mappingsRepo.ofSource(source)
      if (rows.length === 0) return yield* new NotFound({ message: `source ${source} not found` })
      const assembled = assemble(rows)
      if (assembled._tag === "incomplete") {
        return yield* new Conflict({ message: `the field mapping of source ${source} has no ${assembled.missing.join(" or ")} field: set it with ingest/fieldNames/set` })
      }
      return { source, fields: assembled.mapping }
    })

    const fieldNamesSet = Effect.fn("Ingest.fieldNamesSet")(function*(source: string, fields: FieldMapping) {
      const issues = validateMapping(fields)
      if (issues.length > 0) {
        return yield* new InvalidParams({ message: `invalid field mapping: ${issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, issues })
      }
      yield* retryingTransaction(sql, Effect.gen(function*() {
        yield* mappingsRepo.replace(source, fields)
        yield* audit("ingest/fieldNames/set", `field mapping of source ${source} replaced: title ${fields.title}, asset ${fields.asset.join(",")}, ` +
          `timestamp ${fields.timestamp}, customer code ${fields.customerCode}, ${fields.ioc.length} IoC and ${fields.fieldName.length} context fields`)
      })).pipe(Effect.orDie, Effect.provide(context))
      return { source, fields }
    })

    const sources = Effect.fn("Ingest.sources")(function*() {
      return yield* mappingsRepo.sources
    })

    const failures = Effect.fn("Ingest.failures")(function*(limit: number | undefined) {
      // Errors name customers and documents of every customer: SOC staff only.
      const { user } = yield* CurrentPrincipal
      if (user.role === "customer_user") return yield* new Forbidden({ message: "ingest/failures is not allowed for role customer_user" })
      const rows = yield* repo.listFailures(limit ?? DEFAULT_FAILURES)
      return rows.map((r) => ({ index: r.indexName, id: r.docId, error: r.error, attempts: r.attempts, nextAttemptAt: r.nextAttemptAt }))
    })

    const loadMappings = Effect.map(mappingsRepo.all, (bySource): Mappings =>
      new Map([...bySource].map(([source, rows]) => [source, assemble(rows)])))

    /** Which collectors a run uses: the one asked for, else Graylog and (per the setting) direct Wazuh. */
    const collectorsFor = (source: string | undefined) =>
      Effect.gen(function*() {
        if (source !== undefined) {
          if ((COLLECTORS as ReadonlyArray<string>).includes(source)) return [source as Collector]
          return yield* new InvalidParams({
            message: `unknown collector ${source}: use graylog (gl-events*) or wazuh (wazuh-alerts-*), or omit source for both`,
            issues: [{ path: ["source"], message: "graylog or wazuh" }]
          })
        }
        const direct = (yield* repo.setting("ingest_wazuh_direct")) ?? "auto"
        const wazuh = direct === "on" || (direct === "auto" && !(yield* collect.graylogInUse))
        return wazuh ? COLLECTORS : ["graylog" as const]
      })

    /** One collection: due retries first, then Graylog events, then Wazuh alerts. */
    const run = Effect.fn("Ingest.run")(function*(source: string | undefined, progress?: ReportProgress) {
      const why = yield* unavailable
      if (why !== undefined) return yield* new Unavailable({ message: why })
      const collectors = yield* collectorsFor(source)
      const mappings = yield* loadMappings
      let counts: Counts = emptyCounts()
      counts = addCounts(counts, yield* collect.retries(collectors, mappings))
      if (progress) yield* progress(5, `retried ${counts.documents} failed documents`)
      const wazuhToo = collectors.includes("wazuh")
      if (collectors.includes("graylog")) {
        counts = addCounts(counts, yield* collect.graylog(mappings, progress && { report: progress, from: 5, to: wazuhToo ? 50 : 100 }))
      }
      if (wazuhToo) {
        counts = addCounts(counts, yield* collect.wazuh(mappings, progress && { report: progress, from: collectors.length > 1 ? 50 : 5, to: 100 }))
      }
      if (progress) yield* progress(100, describeCounts(counts))
      if (counts.documents > 0) yield* Effect.logInfo(`ingest (${collectors.join(", ")}): ${describeCounts(counts)}`)
      return counts
    }, (effect) => Effect.catchTag(effect, "SiemError", siemFailure))


    /** ingest/run: a run someone asked for is audited; the collection job's runs are not (every few minutes). */
    const runRequested = (source: string | undefined, progress?: ReportProgress) =>
      run(source, progress).pipe(Effect.tap((c) => audit("ingest/run",
        `collected${source ? ` from ${source}` : ""}: ${c.documents} documents, ${c.created} created, ${c.merged} merged, ${c.skipped} skipped, ${c.failed} failed`
      ).pipe(Effect.provide(context))))

    return { fieldNamesGet, fieldNamesSet, sources, failures, run, runRequested, unavailable } as const
  }),
  dependencies: [MappingsRepo.Default, IngestRepo.Default, Collect.Default]
}) {}
