import { Effect } from "effect"
import { Jobs as Methods } from "@sockeye/protocol"
import { Jobs } from "../../domain/jobs/Jobs.js"
import { handle, type Handler } from "../Handler.js"

export const jobsHandlers: ReadonlyArray<Handler> = [
  handle(Methods.JobsList, () => Effect.flatMap(Jobs, (j) => j.list())),
  handle(Methods.JobsUpdate, (p) => Effect.flatMap(Jobs, (j) => j.update(p))),
  handle(Methods.JobsRun, (p) => Effect.flatMap(Jobs, (j) => j.run(p.id))),
  handle(Methods.JobsRuns, (p) => Effect.flatMap(Jobs, (j) => j.runs(p.id, p.limit)))
]
