import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Cause, Clock, Duration, Effect, Exit, FiberMap, Option, Scope } from "effect"
import * as os from "node:os"
import { processAlive } from "../../lib/processAlive.js"
import { publishChange } from "../Changes.js"
import { JobFailed, reportTo, type JobDefinition, type JobRunContext, type ProgressSink } from "./Job.js"
import { epochSeconds, JobsRepo, type RunningRow } from "./JobsRepo.js"
import { tryLock, type HeldLock } from "./RunLock.js"

/** How often a running job proves its daemon alive; three missed beats make it stale. */
export const HEARTBEAT_EVERY = Duration.seconds(10)
export const STALE_AFTER_MS = 3 * Duration.toMillis(HEARTBEAT_EVERY)

/** This daemon, as sockeye_job_runs.runner names it. */
export const runnerName = `${os.hostname()}:${process.pid}`

export type AttemptOutcome =
  | { readonly _tag: "Started"; readonly runId: number }
  /** Another session holds the lock, or a live run of the job exists. */
  | { readonly _tag: "Busy" }
  /** The lock was free but there was nothing to run (not due, disabled, unavailable). */
  | { readonly _tag: "Idle" }

export interface AttemptOptions<R> {
  /** tick: run if still due; manual: run now; sweep: only clear dead runs. */
  readonly mode: "tick" | "manual" | "sweep"
  readonly now: Date
  /** Inside the transaction that records the start (jobs/run audits there). */
  readonly onStart?: (runId: number) => Effect.Effect<void, never, R>
  /** tick: the next_run_time the tick read, so that a slot met while the job runs is skipped once. */
  readonly seenNextRun?: number | null
  /** Receives the run's begin, reports and end (jobs/run's $/progress), after attempt returns too. */
  readonly progress?: ProgressSink
}

const currentDate = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))

/** Why a running row belongs to a daemon that died, or undefined if it may still be alive. */
export const deadRunner = (row: RunningRow, now: Date): string | undefined => {
  if (now.getTime() - row.heartbeatAt.getTime() > STALE_AFTER_MS) {
    return `runner died: ${row.runner} sent no heartbeat since ${row.heartbeatAt.toISOString()}`
  }
  const at = row.runner.lastIndexOf(":")
  const host = row.runner.slice(0, at)
  const pid = Number(row.runner.slice(at + 1))
  if (host === os.hostname() && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) {
    return `runner died: process ${pid} on ${host} is gone`
  }
  return undefined
}

const describeError = (error: unknown): string => {
  if (typeof error === "string") return error
  if (error instanceof Error || (typeof error === "object" && error !== null && "message" in error)) {
    const e = error as { _tag?: unknown; message?: unknown; cause?: unknown }
    // A tagged error's tag, or a built-in error's name (TypeError), says what kind of failure it was.
    const kind = typeof e._tag === "string" ? e._tag : error instanceof Error ? error.name : "Error"
    const tag = kind === "JobFailed" || kind === "Error" ? "" : `${kind}: `
    const cause = e.cause instanceof Error && e.cause.message !== e.message ? ` (${e.cause.message})` : ""
    return `${tag}${String(e.message)}${cause}`
  }
  try {
    return JSON.stringify(error)
  } catch {
    return String(error)
  }
}

/** One line for the history: the failure, the defect, or the interruption. */
export const describeCause = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return describeError(failure.value).slice(0, 4000)
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) return `defect: ${describeError(defect.value)}`.slice(0, 4000)
  if (Cause.isInterrupted(cause)) return "interrupted: the daemon stopped during the run"
  return Cause.pretty(cause).slice(0, 4000)
}

/** The $/progress end message: the outcome as jobs/runs will show it. */
const endMessage = (runId: number, exit: Exit.Exit<Record<string, number>, unknown>) =>
  Exit.isSuccess(exit)
    ? `run ${runId} succeeded${Object.keys(exit.value).length > 0 ? `: ${Object.entries(exit.value).map(([k, v]) => `${k} ${v}`).join(", ")}` : ""}`
    : `run ${runId} failed: ${describeCause(exit.cause)}`

/**
 * Starts runs under the job's advisory lock and sees them through: the history row, heartbeats
 * on the lock's connection, the outcome, last_success. Runs live in this service's scope: when
 * the daemon stops they are interrupted and recorded as failed.
 */
export class Runner extends Effect.Service<Runner>()("Jobs/Runner", {
  scoped: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const repo = yield* JobsRepo
    const active = yield* FiberMap.make<string>()

    /** Marks the job's dead runs failed; answers how many live ones remain. */
    const sweep = (job: JobDefinition, now: Date) =>
      Effect.gen(function*() {
        const rows = yield* repo.runningRows(job.id)
        let live = 0
        for (const row of rows) {
          const reason = deadRunner(row, now)
          if (reason === undefined) {
            live++
            continue
          }
          yield* Effect.logWarning(`job ${job.id}: run ${row.id} marked failed (${reason})`)
          yield* sql.withTransaction(Effect.zipRight(
            repo.markFailed([row.id], now, reason),
            publishChange({ entity: "job", kind: "updated", ids: [job.id], status: "failed" })))
        }
        return live
      })

    /** A skipped slot in the history (coalesced per reason), announced as jobs/changed. */
    const recordSkip = (job: JobDefinition, now: Date, reason: string) =>
      Effect.gen(function*() {
        const runId = yield* repo.recordSkip(job.id, now, reason, runnerName)
        yield* publishChange({ entity: "job", kind: "updated", ids: [job.id], status: "skipped" })
        yield* repo.prune(job.id)
        return runId
      })

    /** The job's live run (not a dead daemon's), as skips and refusals name it. */
    const liveRun = (job: JobDefinition, now: Date) =>
      Effect.map(repo.runningRows(job.id), (rows) => {
        const live = rows.find((row) => deadRunner(row, now) === undefined)
        return live && `already running: run ${live.id} on ${live.runner}`
      })

    /**
     * A due slot that meets a run still in progress (here, or on the daemon holding the lock) is
     * skipped and the schedule moves one interval on, as APScheduler does at max_instances=1:
     * running it late, right after the long run, would put two runs back to back. Only the
     * daemon whose compare-and-set moves the slot records it. Answers whether it did.
     */
    const skipRunningSlot = (job: JobDefinition, intervalMinutes: number, now: Date, seenNextRun: number | null) =>
      Effect.gen(function*() {
        const reason = yield* liveRun(job, now)
        // No run visible yet: the lock's holder is starting this very slot (or sweeping).
        if (reason === undefined) return false
        const skipped = yield* sql.withTransaction(Effect.gen(function*() {
          if (!(yield* repo.advanceIfNext(job.id, seenNextRun, epochSeconds(now) + intervalMinutes * 60))) return false
          yield* recordSkip(job, now, reason)
          return true
        }))
        if (skipped) yield* Effect.logWarning(`job ${job.id}: slot skipped (${reason})`)
        return skipped
      }).pipe(Effect.provide(context))

    /** jobs/run refused (unavailable, or already running): the history says so too. */
    const skipManual = (job: JobDefinition, now: Date, reason: string) =>
      sql.withTransaction(recordSkip(job, now, reason)).pipe(Effect.asVoid, Effect.provide(context))

    /** Why a job is busy, for jobs/run's refusal and its skipped row. */
    const busyReason = (job: JobDefinition, now: Date) =>
      Effect.map(liveRun(job, now), (reason) => reason ?? "already running").pipe(Effect.provide(context))

    const heartbeat = (runId: number, lock: HeldLock) =>
      Effect.forever(Effect.gen(function*() {
        yield* Effect.sleep(HEARTBEAT_EVERY)
        yield* lock.onLockConnection(repo.heartbeat(runId, yield* currentDate))
      })).pipe(Effect.mapError((error) => new JobFailed({ message: `lost the lock's connection: ${error.message}`, counts: {} })))

    const finish = (job: JobDefinition, runId: number, exit: Exit.Exit<Record<string, number>, unknown>) =>
      Effect.gen(function*() {
        const now = yield* currentDate
        const status = Exit.isSuccess(exit) ? "succeeded" : "failed"
        const error = Exit.isSuccess(exit) ? null : describeCause(exit.cause)
        const counts = Exit.isSuccess(exit)
          ? exit.value
          : Option.match(Cause.failureOption(exit.cause), {
            onNone: () => null,
            onSome: (e) => e instanceof JobFailed && Object.keys(e.counts).length > 0 ? e.counts : null
          })
        yield* sql.withTransaction(Effect.gen(function*() {
          yield* repo.finishRun(runId, status, now, counts, error)
          if (status === "succeeded") yield* repo.setLastSuccess(job.id, now)
          yield* publishChange({ entity: "job", kind: "updated", ids: [job.id], status })
        }))
        yield* repo.prune(job.id)
        if (error === null) yield* Effect.logInfo(`job ${job.id}: run ${runId} succeeded`, counts)
        else yield* Effect.logError(`job ${job.id}: run ${runId} failed: ${error}`)
      }).pipe(Effect.catchAllCause((cause) => Effect.logError(`job ${job.id}: recording the end of run ${runId} failed`, cause)))

    const execute = (job: JobDefinition, run: JobRunContext, lock: HeldLock, sink: ProgressSink | undefined) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          yield* Effect.logInfo(`job ${job.id}: run ${run.runId} started (${run.trigger})`)
          if (sink) yield* sink({ kind: "begin", title: `${job.id}: run ${run.runId}`, percentage: 0 })
          const progress = reportTo(sink, (percentage, message) =>
            Effect.logDebug(`job ${job.id}: ${percentage}%${message ? ` ${message}` : ""}`))
          const exit = yield* restore(Effect.raceFirst(job.run(progress, run), heartbeat(run.runId, lock))).pipe(Effect.exit)
          yield* finish(job, run.runId, exit)
          if (sink) yield* sink({ kind: "end", message: endMessage(run.runId, exit) })
        }))

    /**
     * Takes the job's lock and, if it is free, clears dead runs and starts one (per the mode).
     * Uninterruptible: once a run is recorded, its fiber owns the lock and must record the end.
     */
    const attempt = <R = never>(
      job: JobDefinition, intervalMinutes: number, options: AttemptOptions<R>
    ): Effect.Effect<AttemptOutcome, SqlError, R> =>
      Effect.uninterruptible(Effect.gen(function*() {
        const scope = yield* Scope.make()
        return yield* Effect.gen(function*() {
          const lock = yield* Scope.extend(tryLock(job.id), scope)
          if (Option.isNone(lock)) {
            if (options.mode === "tick" && options.seenNextRun !== undefined) {
              yield* skipRunningSlot(job, intervalMinutes, options.now, options.seenNextRun)
            }
            return { _tag: "Busy" } as AttemptOutcome
          }
          if ((yield* sweep(job, options.now)) > 0) return { _tag: "Busy" } as AttemptOutcome
          if (options.mode === "sweep") return { _tag: "Idle" } as AttemptOutcome
          let interval = intervalMinutes
          let scheduledAt = options.now
          if (options.mode === "tick") {
            // Re-read under the lock: another daemon may have just run this slot.
            const [state] = yield* repo.states([job.id])
            const nowSec = epochSeconds(options.now)
            if (!state || !state.enabled || (state.nextRunTime !== null && state.nextRunTime > nowSec)) {
              return { _tag: "Idle" } as AttemptOutcome
            }
            interval = state.timeInterval
            // The slot the run is for, which a late tick (or a daemon that was down) runs after its time.
            if (state.nextRunTime !== null) scheduledAt = new Date(state.nextRunTime * 1000)
            const reason = yield* job.unavailable
            if (reason !== undefined) {
              yield* Effect.logDebug(`job ${job.id}: not run: ${reason}`)
              yield* sql.withTransaction(Effect.zipRight(repo.setNextRun(job.id, nowSec + interval * 60), recordSkip(job, options.now, reason)))
              return { _tag: "Idle" } as AttemptOutcome
            }
          }
          const runId = yield* sql.withTransaction(Effect.gen(function*() {
            const id = yield* repo.insertRun(job.id, options.now, runnerName)
            // A manual run leaves the schedule alone, as CoPilot's run-now does.
            if (options.mode === "tick") yield* repo.setNextRun(job.id, epochSeconds(options.now) + interval * 60)
            if (options.onStart) yield* options.onStart(id)
            yield* publishChange({ entity: "job", kind: "updated", ids: [job.id], status: "running" })
            return id
          }))
          const run: JobRunContext = {
            runId, intervalMinutes: interval, scheduledAt, trigger: options.mode === "tick" ? "schedule" : "manual"
          }
          // Forked from this uninterruptible region, so made interruptible again: shutdown stops it.
          yield* FiberMap.run(active, job.id, Effect.interruptible(execute(job, run, lock.value, options.progress)).pipe(
            Effect.ensuring(Scope.close(scope, Exit.void)),
            Effect.annotateLogs({ module: "scheduler", job: job.id, scheduledAt: scheduledAt.toISOString() }),
            Effect.withSpan("Jobs.execute", { attributes: { job: job.id, runId } })
          ))
          return { _tag: "Started", runId } as AttemptOutcome
        }).pipe(Effect.onExit((exit) =>
          Exit.isSuccess(exit) && exit.value._tag === "Started" ? Effect.void : Scope.close(scope, exit)))
      })).pipe(
        Effect.provide(context),
        Effect.annotateLogs({ module: "scheduler", job: job.id, scheduledAt: options.now.toISOString() })
      )

    return {
      attempt,
      skipRunningSlot,
      skipManual,
      busyReason,
      /** A run of the job is in progress in this daemon. */
      isActive: (jobId: string) => FiberMap.unsafeHas(active, jobId),
      /** Waits until no run is in progress in this daemon. */
      awaitIdle: FiberMap.awaitEmpty(active)
    } as const
  }),
  dependencies: [JobsRepo.Default]
}) {}
