import { Schema } from "effect"
import { notification } from "./Method.js"
import { Id } from "./model/common.js"

export const ChangeKind = Schema.Literal("created", "updated", "deleted")

export const AlertsChanged = notification({
  method: "alerts/changed",
  description: "Alerts the connection's user may see were created, updated or deleted. Under load, changes of the same kind within 50 ms come as one notification.",
  params: Schema.Struct({ ids: Schema.Array(Id), kind: ChangeKind })
})

export const CasesChanged = notification({
  method: "cases/changed",
  description: "Cases the connection's user may see were created, updated or deleted. Under load, changes of the same kind within 50 ms come as one notification.",
  params: Schema.Struct({ ids: Schema.Array(Id), kind: ChangeKind })
})

export const JobsChanged = notification({
  method: "jobs/changed",
  description: "A job started, finished or changed its settings.",
  params: Schema.Struct({ id: Schema.String, status: Schema.String })
})

/** Names a piece of long work: set by the client as `progressToken` in any request's params. */
export const ProgressToken = Schema.Union(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)), Schema.Int)
  .annotations({ identifier: "ProgressToken" })
export type ProgressToken = typeof ProgressToken.Type

export const ProgressValue = Schema.Struct({
  kind: Schema.Literal("begin", "report", "end"),
  title: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  percentage: Schema.optional(Schema.Number.pipe(Schema.between(0, 100)))
}).annotations({ identifier: "ProgressValue" })
export type ProgressValue = typeof ProgressValue.Type

export const Progress = notification({
  method: "$/progress",
  description: "Progress of long work started by a request whose params carried `progressToken` (as LSP's workDoneToken); may go on after the response (jobs/run).",
  params: Schema.Struct({ token: ProgressToken, value: ProgressValue })
})

export const serverNotifications = [AlertsChanged, CasesChanged, JobsChanged, Progress] as const
