import { Effect } from "effect"
import { Files as Api } from "@sockeye/protocol"
import { Artifacts } from "../../domain/files/Artifacts.js"
import { Files } from "../../domain/files/Files.js"
import { Uploads, type CommitProgress } from "../../domain/files/Uploads.js"
import { handle, type Handler } from "../Handler.js"
import { RequestProgress } from "../Progress.js"

/** A commit's progress as $/progress begin / report / end to the requesting connection. */
const commitProgress = (title: string) =>
  Effect.map(RequestProgress, (progress): CommitProgress => (percentage, message) =>
    progress.report(
      percentage === 0
        ? { kind: "begin", title, message, percentage }
        : percentage >= 100
        ? { kind: "end", message }
        : { kind: "report", message, percentage }
    ))

export const filesHandlers: ReadonlyArray<Handler> = [
  handle(Api.CasesFilesList, (p) => Effect.flatMap(Files, (f) => f.listCase(p.caseId))),
  handle(Api.CasesFilesUploadBegin, ({ caseId, ...p }) => Effect.flatMap(Uploads, (u) => u.begin({ kind: "case_file", caseId }, p))),
  handle(Api.CasesFilesUploadChunk, (p) => Effect.flatMap(Uploads, (u) => u.chunk("case_file", p))),
  handle(Api.CasesFilesUploadCommit, (p) =>
    Effect.flatMap(Effect.zip(Uploads, commitProgress("Storing the case file")), ([u, progress]) => u.commit("case_file", p.uploadId, progress))),
  handle(Api.CasesFilesUploadAbort, (p) => Effect.flatMap(Uploads, (u) => u.abort("case_file", p.uploadId))),
  handle(Api.CasesFilesDownload, ({ fileId, ...range }) => Effect.flatMap(Files, (f) => f.downloadCase(fileId, range))),
  handle(Api.CasesFilesDelete, (p) => Effect.flatMap(Files, (f) => f.remove("case_file", p.fileId))),
  handle(Api.ReportTemplatesList, () => Effect.flatMap(Files, (f) => f.listTemplates())),
  handle(Api.ReportTemplatesUploadBegin, (p) => Effect.flatMap(Uploads, (u) => u.begin({ kind: "report_template" }, p))),
  handle(Api.ReportTemplatesUploadChunk, (p) => Effect.flatMap(Uploads, (u) => u.chunk("report_template", p))),
  handle(Api.ReportTemplatesUploadCommit, (p) =>
    Effect.flatMap(Effect.zip(Uploads, commitProgress("Storing the report template")), ([u, progress]) => u.commit("report_template", p.uploadId, progress))),
  handle(Api.ReportTemplatesUploadAbort, (p) => Effect.flatMap(Uploads, (u) => u.abort("report_template", p.uploadId))),
  handle(Api.ReportTemplatesDownload, ({ templateId, ...range }) => Effect.flatMap(Files, (f) => f.downloadTemplate(templateId, range))),
  handle(Api.ReportTemplatesDelete, (p) => Effect.flatMap(Files, (f) => f.remove("report_template", p.templateId))),
  handle(Api.ArtifactsList, (p) => Effect.flatMap(Artifacts, (a) => a.list(p))),
  handle(Api.ArtifactsDownload, (p) => Effect.flatMap(Artifacts, (a) => a.download(p)))
]
