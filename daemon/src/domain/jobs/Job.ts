import { Data, type Effect } from "effect"

/**
 * Reports progress of a run (0..100) with an optional message: logged at debug level, and sent
 * as a $/progress report when the run was started by a request with a progressToken.
 */
export type ReportProgress = (percentage: number, message?: string) => Effect.Effect<void>

/** One $/progress value (PROTOCOL.md), as LSP's work-done progress. */
export interface ProgressValue {
  readonly kind: "begin" | "report" | "end"
  readonly title?: string
  readonly message?: string
  readonly percentage?: number
}

/** Where a run's progress goes: the requesting connection's $/progress (a no-op without a token). */
export type ProgressSink = (value: ProgressValue) => Effect.Effect<void>

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
