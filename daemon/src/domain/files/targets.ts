import type { SqlClient } from "@effect/sql"
import { Buckets } from "../../connectors/blobs/BlobStore.js"

/** What an upload lands as: a case file, or a global report template. */
export type Target =
  | { readonly kind: "case_file"; readonly caseId: number }
  | { readonly kind: "report_template" }

/** One datastore row as the file methods answer it. */
export interface StoredFile {
  readonly id: number
  readonly fileName: string
  readonly fileSize: number | null
  readonly fileHash: string
  readonly uploadTime: Date
  readonly bucketName: string
  readonly objectKey: string
}

export const bucketOf = (target: Target) => (target.kind === "case_file" ? Buckets.cases : Buckets.reportTemplates)

/** CoPilot's object keys (copilot-facts §h): `<case_id>/<file name>` and `<file name>`. */
export const objectKeyOf = (target: Target, fileName: string) =>
  target.kind === "case_file" ? `${target.caseId}/${fileName}` : fileName

export const describeTarget = (target: Target) => (target.kind === "case_file" ? `case ${target.caseId}` : "report templates")

export const toWireFile = (f: StoredFile) => ({
  id: f.id, fileName: f.fileName, sha256: f.fileHash, uploadedAt: f.uploadTime,
  ...(f.fileSize === null ? {} : { size: f.fileSize })
})

/** The datastore table of a target, with the column that holds the name. */
export const tableOf = (sql: SqlClient.SqlClient, target: Target) =>
  target.kind === "case_file"
    ? { table: sql("incident_management_case_datastore"), nameColumn: sql("file_name") }
    : { table: sql("incident_management_case_report_template_datastore"), nameColumn: sql("report_template_name") }
