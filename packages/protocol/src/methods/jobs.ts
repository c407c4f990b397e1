import { Schema } from "effect"
import { mutation, query } from "../Method.js"
import { NoParams, Timestamp } from "../model/common.js"

const JobId = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255))

/**
 * skipped: the job did not run. Its slot came while it was unavailable (connector not
 * configured) or still running (here or on another daemon), or a jobs/run was refused. The
 * reason is in `error`. Consecutive skips for one reason share a row: `startedAt` is the first,
 * `finishedAt` the latest, `counts.skips` how many, `durationMs` null.
 */
export const JobRunStatus = Schema.Literal("running", "succeeded", "failed", "skipped").annotations({
  description: "running | succeeded | failed | skipped (did not run: the reason is in error; consecutive skips for one reason share a row, counts.skips)"
})

export const JobRun = Schema.Struct({
  runId: Schema.Int,
  jobId: Schema.String,
  status: JobRunStatus,
  startedAt: Timestamp,
  finishedAt: Schema.NullOr(Timestamp),
  durationMs: Schema.NullOr(Schema.Int),
  /** What the run did, e.g. {documents, created}. */
  counts: Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Number })),
  error: Schema.NullOr(Schema.String),
  /** Which daemon ran it. */
  runner: Schema.String
}).annotations({ identifier: "JobRun" })

export const Job = Schema.Struct({
  id: Schema.String,
  description: Schema.String,
  enabled: Schema.Boolean,
  intervalMinutes: Schema.Int,
  lastSuccess: Schema.NullOr(Timestamp),
  nextRunAt: Schema.NullOr(Timestamp),
  running: Schema.Boolean,
  /** The latest run that was not skipped; the latest skipped row only for a job that never ran. */
  lastRun: Schema.optional(Schema.Struct({
    status: JobRunStatus,
    startedAt: Timestamp,
    durationMs: Schema.NullOr(Schema.Int),
    error: Schema.optional(Schema.String)
  })),
  /** Why the job cannot run here (its connector is not configured); absent when it can. */
  unavailable: Schema.optional(Schema.String)
}).annotations({ identifier: "Job" })

export const JobsList = query({
  method: "jobs/list",
  description: "Every scheduled job with its settings, state, last and next run.",
  params: NoParams,
  result: Schema.Array(Job)
})

export const JobsUpdate = mutation({
  method: "jobs/update",
  description: "Enable or disable a job, or change its interval (admin or scheduler).",
  params: Schema.Struct({
    id: JobId,
    enabled: Schema.optional(Schema.Boolean),
    intervalMinutes: Schema.optional(Schema.Int.pipe(Schema.between(1, 10_080)))
  }),
  result: Job,
  audience: "adminOrScheduler",
  idempotent: true
})

export const JobsRun = mutation({
  method: "jobs/run",
  description: "Start a run of a job now; answers its runId at once. With a progressToken the run reports $/progress after the answer: begin, a report per step (percentage), end with the outcome; jobs/changed goes to every connection. A refusal (unavailable, already running) is recorded as a skipped run.",
  params: Schema.Struct({ id: JobId }),
  dryRun: { refused: "a job run works in the background, after the request and outside its transaction (SIEM reads and writes), so it cannot be rolled back; jobs/list shows the job's state" },
  result: Schema.Struct({ runId: Schema.Int }),
  audience: "adminOrScheduler"
})

export const JobsRuns = query({
  method: "jobs/runs",
  description: "A job's run history, newest first.",
  params: Schema.Struct({ id: JobId, limit: Schema.optional(Schema.Int.pipe(Schema.between(1, 500))) }),
  result: Schema.Array(JobRun)
})
