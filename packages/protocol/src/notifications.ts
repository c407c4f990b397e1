import { Schema } from "effect"
import { notification } from "./Method.js"
import { Id } from "./model/common.js"

export const ChangeKind = Schema.Literal("created", "updated", "deleted")

export const AlertsChanged = notification({
  method: "alerts/changed",
  description: "Alerts the connection's user may see were created, updated or deleted.",
  params: Schema.Struct({ ids: Schema.Array(Id), kind: ChangeKind })
})

export const CasesChanged = notification({
  method: "cases/changed",
  description: "Cases the connection's user may see were created, updated or deleted.",
  params: Schema.Struct({ ids: Schema.Array(Id), kind: ChangeKind })
})

export const JobsChanged = notification({
  method: "jobs/changed",
  description: "A job started, finished or changed its settings.",
  params: Schema.Struct({ id: Schema.String, status: Schema.String })
})

export const serverNotifications = [AlertsChanged, CasesChanged, JobsChanged] as const
