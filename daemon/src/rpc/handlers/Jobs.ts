import { Effect } from "effect"
import { Jobs as Methods } from "@sockeye/protocol"
import { Jobs } from "../../domain/jobs/Jobs.js"
import { handle, type Handler } from "../Handler.js"
import { RequestProgress } from "../Progress.js"

export const jobsHandlers: ReadonlyArray<Handler> = [
  handle(Methods.JobsList, () => Effect.flatMap(Jobs, (j) => j.list())),
  handle(Methods.JobsUpdate, (p) => Effect.flatMap(Jobs, (j) => j.update(p))),
  // The run's $/progress goes on after the answer, until its end.
  handle(Methods.JobsRun, (p) => Effect.flatMap(Effect.all([Jobs, RequestProgress]), ([j, progress]) =>
    j.run(p.id, progress.token === undefined ? undefined : progress.report))),
  handle(Methods.JobsRuns, (p) => Effect.flatMap(Jobs, (j) => j.runs(p.id, p.limit)))
]
