/**
 * The built-in jobs against a real database. The snapshot and field-limit jobs talk to the
 * indexer through SiemIndex.admin; here an in-memory SiemIndex of kind "opensearch" stands in
 * for OpenSearch (which cannot run here): it answers getSettings from a map of indices and
 * records createSnapshot and putSettings. The OpenSearch layer's own HTTP shapes are tested
 * with the SIEM connector.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { SiemError, type SiemIndexService } from "../../../src/connectors/siem/SiemIndex.js"
import { withSystemActor } from "../../../src/domain/Principal.js"
import { query } from "../../fixtures/Postgres.js"
import { at, startScheduler, T0, useJobsDatabase } from "./harness.js"

const db = useJobsDatabase("maint")

const glob = (pattern: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`)

const standIn = (indices: Map<string, unknown>) => {
  const snapshots: Array<{ repository: string; snapshot: string; indices: ReadonlyArray<string> }> = []
  const settingsPut: Array<{ index: string; settings: Record<string, unknown> }> = []
  const unused = () => Effect.die(new Error("not used by the maintenance jobs"))
  const service: SiemIndexService = {
    kind: "opensearch",
    describe: "in-memory stand-in for OpenSearch",
    get: unused, search: unused, update: unused, updateMany: unused, index: unused,
    admin: {
      getSettings: (pattern) =>
        Effect.succeed(Object.fromEntries([...indices].filter(([name]) => glob(pattern).test(name)))),
      createSnapshot: (repository, snapshot, names) =>
        repository === "broken"
          ? Effect.fail(new SiemError({ reason: "rejected", message: "[broken] missing repository" }))
          : Effect.sync(() => snapshots.push({ repository, snapshot, indices: names })),
      putSettings: (index, settings) =>
        index.endsWith("-locked")
          ? Effect.fail(new SiemError({ reason: "rejected", message: "index is read-only" }))
          : Effect.sync(() => {
            settingsPut.push({ index, settings })
            indices.set(index, { settings: { index: { mapping: { total_fields: { limit: String(settings["index.mapping.total_fields.limit"]) } } } } })
          })
    }
  }
  return { service, snapshots, settingsPut }
}

const lastRun = (jobId: string) =>
  Effect.promise(() => query(db.url,
    "select status, error, counts from sockeye_job_runs where job_id = $1 order by id desc limit 1", [jobId])).pipe(Effect.map((rows) => rows[0]))

const limit = (n: string) => ({ settings: { index: { mapping: { total_fields: { limit: n } }, number_of_shards: "1" } } })

describe("maintenance jobs", () => {
  it.scoped("resize_wazuh_index_fields raises every wazuh-alerts-* index below 10000, nested or flat", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const indices = new Map<string, unknown>([
        ["wazuh-alerts-4.x-2026.01.03", { settings: { "index.mapping.total_fields.limit": "2000" } }],
        ["wazuh-alerts-4.x-2026.01.04", limit("10000")],
        ["wazuh-alerts-4.x-2026.01.05", { settings: { index: { number_of_shards: "1" } } }],
        ["wazuh-alerts-4.x-locked", limit("1000")],
        ["wazuh-archives-4.x-2026.01.05", limit("1000")]
      ])
      const indexer = standIn(indices)
      const daemon = yield* startScheduler(db.url, [], indexer.service)
      expect((yield* daemon.jobs.list()).map((j) => j.unavailable)).toEqual([undefined, undefined, undefined])
      yield* withSystemActor(daemon.jobs.run("resize_wazuh_index_fields"))
      yield* daemon.jobs.awaitIdle
      expect(indexer.settingsPut).toEqual([
        { index: "wazuh-alerts-4.x-2026.01.03", settings: { "index.mapping.total_fields.limit": 10000 } },
        { index: "wazuh-alerts-4.x-2026.01.05", settings: { "index.mapping.total_fields.limit": 10000 } }
      ])
      expect(yield* lastRun("resize_wazuh_index_fields")).toEqual({
        status: "failed",
        error: "raising the field limit failed for wazuh-alerts-4.x-locked: index is read-only",
        counts: { indices: 4, raised: 2, failed: 1 }
      })
      indices.delete("wazuh-alerts-4.x-locked")
      yield* withSystemActor(daemon.jobs.run("resize_wazuh_index_fields"))
      yield* daemon.jobs.awaitIdle
      expect(yield* lastRun("resize_wazuh_index_fields")).toEqual({ status: "succeeded", error: null, counts: { indices: 3, raised: 0, failed: 0 } })
      expect(indexer.settingsPut).toHaveLength(2)
    }))

  it.scoped("invoke_snapshot_schedules snapshots the due, enabled schedules and records each outcome", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const indices = new Map<string, unknown>(["wazuh_1", "wazuh_2", "wazuh_3", "graylog_0", "other_1"].map((n) => [n, limit("1000")]))
      const indexer = standIn(indices)
      yield* Effect.promise(() => query(db.url, `
        insert into index_snapshot_schedules (name, index_pattern, repository, enabled, snapshot_prefix, skip_write_indices, last_execution_time, last_snapshot_name)
        values ('Daily Wazuh', 'wazuh_*', 'backups', true, 'scheduled', true, null, null),
               ('Disabled', 'wazuh_*', 'backups', false, 'scheduled', true, null, null),
               ('Recent', 'wazuh_*', 'backups', true, 'scheduled', true, $1, 'scheduled_recent_x'),
               ('Broken repo', 'wazuh_*', 'broken', true, 'scheduled', false, null, 'old'),
               ('Graylog', 'graylog_*', 'backups', true, 'scheduled', true, $2, 'scheduled_graylog_y')`,
        [at(-600), at(-7200)]))
      const daemon = yield* startScheduler(db.url, [], indexer.service)
      yield* withSystemActor(daemon.jobs.run("invoke_snapshot_schedules"))
      yield* daemon.jobs.awaitIdle
      expect(indexer.snapshots).toEqual([{ repository: "backups", snapshot: "scheduled_daily_wazuh_20260105_080000", indices: ["wazuh_1", "wazuh_2"] }])
      const rows = yield* Effect.promise(() => query(db.url,
        "select name, last_execution_time, last_snapshot_name, last_execution_status from index_snapshot_schedules order by id"))
      expect(rows).toEqual([
        { name: "Daily Wazuh", last_execution_time: at(0), last_snapshot_name: "scheduled_daily_wazuh_20260105_080000", last_execution_status: "SUCCESS" },
        { name: "Disabled", last_execution_time: null, last_snapshot_name: null, last_execution_status: null },
        { name: "Recent", last_execution_time: at(-600), last_snapshot_name: "scheduled_recent_x", last_execution_status: null },
        { name: "Broken repo", last_execution_time: at(0), last_snapshot_name: null, last_execution_status: "FAILED: [broken] missing repository" },
        { name: "Graylog", last_execution_time: at(0), last_snapshot_name: "scheduled_graylog_y", last_execution_status: "SKIPPED: No new indices to snapshot (1 write indices skipped)" }
      ])
      expect(yield* lastRun("invoke_snapshot_schedules")).toEqual({
        status: "failed",
        error: "1 of 3 snapshot schedules failed: Broken repo: [broken] missing repository",
        counts: { schedules: 3, snapshots: 1, indices: 2, skipped: 1, failed: 1 }
      })
    }))

  it.scoped("license_cache_expiry deletes expired cache rows only", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* Effect.promise(() => query(db.url, `
        insert into license_cache (license_key, feature_name, is_enabled, cached_at, expires_at)
        values ('k', 'expired', true, $1, $2), ('k', 'live', true, $1, $3)`, [at(-86_400), at(-1), at(86_400)]))
      const daemon = yield* startScheduler(db.url, [])
      const { runId } = yield* withSystemActor(daemon.jobs.run("license_cache_expiry"))
      yield* daemon.jobs.awaitIdle
      expect(yield* Effect.promise(() => query(db.url, "select feature_name from license_cache"))).toEqual([{ feature_name: "live" }])
      const [run] = yield* daemon.jobs.runs("license_cache_expiry", undefined)
      expect(run).toMatchObject({ runId, status: "succeeded", counts: { deleted: 1 }, durationMs: 0, error: null })
      expect((yield* daemon.jobs.list()).find((j) => j.id === "license_cache_expiry")).toMatchObject({ lastSuccess: at(0), running: false })
    }))
})
