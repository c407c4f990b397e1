import { Ingest as Methods } from "@sockeye/protocol"
import { Effect } from "effect"
import { Ingest } from "../../domain/ingest/Ingest.js"
import { describeCounts } from "../../domain/ingest/Pipeline.js"
import { withWorkDone } from "../../domain/jobs/Job.js"
import { handle, type Handler } from "../Handler.js"
import { RequestProgress } from "../Progress.js"

export const ingestHandlers: ReadonlyArray<Handler> = [
  handle(Methods.FieldNamesGet, (p) => Effect.flatMap(Ingest, (s) => s.fieldNamesGet(p.source))),
  handle(Methods.FieldNamesSet, (p) => Effect.flatMap(Ingest, (s) => s.fieldNamesSet(p.source, p.fields))),
  handle(Methods.Sources, () => Effect.flatMap(Ingest, (s) => s.sources())),
  handle(Methods.IngestRun, (p) => Effect.flatMap(Effect.all([Ingest, RequestProgress]), ([s, progress]) =>
    withWorkDone(progress.token === undefined ? undefined : progress.report, "ingest/run", (report) => s.runRequested(p.source, report), describeCounts))),
  handle(Methods.IngestFailures, (p) => Effect.flatMap(Ingest, (s) => s.failures(p.limit)))
]
