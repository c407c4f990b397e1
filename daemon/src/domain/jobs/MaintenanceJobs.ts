import { SqlClient } from "@effect/sql"
import { Clock, Config, Effect, Option } from "effect"
import type { SiemIndexService } from "../../connectors/siem/SiemIndex.js"
import { JobFailed, type JobDefinition } from "./Job.js"
import { indexerOf, indexerUnavailable, NEEDS_INDEXER } from "./SnapshotJob.js"

export const FIELD_LIMIT_JOB_ID = "resize_wazuh_index_fields"
export const LICENSE_CACHE_JOB_ID = "license_cache_expiry"
export const WAZUH_ALERTS_PATTERN = "wazuh-alerts-*"
export const FIELD_LIMIT_SETTING = "index.mapping.total_fields.limit"
/** What OpenSearch applies when an index does not set the limit. */
export const OPENSEARCH_DEFAULT_FIELD_LIMIT = 1000

export const fieldLimitConfig = Config.integer("SOCKEYE_WAZUH_FIELD_LIMIT").pipe(
  Config.withDefault(10_000),
  Config.validate({ message: "must be at least 1000", validation: (n) => n >= OPENSEARCH_DEFAULT_FIELD_LIMIT }),
  Config.withDescription("index.mapping.total_fields.limit that resize_wazuh_index_fields keeps wazuh-alerts-* indices at")
)

const dig = (value: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((v, key) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined), value)

/**
 * An index's field limit from a `GET <pattern>/_settings` entry, nested (the default) or flat
 * (`flat_settings=true`); OpenSearch's default when the index does not set it.
 */
export const fieldLimitOf = (entry: unknown): number => {
  const raw = dig(entry, ["settings", "index", "mapping", "total_fields", "limit"]) ??
    dig(entry, ["settings", FIELD_LIMIT_SETTING]) ??
    dig(entry, [FIELD_LIMIT_SETTING])
  const limit = Number(raw)
  return raw !== undefined && Number.isFinite(limit) ? limit : OPENSEARCH_DEFAULT_FIELD_LIMIT
}

/**
 * resize_wazuh_index_fields: raises the field limit of every wazuh-alerts-* index below the
 * target, so that documents with many fields are not refused. CoPilot checks every minute;
 * Sockeye's default is hourly (see the report): the limit only changes when an index is created
 * (Wazuh's template already sets 10000), each check reads every index's settings, and each run
 * leaves a history row. An admin who wants the minute can set it with jobs/update.
 */
export const fieldLimitJob = (siem: Option.Option<SiemIndexService>, target: number): JobDefinition => ({
  id: FIELD_LIMIT_JOB_ID,
  description: `Raises index.mapping.total_fields.limit of wazuh-alerts-* indices to ${target}`,
  defaultIntervalMinutes: 60,
  defaultEnabled: true,
  unavailable: indexerUnavailable(siem),
  run: (progress) =>
    Effect.gen(function*() {
      const indexer = indexerOf(siem)
      if (Option.isNone(indexer)) return yield* new JobFailed({ message: NEEDS_INDEXER, counts: {} })
      const admin = indexer.value.admin
      const settings = yield* admin.getSettings(WAZUH_ALERTS_PATTERN)
      const low = Object.entries(settings).filter(([, entry]) => fieldLimitOf(entry) < target).map(([index]) => index).sort()
      const counts = { indices: Object.keys(settings).length, raised: 0, failed: 0 }
      const failures: Array<string> = []
      for (const [i, index] of low.entries()) {
        yield* progress((100 * i) / low.length, index)
        yield* admin.putSettings(index, { [FIELD_LIMIT_SETTING]: target }).pipe(
          Effect.match({
            onFailure: (error) => {
              counts.failed++
              failures.push(`${index}: ${error.message}`)
            },
            onSuccess: () => {
              counts.raised++
            }
          })
        )
      }
      if (failures.length > 0) {
        return yield* new JobFailed({ message: `raising the field limit failed for ${failures.join("; ")}`, counts })
      }
      return counts
    })
})

/** license_cache_expiry: rows past expires_at are no use to anyone; deleting them keeps the cache small. */
export const licenseCacheJob: JobDefinition<SqlClient.SqlClient> = {
  id: LICENSE_CACHE_JOB_ID,
  description: "Deletes expired license_cache rows",
  defaultIntervalMinutes: 60,
  defaultEnabled: true,
  unavailable: Effect.succeed(undefined),
  run: () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const now = new Date(yield* Clock.currentTimeMillis)
      const deleted = yield* sql<{ id: number }>`delete from license_cache where expires_at < ${now} returning id`
      return { deleted: deleted.length }
    })
}
