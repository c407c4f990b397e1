import type { Effect } from "effect"

/** Reports progress of a run (0..100) with an optional message; shown as $/progress. */
export type ReportProgress = (percentage: number, message?: string) => Effect.Effect<void>

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
  readonly run: (progress: ReportProgress) => Effect.Effect<Record<string, number>, unknown, R>
}
