import { Cause, Data, Effect, Exit, Option } from "effect"
import type { Notifications } from "@sockeye/protocol"

/**
 * Reports progress of a run (0..100) with an optional message: logged at debug level, and sent
 * as a $/progress report when the run was started by a request with a progressToken.
 */
export type ReportProgress = (percentage: number, message?: string) => Effect.Effect<void>

/** Where a run's progress goes: the requesting connection's $/progress (a no-op without a token). */
export type ProgressSink = (value: Notifications.ProgressValue) => Effect.Effect<void>

/**
 * A ReportProgress that sends `report` values to the sink: rounded, within 0..100, and never
 * backwards (a job's phases estimate, and clients draw a bar).
 */
export const reportTo = (sink: ProgressSink | undefined, log: ReportProgress = () => Effect.void): ReportProgress => {
  let last = 0
  return (percentage, message) => {
    last = Math.max(last, Math.min(100, Math.round(percentage)))
    const value = { kind: "report" as const, percentage: last, ...(message !== undefined ? { message } : {}) }
    return Effect.zipRight(log(last, message), sink ? sink(value) : Effect.void)
  }
}

/**
 * Work reported as begin, reports and end on the sink (ingest/run): `end` carries the outcome,
 * `describe`'s words on success, the error's message on failure.
 */
export const withWorkDone = <A, E, R>(
  sink: ProgressSink | undefined,
  title: string,
  work: (progress: ReportProgress) => Effect.Effect<A, E, R>,
  describe: (a: A) => string
): Effect.Effect<A, E, R> =>
  sink === undefined ? work(reportTo(undefined)) : Effect.zipRight(
    sink({ kind: "begin", title, percentage: 0 }),
    work(reportTo(sink)).pipe(Effect.onExit((exit) =>
      sink({
        kind: "end",
        message: Exit.isSuccess(exit) ? describe(exit.value)
          : `failed: ${Option.match(Cause.failureOption(exit.cause), {
            onNone: () => Cause.isInterruptedOnly(exit.cause) ? "cancelled" : "internal error",
            onSome: (e) => (typeof e === "object" && e !== null && "message" in e ? String(e.message) : String(e))
          })}`
      }))))

/** What the scheduler knows about the run it starts; a job may ignore it. */
export interface JobRunContext {
  readonly runId: number
  /** The job's current interval (an admin may have changed the default). */
  readonly intervalMinutes: number
  /** The slot the run is for: its due time for a scheduled run, the request time for jobs/run. */
  readonly scheduledAt: Date
  readonly trigger: "schedule" | "manual"
}

/**
 * A job the scheduler knows: its CoPilot id (scheduled_job_metadata.job_id), default interval,
 * and what a run does. `available` says why it cannot run here (its connector is not configured),
 * or undefined when it can. A run returns counts for the history (e.g. {documents, created}).
 */
export interface JobDefinition<R = never> {
  readonly id: string
  readonly description: string
  readonly defaultIntervalMinutes: number
  readonly defaultEnabled: boolean
  readonly unavailable: Effect.Effect<string | undefined, never, R>
  readonly run: (progress: ReportProgress, context: JobRunContext) => Effect.Effect<Record<string, number>, unknown, R>
}

/**
 * A run that failed after doing part of its work: the history keeps its counts beside the error
 * (e.g. 3 snapshot schedules ran, 1 failed).
 */
export class JobFailed extends Data.TaggedError("JobFailed")<{
  readonly message: string
  readonly counts: Record<string, number>
}> {}
