import { Schema } from "effect"
import { mutation, query } from "../Method.js"
import { Id, NoParams, Timestamp } from "../model/common.js"
import { CaseFile, CustomerCode } from "../model/Incident.js"

/** Largest chunk one upload/chunk request may carry, and one download request may ask for (decoded bytes). */
export const MAX_CHUNK_BYTES = 8 * 1024 * 1024
/** What a download returns when `length` is not given. */
export const DEFAULT_DOWNLOAD_BYTES = 4 * 1024 * 1024

/**
 * A file name as it becomes the last segment of an object key (`<case_id>/<file_name>`): one
 * segment, so no `/` or `\`, not `.` or `..`, no control characters (NUL included), at most the
 * 255 characters of the datastore's file_name column.
 */
export const FileName = Schema.String.pipe(
  Schema.minLength(1),
  Schema.maxLength(255),
  Schema.filter((name) => {
    if (name === "." || name === "..") return "a file name may not be . or .."
    if (/[/\\]/.test(name)) return "a file name may not contain / or \\"
    if (/[\u0000-\u001f\u007f]/.test(name)) return "a file name may not contain control characters"
    if (name.trim() !== name) return "a file name may not start or end with white space"
    return true
  })
).annotations({ identifier: "FileName", description: "one path segment: no / \\ or control characters, not . or .., at most 255 characters" })

/** SHA-256 of the whole file, lowercase hex. */
export const Sha256 = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)).annotations({
  identifier: "Sha256", description: "SHA-256 of the whole file, 64 lowercase hex digits"
})

/** A pending upload's id, as `upload/begin` returned it. */
export const UploadId = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)).annotations({ identifier: "UploadId" })

const ByteOffset = Schema.Int.pipe(Schema.nonNegative())

const base64Alphabet = new Uint8Array(128)
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") base64Alphabet[c.charCodeAt(0)] = 1

/**
 * Padded base64, checked a character at a time: half the time of the regular expression it
 * replaced on a 5.6 MB chunk, and no Buffer (the protocol package also runs outside Node).
 */
export const isBase64 = (s: string): boolean => {
  if (s.length % 4 !== 0) return false
  const end = s.endsWith("==") ? s.length - 2 : s.endsWith("=") ? s.length - 1 : s.length
  for (let i = 0; i < end; i++) {
    const code = s.charCodeAt(i)
    if (code >= 128 || base64Alphabet[code] === 0) return false
  }
  return true
}

/** Base64 (RFC 4648, with padding) of at most MAX_CHUNK_BYTES bytes. */
export const Base64Chunk = Schema.String.pipe(
  Schema.maxLength(Math.ceil(MAX_CHUNK_BYTES / 3) * 4),
  Schema.filter((s) => isBase64(s) || "base64 with padding")
).annotations({ identifier: "Base64Chunk" })

const ContentType = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(100), Schema.pattern(/^[\x21-\x7e]+\/[\x21-\x7e]+$/))

/** Why a dry run cannot preview these: their effects reach the blob store, outside PostgreSQL's rollback. */
const blobEffects = { refused: "it writes or removes objects in the blob store, which a rolled-back transaction cannot undo" }

const uploadFields = {
  fileName: FileName,
  /** Bytes in the whole file; at most the daemon's SOCKEYE_MAX_UPLOAD_BYTES. */
  size: ByteOffset,
  sha256: Sha256,
  /** Stored as the row's content_type; default application/octet-stream. */
  contentType: Schema.optional(ContentType),
  /** Overwrite a file of the same name; without it a same-name upload is -32009. */
  replace: Schema.optional(Schema.Boolean)
}

export const UploadBegun = Schema.Struct({
  uploadId: Schema.String,
  /** The id of the file this upload would overwrite (replace: true), else null. */
  replaces: Schema.NullOr(Id)
}).annotations({ identifier: "UploadBegun" })

const ChunkParams = Schema.Struct({
  uploadId: UploadId,
  /** Where the chunk starts; must be the number of bytes received so far (chunks come in order). */
  offset: ByteOffset,
  data: Base64Chunk
})
export const ChunkReceived = Schema.Struct({
  /** Bytes received so far: the next chunk's offset. */
  received: Schema.Int,
  size: Schema.Int
}).annotations({ identifier: "ChunkReceived" })

const CommitParams = Schema.Struct({ uploadId: UploadId })
const AbortParams = Schema.Struct({ uploadId: UploadId })

const downloadRange = {
  offset: Schema.optional(ByteOffset),
  length: Schema.optional(Schema.Int.pipe(Schema.between(1, MAX_CHUNK_BYTES)))
}

export const DownloadChunk = Schema.Struct({
  /** Base64 of the bytes from `offset`. */
  data: Schema.String,
  /** True when this chunk reaches the end of the file. */
  eof: Schema.Boolean,
  /** The whole file's size and SHA-256, to check a reassembled download against. */
  size: Schema.Int,
  sha256: Schema.String
}).annotations({ identifier: "DownloadChunk" })

// ---- case files -------------------------------------------------------------------------------

export const CasesFilesList = query({
  method: "cases/files/list",
  description: "The files of a case the user may see (incident_management_case_datastore), oldest first.",
  params: Schema.Struct({ caseId: Id }),
  result: Schema.Array(CaseFile)
})

export const CasesFilesUploadBegin = mutation({
  method: "cases/files/upload/begin",
  description: "Start a chunked upload of a case file (object key <case_id>/<file_name> in copilot-cases). Send chunks in order, then commit.",
  params: Schema.Struct({ caseId: Id, ...uploadFields }),
  result: UploadBegun
})

export const CasesFilesUploadChunk = mutation({
  method: "cases/files/upload/chunk",
  description: "Append base64 bytes to a pending upload at `offset` (the bytes received so far).",
  params: ChunkParams,
  result: ChunkReceived,
  dryRun: blobEffects
})

export const CasesFilesUploadCommit = mutation({
  method: "cases/files/upload/commit",
  description: "Finish an upload: checks every byte arrived and the SHA-256, stores the file and writes its row in one step. Reports $/progress.",
  params: CommitParams,
  result: CaseFile,
  dryRun: blobEffects
})

export const CasesFilesUploadAbort = mutation({
  method: "cases/files/upload/abort",
  description: "Drop a pending upload and its staged chunks.",
  params: AbortParams,
  result: Schema.Struct({ aborted: Schema.String }),
  idempotent: true,
  dryRun: blobEffects
})

export const CasesFilesDownload = query({
  method: "cases/files/download",
  description: "Bytes of a case file as base64, from offset (default 0), at most length bytes (default 4 MiB, max 8 MiB).",
  params: Schema.Struct({ fileId: Id, ...downloadRange }),
  result: DownloadChunk
})

export const CasesFilesDelete = mutation({
  method: "cases/files/delete",
  description: "Delete a case file: its row and its object.",
  params: Schema.Struct({ fileId: Id }),
  result: Schema.Struct({ deleted: Schema.Array(Id) }),
  dryRun: blobEffects,
  destructive: true,
  idempotent: true
})

// ---- report templates -------------------------------------------------------------------------

export const ReportTemplate = Schema.Struct({
  id: Id,
  /** report_template_name, which is the file name. */
  fileName: Schema.String,
  size: Schema.optional(Schema.Int),
  sha256: Schema.String,
  uploadedAt: Timestamp
}).annotations({ identifier: "ReportTemplate" })

export const ReportTemplatesList = query({
  method: "reportTemplates/list",
  description: "Global case report templates (incident_management_case_report_template_datastore), by name.",
  params: NoParams,
  result: Schema.Array(ReportTemplate),
  audience: "writer"
})

export const ReportTemplatesUploadBegin = mutation({
  method: "reportTemplates/upload/begin",
  description: "Start a chunked upload of a report template (object key <file_name> in copilot-case-report-templates).",
  params: Schema.Struct(uploadFields),
  result: UploadBegun
})

export const ReportTemplatesUploadChunk = mutation({
  method: "reportTemplates/upload/chunk",
  description: "Append base64 bytes to a pending template upload at `offset` (the bytes received so far).",
  params: ChunkParams,
  result: ChunkReceived,
  dryRun: blobEffects
})

export const ReportTemplatesUploadCommit = mutation({
  method: "reportTemplates/upload/commit",
  description: "Finish a template upload: checks the bytes and SHA-256, stores the template and writes its row in one step.",
  params: CommitParams,
  result: ReportTemplate,
  dryRun: blobEffects
})

export const ReportTemplatesUploadAbort = mutation({
  method: "reportTemplates/upload/abort",
  description: "Drop a pending template upload and its staged chunks.",
  params: AbortParams,
  result: Schema.Struct({ aborted: Schema.String }),
  idempotent: true,
  dryRun: blobEffects
})

export const ReportTemplatesDownload = query({
  method: "reportTemplates/download",
  description: "Bytes of a report template as base64, from offset, at most length bytes.",
  params: Schema.Struct({ templateId: Id, ...downloadRange }),
  result: DownloadChunk,
  audience: "writer"
})

export const ReportTemplatesDelete = mutation({
  method: "reportTemplates/delete",
  description: "Delete a report template: its row and its object.",
  params: Schema.Struct({ templateId: Id }),
  result: Schema.Struct({ deleted: Schema.Array(Id) }),
  dryRun: blobEffects,
  destructive: true,
  idempotent: true
})

// ---- read-only artifacts ----------------------------------------------------------------------

/** agent_datastore (Velociraptor collections), vulnerability_reports, sca_reports. */
export const ArtifactKind = Schema.Literal("agent", "vulnerability", "sca")

export const Artifact = Schema.Struct({
  id: Id,
  kind: ArtifactKind,
  fileName: Schema.String,
  /** The agent's customer for agent artifacts; the report's customer otherwise. */
  customerCode: Schema.NullOr(Schema.String),
  /** Agent artifacts: agent_id, artifact_name, flow_id. */
  agentId: Schema.optional(Schema.String),
  artifactName: Schema.optional(Schema.String),
  flowId: Schema.optional(Schema.String),
  /** Reports: report_name. */
  reportName: Schema.optional(Schema.String),
  size: Schema.Int,
  sha256: Schema.String,
  /** completed / failed / processing (CoPilot's status column). */
  status: Schema.String,
  createdAt: Timestamp
}).annotations({ identifier: "Artifact" })

export const ArtifactsList = query({
  method: "artifacts/list",
  description: "Agent artifacts, vulnerability reports or SCA reports of customers the user may see, newest first (read-only).",
  params: Schema.Struct({
    kind: ArtifactKind,
    customerCode: Schema.optional(CustomerCode),
    agentId: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(256))),
    limit: Schema.optional(Schema.Int.pipe(Schema.between(1, 500)))
  }),
  result: Schema.Array(Artifact)
})

export const ArtifactsDownload = query({
  method: "artifacts/download",
  description: "Bytes of an agent artifact or report as base64, from offset, at most length bytes.",
  params: Schema.Struct({ kind: ArtifactKind, id: Id, ...downloadRange }),
  result: DownloadChunk
})
