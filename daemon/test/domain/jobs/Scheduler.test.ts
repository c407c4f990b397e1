/**
 * The scheduler in process, on a real database, driven by the TestClock: each "daemon" is its own
 * layer build (pool, Jobs, loop), so two of them share only PostgreSQL, as two processes would.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Layer, Ref, TestClock } from "effect"
import * as os from "node:os"
import { withSystemActor } from "../../../src/domain/Principal.js"
import type { JobDefinition } from "../../../src/domain/jobs/Job.js"
import { JobFailed } from "../../../src/domain/jobs/Job.js"
import { Runner } from "../../../src/domain/jobs/Runner.js"
import { query } from "../../fixtures/Postgres.js"
import { advanceTo, at, databaseLayer, recordingJob, startScheduler, step, T0, useJobsDatabase } from "./harness.js"

const db = useJobsDatabase("sched")

const runsOf = (jobId: string) =>
  Effect.promise(() => query<{ status: string; started_at: Date; error: string | null; counts: unknown; runner: string }>(db.url,
    "select status, started_at, error, counts, runner from sockeye_job_runs where job_id = $1 order by id", [jobId]))

describe("scheduler", () => {
  it.scoped("an enabled 5-minute job runs at t=5min and not before, then every 5 minutes", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const { job, runs } = yield* recordingJob("every_five", 5)
      const daemon = yield* startScheduler(db.url, [job])
      yield* advanceTo([daemon], 295)
      expect(yield* Ref.get(runs)).toEqual([])
      expect(yield* runsOf("every_five")).toEqual([])
      yield* advanceTo([daemon], 300)
      expect(yield* Ref.get(runs)).toEqual([T0 + 300_000])
      const [listed] = (yield* daemon.jobs.list()).filter((j) => j.id === "every_five")
      expect(listed).toMatchObject({ enabled: true, intervalMinutes: 5, running: false, lastSuccess: at(300), nextRunAt: at(600) })
      expect(listed!.lastRun).toMatchObject({ status: "succeeded", startedAt: at(300), durationMs: 0 })
      yield* advanceTo([daemon], 600)
      expect(yield* Ref.get(runs)).toEqual([T0 + 300_000, T0 + 600_000])
      const history = yield* runsOf("every_five")
      expect(history.map((r) => [r.status, r.started_at.getTime(), r.counts])).toEqual([
        ["succeeded", T0 + 300_000, { run: 1 }], ["succeeded", T0 + 600_000, { run: 2 }]])
      expect(history[0]!.runner).toBe(`${os.hostname()}:${process.pid}`)
      const next = yield* Effect.promise(() => query(db.url, "select next_run_time from schedulerjob where id = 'every_five'"))
      expect(next[0].next_run_time).toBe((T0 + 900_000) / 1000)
    }))

  it.scoped("disabled jobs never run: by default or by an admin", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const off = yield* recordingJob("off_by_default", 5, { enabled: false })
      const disabled = yield* recordingJob("disabled_by_admin", 5)
      const daemon = yield* startScheduler(db.url, [off.job, disabled.job])
      yield* advanceTo([daemon], 60)
      const updated = yield* withSystemActor(daemon.jobs.update({ id: "disabled_by_admin", enabled: false }))
      expect(updated).toMatchObject({ enabled: false, nextRunAt: null })
      yield* advanceTo([daemon], 1200)
      expect(yield* Ref.get(off.runs)).toEqual([])
      expect(yield* Ref.get(disabled.runs)).toEqual([])
      expect(yield* runsOf("off_by_default")).toEqual([])
      expect(yield* runsOf("disabled_by_admin")).toEqual([])
      const audit = yield* Effect.promise(() => query(db.url, "select route, message from log_entries"))
      expect(audit).toEqual([{ route: "jobs/update", message: "job disabled_by_admin: enabled true -> false, interval 5 -> 5 minutes" }])
    }))

  it.scoped("an interval change takes effect from the last slot", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const { job, runs } = yield* recordingJob("retimed", 5)
      const daemon = yield* startScheduler(db.url, [job])
      yield* advanceTo([daemon], 60)
      expect(yield* withSystemActor(daemon.jobs.update({ id: "retimed", intervalMinutes: 10 }))).toMatchObject({ intervalMinutes: 10, nextRunAt: at(600) })
      yield* advanceTo([daemon], 595)
      expect(yield* Ref.get(runs)).toEqual([])
      yield* advanceTo([daemon], 610)
      expect(yield* Ref.get(runs)).toEqual([T0 + 600_000])
      // The next slot was 600 + 10 min; one minute instead makes it 660.
      expect(yield* withSystemActor(daemon.jobs.update({ id: "retimed", intervalMinutes: 1 }))).toMatchObject({ nextRunAt: at(660) })
      yield* advanceTo([daemon], 720)
      expect(yield* Ref.get(runs)).toEqual([T0 + 600_000, T0 + 660_000, T0 + 720_000])
    }))

  it.scoped("a restart keeps an admin's disable and interval (CoPilot re-enabled them)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const a = yield* recordingJob("job_a", 5)
      const b = yield* recordingJob("job_b", 5)
      const first = yield* startScheduler(db.url, [a.job, b.job])
      yield* withSystemActor(first.jobs.update({ id: "job_a", enabled: false }))
      yield* withSystemActor(first.jobs.update({ id: "job_b", intervalMinutes: 30 }))
      yield* first.stop
      const second = yield* startScheduler(db.url, [a.job, b.job])
      const listed = (yield* second.jobs.list()).filter((j) => j.id.startsWith("job_"))
      expect(listed.map((j) => [j.id, j.enabled, j.intervalMinutes, j.nextRunAt])).toEqual([
        ["job_a", false, 5, null], ["job_b", true, 30, at(1800)]])
      const rows = yield* Effect.promise(() => query(db.url, "select job_id, count(*)::int as n from scheduled_job_metadata group by job_id having count(*) > 1"))
      expect(rows).toEqual([])
      yield* advanceTo([second], 600)
      expect(yield* Ref.get(a.runs)).toEqual([])
      expect(yield* Ref.get(b.runs)).toEqual([])
    }))

  it.scoped("two daemons on one database and one tick: exactly one run", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const release = yield* Deferred.make<void>()
      const started = yield* Ref.make(0)
      const job: JobDefinition = {
        id: "shared", description: "test", defaultIntervalMinutes: 5, defaultEnabled: true,
        unavailable: Effect.succeed(undefined),
        // Holds the run open until both daemons have ticked, so the second one meets the lock.
        run: () => Effect.zipRight(Ref.update(started, (n) => n + 1), Effect.as(Deferred.await(release), { done: 1 }))
      }
      const one = yield* startScheduler(db.url, [job])
      const two = yield* startScheduler(db.url, [job])
      yield* advanceTo([one, two], 295)
      yield* step([one, two])
      expect(yield* Ref.get(started)).toBe(1)
      expect((yield* runsOf("shared")).map((r) => r.status)).toEqual(["running"])
      yield* Deferred.succeed(release, undefined)
      yield* one.jobs.awaitIdle
      yield* two.jobs.awaitIdle
      // Later ticks on either daemon find the slot taken: next_run_time moved on.
      yield* advanceTo([one, two], 595)
      expect(yield* Ref.get(started)).toBe(1)
      expect((yield* runsOf("shared")).map((r) => r.status)).toEqual(["succeeded"])
      yield* advanceTo([one, two], 600)
      expect(yield* Ref.get(started)).toBe(2)
    }))

  it.scoped("a daemon that saw the slot due but takes the lock after another ran it does not run it again", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const { job, runs } = yield* recordingJob("raced", 5)
      const one = yield* startScheduler(db.url, [job])
      yield* advanceTo([one], 300)
      expect(yield* Ref.get(runs)).toEqual([T0 + 300_000])
      // Daemon two read the job as due at t=300, then got the lock only now: it re-checks under the lock.
      const runner = Context.get(yield* Layer.build(Layer.provide(Runner.Default, databaseLayer(db.url))), Runner)
      expect(yield* runner.attempt(job, 5, { mode: "tick", now: at(300) })).toEqual({ _tag: "Idle" })
      expect(yield* Ref.get(runs)).toEqual([T0 + 300_000])
      expect((yield* runsOf("raced")).length).toBe(1)
    }))

  it.scoped("runs whose daemon died are marked failed, and the next tick goes ahead", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const { job, runs } = yield* recordingJob("orphaned", 5)
      const daemon = yield* startScheduler(db.url, [job])
      const insert = (runner: string, heartbeat: Date) =>
        Effect.promise(() => query(db.url, `insert into sockeye_job_runs (job_id, status, started_at, runner, heartbeat_at)
          values ('orphaned', 'running', $1, $2, $1)`, [heartbeat, runner]))
      // Killed elsewhere long ago (stale heartbeat), and killed on this host just now (its pid is gone).
      yield* insert("elsewhere:4242", at(-600))
      yield* insert(`${os.hostname()}:4194999`, at(0))
      expect((yield* daemon.jobs.list()).find((j) => j.id === "orphaned")!.running).toBe(true)
      yield* step([daemon])
      const swept = yield* runsOf("orphaned")
      expect(swept.map((r) => r.status)).toEqual(["failed", "failed"])
      expect(swept[0]!.error).toMatch(/^runner died: elsewhere:4242 sent no heartbeat since /)
      expect(swept[1]!.error).toBe(`runner died: process 4194999 on ${os.hostname()} is gone`)
      expect((yield* daemon.jobs.list()).find((j) => j.id === "orphaned")!.running).toBe(false)

      // A live run elsewhere (fresh heartbeat) holds the job until its heartbeat goes stale (30 s).
      yield* insert("elsewhere:7", at(290))
      yield* advanceTo([daemon], 315)
      expect(yield* Ref.get(runs)).toEqual([])
      yield* advanceTo([daemon], 325)
      expect(yield* Ref.get(runs)).toEqual([T0 + 325_000])
      expect((yield* runsOf("orphaned")).map((r) => r.status)).toEqual(["failed", "failed", "failed", "succeeded"])
    }))

  it.scoped("a failing job records failed with its error, and the loop keeps going", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const failing: JobDefinition = {
        id: "failing", description: "test", defaultIntervalMinutes: 5, defaultEnabled: true,
        unavailable: Effect.succeed(undefined),
        run: () => Effect.fail(new Error("the indexer said no"))
      }
      const partial: JobDefinition = {
        id: "partial", description: "test", defaultIntervalMinutes: 5, defaultEnabled: true,
        unavailable: Effect.succeed(undefined),
        run: () => Effect.fail(new JobFailed({ message: "1 of 3 failed", counts: { done: 2, failed: 1 } }))
      }
      const crashing: JobDefinition = {
        id: "crashing", description: "test", defaultIntervalMinutes: 5, defaultEnabled: true,
        unavailable: Effect.succeed(undefined),
        run: () => Effect.die(new TypeError("cannot read properties of undefined"))
      }
      const healthy = yield* recordingJob("healthy", 5)
      const daemon = yield* startScheduler(db.url, [failing, partial, crashing, healthy.job])
      yield* advanceTo([daemon], 600)
      expect(yield* Ref.get(healthy.runs)).toEqual([T0 + 300_000, T0 + 600_000])
      const failed = yield* runsOf("failing")
      expect(failed.map((r) => [r.status, r.error])).toEqual([["failed", "the indexer said no"], ["failed", "the indexer said no"]])
      expect((yield* runsOf("partial"))[0]).toMatchObject({ status: "failed", error: "1 of 3 failed", counts: { done: 2, failed: 1 } })
      expect((yield* runsOf("crashing"))[0]).toMatchObject({ status: "failed", error: "defect: TypeError: cannot read properties of undefined" })
      const listed = (yield* daemon.jobs.list()).find((j) => j.id === "failing")!
      expect(listed).toMatchObject({ lastSuccess: null, lastRun: { status: "failed", error: "the indexer said no" } })
    }))

  it.scoped("jobs that need the Wazuh indexer are listed unavailable and are not run", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const daemon = yield* startScheduler(db.url, [])
      const listed = yield* daemon.jobs.list()
      expect(listed.map((j) => [j.id, j.intervalMinutes, j.unavailable])).toEqual([
        ["invoke_snapshot_schedules", 60, "needs the Wazuh indexer (SOCKEYE_OPENSEARCH_URL)"],
        ["license_cache_expiry", 60, undefined],
        ["resize_wazuh_index_fields", 60, "needs the Wazuh indexer (SOCKEYE_OPENSEARCH_URL)"]
      ])
      const error = yield* Effect.flip(withSystemActor(daemon.jobs.run("resize_wazuh_index_fields")))
      expect(error).toMatchObject({ _tag: "Unavailable", message: "job resize_wazuh_index_fields cannot run: needs the Wazuh indexer (SOCKEYE_OPENSEARCH_URL)" })
      const refused = yield* daemon.jobs.runs("resize_wazuh_index_fields", undefined)
      expect(refused).toMatchObject([{ status: "skipped", error: "needs the Wazuh indexer (SOCKEYE_OPENSEARCH_URL)", counts: { skips: 1 }, durationMs: null }])
      yield* withSystemActor(daemon.jobs.update({ id: "invoke_snapshot_schedules", intervalMinutes: 1 }))
      yield* advanceTo([daemon], 65)
      // Not run: its slot is recorded skipped with the reason, and the next one is a minute on.
      const skipped = yield* runsOf("invoke_snapshot_schedules")
      expect(skipped).toMatchObject([{ status: "skipped", started_at: at(60), error: "needs the Wazuh indexer (SOCKEYE_OPENSEARCH_URL)", counts: { skips: 1 } }])
      expect((yield* daemon.jobs.list()).find((j) => j.id === "invoke_snapshot_schedules")).toMatchObject({
        nextRunAt: at(120), lastRun: { status: "skipped", startedAt: at(60), durationMs: null, error: "needs the Wazuh indexer (SOCKEYE_OPENSEARCH_URL)" }
      })
      // Later skips for the same reason share the row: the history is not flooded.
      yield* advanceTo([daemon], 245)
      const coalesced = yield* daemon.jobs.runs("invoke_snapshot_schedules", undefined)
      expect(coalesced).toMatchObject([{ status: "skipped", startedAt: at(60), finishedAt: at(240), counts: { skips: 4 } }])
    }))

  it.scoped("a slot due while the job still runs on another daemon is skipped once, and the schedule moves on", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const release = yield* Deferred.make<void>()
      const started = yield* Ref.make<ReadonlyArray<number>>([])
      const job: JobDefinition = {
        id: "long", description: "test", defaultIntervalMinutes: 5, defaultEnabled: true,
        unavailable: Effect.succeed(undefined),
        run: () => Effect.gen(function*() {
          const all = yield* Ref.updateAndGet(started, (r) => [...r, 0])
          if (all.length === 1) yield* Deferred.await(release)
          return { run: all.length }
        })
      }
      const one = yield* startScheduler(db.url, [job])
      const two = yield* startScheduler(db.url, [job])
      yield* advanceTo([one, two], 295)
      yield* step([one, two])
      const [first] = yield* runsOf("long")
      expect(first).toMatchObject({ status: "running" })
      const runId = (yield* Effect.promise(() => query<{ id: number }>(db.url, "select id from sockeye_job_runs where job_id = 'long'")))[0]!.id
      // Slots at 600 and 900 come while run 1 holds the lock: both daemons see them due, one records each.
      for (let t = 305; t <= 905; t += 5) yield* step([one, two])
      const reason = `already running: run ${runId} on ${os.hostname()}:${process.pid}`
      expect((yield* runsOf("long")).map((r) => [r.status, r.error, r.counts])).toEqual([
        ["running", null, null], ["skipped", reason, { skips: 2 }]])
      expect((yield* one.jobs.list()).find((j) => j.id === "long")).toMatchObject({ running: true, nextRunAt: at(1200), lastRun: { status: "running" } })
      // jobs/run is refused with the same reason, and recorded.
      const refused = yield* Effect.flip(withSystemActor(two.jobs.run("long")))
      expect(refused).toMatchObject({ _tag: "Conflict", message: `job long is ${reason}` })
      yield* Deferred.succeed(release, undefined)
      yield* one.jobs.awaitIdle
      yield* two.jobs.awaitIdle
      expect((yield* one.jobs.list()).find((j) => j.id === "long")).toMatchObject({ running: false, lastRun: { status: "succeeded" } })
      // Not run late, right after the long one: the next run is the next slot.
      yield* advanceTo([one, two], 1195)
      expect((yield* Ref.get(started)).length).toBe(1)
      yield* advanceTo([one, two], 1200)
      expect((yield* Ref.get(started)).length).toBe(2)
      expect((yield* runsOf("long")).map((r) => r.status)).toEqual(["succeeded", "skipped", "skipped", "succeeded"])
      expect((yield* runsOf("long"))[2]!.error).toBe(`jobs/run: ${reason}`)
    }))
})
