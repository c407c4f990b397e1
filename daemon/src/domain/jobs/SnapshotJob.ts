import { SqlClient } from "@effect/sql"
import { Clock, Effect, Option } from "effect"
import type { SiemIndexService } from "../../connectors/siem/SiemIndex.js"
import { JobFailed, type JobDefinition } from "./Job.js"

export const SNAPSHOT_JOB_ID = "invoke_snapshot_schedules"

/** Why the maintenance jobs cannot run: the local index has no snapshot or settings API. */
export const NEEDS_INDEXER = "needs the Wazuh indexer (SOCKEYE_OPENSEARCH_URL)"

/** The indexer when the daemon has one (an OpenSearch SiemIndex), else none. */
export const indexerOf = (siem: Option.Option<SiemIndexService>) =>
  Option.filter(siem, (s) => s.kind === "opensearch")

export const indexerUnavailable = (siem: Option.Option<SiemIndexService>) =>
  Effect.succeed(Option.isSome(indexerOf(siem)) ? undefined : NEEDS_INDEXER)

interface ScheduleRow {
  readonly id: number
  readonly name: string
  readonly indexPattern: string
  readonly repository: string
  readonly snapshotPrefix: string
  readonly skipWriteIndices: boolean
}

/**
 * Graylog names indices base_N and writes to the highest N of each base (CoPilot's
 * identify_write_indices): snapshots skip those, which are still changing.
 */
export const writeIndices = (names: ReadonlyArray<string>): ReadonlySet<string> => {
  const highest = new Map<string, { name: string; n: number }>()
  for (const name of names) {
    const match = /^(.+)_(\d+)$/.exec(name)
    if (!match) continue
    const n = Number(match[2])
    const current = highest.get(match[1]!)
    if (!current || n > current.n) highest.set(match[1]!, { name, n })
  }
  return new Set([...highest.values()].map((v) => v.name))
}

const pad = (n: number) => String(n).padStart(2, "0")

/** CoPilot's snapshot name: {prefix}_{schedule}_{YYYYMMDD_HHMMSS} in UTC, lower case, no spaces. */
export const snapshotName = (prefix: string, schedule: string, at: Date) => {
  const stamp = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}_` +
    `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`
  return `${prefix}_${schedule}_${stamp}`.toLowerCase().replace(/ /g, "_")
}

/**
 * invoke_snapshot_schedules: each enabled index_snapshot_schedules row that has not run within
 * the job's interval (a minute of slack, so an hourly job is not put off by its own jitter)
 * snapshots the indices matching its pattern, minus write indices if asked, and records the
 * outcome in last_execution_* as CoPilot does. The run fails if any schedule failed.
 */
export const snapshotJob = (siem: Option.Option<SiemIndexService>): JobDefinition<SqlClient.SqlClient> => ({
  id: SNAPSHOT_JOB_ID,
  description: "Runs the enabled index snapshot schedules through the Wazuh indexer's snapshot API",
  defaultIntervalMinutes: 60,
  defaultEnabled: true,
  unavailable: indexerUnavailable(siem),
  run: (progress, context) =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const indexer = indexerOf(siem)
      if (Option.isNone(indexer)) return yield* new JobFailed({ message: NEEDS_INDEXER, counts: {} })
      const admin = indexer.value.admin
      const now = new Date(yield* Clock.currentTimeMillis)
      const dueBefore = new Date(now.getTime() - Math.max(0, context.intervalMinutes - 1) * 60_000)
      const schedules = yield* sql<ScheduleRow>`
        select id, name, index_pattern, repository, snapshot_prefix, skip_write_indices
        from index_snapshot_schedules
        where enabled and (last_execution_time is null or last_execution_time <= ${dueBefore})
        order by id`
      const counts = { schedules: schedules.length, snapshots: 0, indices: 0, skipped: 0, failed: 0 }
      const failures: Array<string> = []
      for (const [i, schedule] of schedules.entries()) {
        yield* progress((100 * i) / schedules.length, schedule.name)
        const outcome = yield* Effect.gen(function*() {
          const names = Object.keys(yield* admin.getSettings(schedule.indexPattern)).sort()
          const writing = schedule.skipWriteIndices ? writeIndices(names) : new Set<string>()
          const indices = names.filter((n) => !writing.has(n))
          if (indices.length === 0) {
            const skipped = writing.size > 0 ? ` (${writing.size} write indices skipped)` : ""
            return { status: `SKIPPED: No new indices to snapshot${skipped}`, snapshot: undefined, indices: 0 }
          }
          const snapshot = snapshotName(schedule.snapshotPrefix, schedule.name, now)
          yield* admin.createSnapshot(schedule.repository, snapshot, indices)
          return { status: "SUCCESS", snapshot, indices: indices.length }
        }).pipe(Effect.catchAll((error) => Effect.succeed({ status: `FAILED: ${error.message}`, snapshot: null, indices: 0 })))
        if (outcome.snapshot === null) {
          counts.failed++
          failures.push(`${schedule.name}: ${outcome.status.slice("FAILED: ".length)}`)
        } else if (outcome.snapshot === undefined) counts.skipped++
        else {
          counts.snapshots++
          counts.indices += outcome.indices
        }
        // As CoPilot: a failure clears last_snapshot_name, a skip leaves it.
        yield* sql`
          update index_snapshot_schedules
          set last_execution_time = ${now}, last_execution_status = ${outcome.status.slice(0, 255)}, updated_at = ${now},
              last_snapshot_name = ${outcome.snapshot === undefined ? sql`last_snapshot_name` : sql`${outcome.snapshot}`}
          where id = ${schedule.id}`
      }
      if (failures.length > 0) {
        return yield* new JobFailed({
          message: `${failures.length} of ${schedules.length} snapshot schedules failed: ${failures.join("; ")}`,
          counts
        })
      }
      return counts
    })
})
