import { Data, type Effect } from "effect"

/**
 * Reports progress of a run (0..100) with an optional message. Logged at debug level for now:
 * handlers have no channel to the requesting connection, so it is not yet sent as $/progress.
 */
export type ReportProgress = (percentage: number, message?: string) => Effect.Effect<void>

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
