import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Effect, Option, Stream, SubscriptionRef } from "effect"
import { Conflict, NotFound, Unavailable, type Jobs as Methods } from "@sockeye/protocol"
import { SiemIndex } from "../../connectors/siem/SiemIndex.js"
import { audit } from "../Audit.js"
import { publishChange } from "../Changes.js"
import type { JobDefinition, ProgressSink } from "./Job.js"
import { bindJob, JobRegistry } from "./JobRegistry.js"
import { epochSeconds, JobsRepo, type JobStateRow, type RunRow } from "./JobsRepo.js"
import { fieldLimitConfig, fieldLimitJob, licenseCacheJob } from "./MaintenanceJobs.js"
import { Runner } from "./Runner.js"
import { snapshotJob } from "./SnapshotJob.js"
import { retryingTransaction } from "../../db/Transaction.js"

type Job = typeof Methods.Job.Type
type JobRun = typeof Methods.JobRun.Type

const DEFAULT_RUNS_LIMIT = 50
/** Jobs whose lock a tick tries at once; the rest wait for a connection of the pool. */
const TICK_CONCURRENCY = 4

const currentDate = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))
const notFound = (id: string) => new NotFound({ message: `job ${id} not found` })

const toJob = (def: JobDefinition, row: JobStateRow, unavailable: string | undefined): Job => ({
  id: def.id,
  description: row.jobDescription ?? def.description,
  enabled: row.enabled,
  intervalMinutes: row.timeInterval,
  lastSuccess: row.lastSuccess,
  nextRunAt: row.nextRunTime === null ? null : new Date(row.nextRunTime * 1000),
  running: row.running,
  ...(row.lastStatus !== null && row.lastStartedAt !== null
    ? {
      lastRun: {
        status: row.lastStatus,
        startedAt: row.lastStartedAt,
        durationMs: durationOf(row.lastStatus, row.lastStartedAt, row.lastFinishedAt),
        ...(row.lastError !== null ? { error: row.lastError } : {})
      }
    }
    : {}),
  ...(unavailable !== undefined ? { unavailable } : {})
})

/** A skipped row spans its coalesced skips (first to latest): no run, so no duration. */
const durationOf = (status: string, startedAt: Date, finishedAt: Date | null) =>
  status !== "skipped" && finishedAt ? finishedAt.getTime() - startedAt.getTime() : null

const toJobRun = (row: RunRow): JobRun => ({
  runId: row.runId,
  jobId: row.jobId,
  status: row.status,
  startedAt: row.startedAt,
  finishedAt: row.finishedAt,
  durationMs: durationOf(row.status, row.startedAt, row.finishedAt),
  counts: row.counts,
  error: row.error,
  runner: row.runner
})

/**
 * The scheduler's jobs: the built-in maintenance jobs and those registered through JobRegistry,
 * their settings in scheduled_job_metadata, and their runs. `tick` is what every daemon's loop
 * calls (Scheduler.ts); a run happens once across daemons because it needs the job's lock.
 */
export class Jobs extends Effect.Service<Jobs>()("Jobs/Jobs", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const repo = yield* JobsRepo
    const runner = yield* Runner
    const siem = yield* Effect.serviceOption(SiemIndex)
    const fieldLimit = yield* Effect.orDie(fieldLimitConfig)
    const builtin = [snapshotJob(siem), fieldLimitJob(siem, fieldLimit), licenseCacheJob].map((job) => bindJob(job, context))
    const byId = new Map<string, JobDefinition>()
    for (const job of [...builtin, ...(yield* JobRegistry)]) {
      if (byId.has(job.id)) yield* Effect.logWarning(`job ${job.id} is registered twice; the first definition is kept`)
      else byId.set(job.id, job)
    }
    const definitions = [...byId.values()]
    const ids = definitions.map((d) => d.id)
    const ticks = yield* SubscriptionRef.make(0)
    let schemaReady = false
    let registered = false

    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      retryingTransaction(sql, effect).pipe(Effect.catchTag("SqlError", (e) => Effect.die(e)), Effect.provide(context))

    /** Inserts the settings rows of jobs that have none (first start, or a job new in this version). */
    const ensureRegistered = Effect.gen(function*() {
      if (registered) return
      const now = yield* currentDate
      yield* transaction(Effect.forEach(definitions, (def) => repo.register(def, now), { discard: true }))
      registered = true
    })

    const lookup = (id: string) => Option.fromNullable(byId.get(id))

    /** Every job's state; a settings row deleted by hand is put back with the job's defaults. */
    const allStates = Effect.gen(function*() {
      yield* ensureRegistered
      const rows = yield* repo.states(ids)
      if (rows.length === ids.length) return rows
      registered = false
      yield* ensureRegistered
      return yield* repo.states(ids)
    })

    const jobsOf = (rows: ReadonlyArray<JobStateRow>) =>
      Effect.forEach(rows, (row) => {
        const def = byId.get(row.jobId)!
        return Effect.map(def.unavailable, (reason) => toJob(def, row, reason))
      })

    const list = Effect.fn("Jobs.list")(function*() {
      return yield* jobsOf(yield* allStates.pipe(Effect.orDie))
    })

    const get = (id: string) =>
      Effect.flatMap(repo.states([id]).pipe(Effect.orDie), (rows) =>
        rows.length === 0 ? Effect.fail(notFound(id)) : Effect.map(jobsOf(rows), (jobs) => jobs[0]!))

    /**
     * Enables, disables or re-times a job. Disabling clears next_run_time (APScheduler's paused
     * job has none); enabling schedules a run one interval from now; a new interval moves the
     * next run to one new interval after the last slot, so a shorter interval can make it due.
     */
    const update = Effect.fn("Jobs.update")(function*(params: typeof Methods.JobsUpdate.params.Type) {
      if (!byId.has(params.id)) return yield* notFound(params.id)
      yield* ensureRegistered
      const nowSec = epochSeconds(yield* currentDate)
      yield* transaction(Effect.gen(function*() {
        const current = yield* repo.lockSettings(params.id)
        if (!current) return yield* notFound(params.id)
        const enabled = params.enabled ?? current.enabled
        const interval = params.intervalMinutes ?? current.timeInterval
        const next = !enabled
          ? null
          : !current.enabled || current.nextRunTime === null
          ? nowSec + interval * 60
          : current.nextRunTime + (interval - current.timeInterval) * 60
        yield* repo.saveSettings(params.id, enabled, interval, next)
        yield* audit("jobs/update", `job ${params.id}: enabled ${current.enabled} -> ${enabled}, interval ${current.timeInterval} -> ${interval} minutes`)
        yield* publishChange({ entity: "job", kind: "updated", ids: [params.id], status: enabled ? "enabled" : "disabled" })
      }))
      return yield* get(params.id)
    })

    /**
     * Starts a run now, in the background; the same lock as the schedule's, so never twice at
     * once. A refusal (unavailable, already running) is answered and recorded as a skipped run.
     * `progress` gets the run's begin, reports and end, which outlive the answer.
     */
    const run = Effect.fn("Jobs.run")(function*(id: string, progress?: ProgressSink) {
      const def = lookup(id)
      if (Option.isNone(def)) return yield* notFound(id)
      yield* ensureRegistered
      const now = yield* currentDate
      const busy = Effect.gen(function*() {
        const reason = yield* runner.busyReason(def.value, now).pipe(Effect.orDie)
        yield* runner.skipManual(def.value, now, `jobs/run: ${reason}`).pipe(Effect.orDie)
        return yield* new Conflict({ message: `job ${id} is ${reason}` })
      })
      if (runner.isActive(id)) return yield* busy
      const reason = yield* def.value.unavailable
      if (reason !== undefined) {
        yield* runner.skipManual(def.value, now, reason).pipe(Effect.orDie)
        return yield* new Unavailable({ message: `job ${id} cannot run: ${reason}` })
      }
      const [state] = yield* repo.states([id]).pipe(Effect.orDie)
      const outcome = yield* runner.attempt(def.value, state?.timeInterval ?? def.value.defaultIntervalMinutes, {
        mode: "manual",
        now,
        onStart: (runId) => Effect.provide(audit("jobs/run", `job ${id}: run ${runId} started`), context),
        ...(progress ? { progress } : {})
      }).pipe(Effect.orDie)
      if (outcome._tag !== "Started") return yield* busy
      return { runId: outcome.runId }
    })

    const runs = Effect.fn("Jobs.runs")(function*(id: string, limit: number | undefined) {
      if (!byId.has(id)) return yield* notFound(id)
      const rows = yield* repo.runs(id, limit ?? DEFAULT_RUNS_LIMIT).pipe(Effect.orDie)
      return rows.map(toJobRun)
    })

    /**
     * One pass of the schedule: every job that is due (or has a run whose daemon may have died)
     * and is not running here gets an attempt; attempts start runs in the background and return.
     */
    const tick = Effect.fn("Jobs.tick")(function*() {
      if (!schemaReady) schemaReady = yield* repo.schemaReady
      if (!schemaReady) return yield* Effect.logDebug("scheduler: waiting for migrations")
      const rows = yield* allStates
      const now = yield* currentDate
      const nowSec = epochSeconds(now)
      const due = (row: JobStateRow) => row.enabled && (row.nextRunTime === null || row.nextRunTime <= nowSec)
      const candidates = rows.filter((row) => due(row) || (row.running && !runner.isActive(row.jobId)))
      yield* Effect.forEach(candidates, (row) => {
        const def = byId.get(row.jobId)!
        // A slot due while this daemon still runs the job is skipped; elsewhere, attempt finds the lock held.
        const attempt: Effect.Effect<unknown, SqlError> = runner.isActive(row.jobId)
          ? runner.skipRunningSlot(def, row.timeInterval, now, row.nextRunTime)
          : runner.attempt(def, row.timeInterval, { mode: due(row) ? "tick" : "sweep", now, seenNextRun: row.nextRunTime })
        return attempt.pipe(Effect.catchAllCause((cause) => Effect.logError(`scheduler: job ${row.jobId} could not start`, cause)))
      }, { concurrency: TICK_CONCURRENCY, discard: true })
    }, Effect.ensuring(SubscriptionRef.update(ticks, (n) => n + 1)))

    return {
      definitions,
      list,
      update,
      run,
      runs,
      tick,
      /** Waits until this daemon has completed `count` ticks (tests drive the loop by the clock). */
      awaitTicks: (count: number) =>
        ticks.changes.pipe(Stream.filter((n) => n >= count), Stream.take(1), Stream.runDrain),
      /** Waits until no run is in progress in this daemon. */
      awaitIdle: runner.awaitIdle
    } as const
  }),
  dependencies: [JobsRepo.Default, Runner.Default]
}) {}
