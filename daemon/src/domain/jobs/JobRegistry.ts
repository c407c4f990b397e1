import { Context, Effect, Layer } from "effect"
import type { JobDefinition } from "./Job.js"

/**
 * Jobs defined outside this folder (ingestion's invoke_alert_creation_collect), added to the
 * built-in ones. A Reference, so a daemon that registers nothing still builds: the default is
 * none. Definitions here need nothing from the context; `registerJobs` binds theirs.
 */
export class JobRegistry extends Context.Reference<JobRegistry>()("Jobs/JobRegistry", {
  defaultValue: (): ReadonlyArray<JobDefinition> => []
}) {}

/** The definition with its requirements satisfied from `context`. */
export const bindJob = <R>(job: JobDefinition<R>, context: Context.Context<R>): JobDefinition => ({
  id: job.id,
  description: job.description,
  defaultIntervalMinutes: job.defaultIntervalMinutes,
  defaultEnabled: job.defaultEnabled,
  unavailable: Effect.provide(job.unavailable, context),
  run: (progress, run) => Effect.provide(job.run(progress, run), context)
})

/**
 * Registers jobs whose requirements the layer graph provides (e.g. `registerJobs(ingestJob)`).
 * One call with every job: a second layer replaces the first.
 */
export const registerJobs = <R>(...jobs: ReadonlyArray<JobDefinition<R>>) =>
  Layer.effect(JobRegistry, Effect.map(Effect.context<R>(), (context) => jobs.map((job) => bindJob(job, context))))
