import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { NotFound } from "@sockeye/protocol"
import { BlobStore } from "../../connectors/blobs/BlobStore.js"
import { audit } from "../Audit.js"
import { publishChange } from "../Changes.js"
import { CurrentPrincipal } from "../Principal.js"
import { requireStore } from "./blobErrors.js"
import { downloadChunk, type DownloadRange } from "./Download.js"
import { FilesRepo } from "./FilesRepo.js"
import { toWireFile, type StoredFile, type Target } from "./targets.js"

const fileNotFound = (id: number) => new NotFound({ message: `file ${id} not found` })
const templateNotFound = (id: number) => new NotFound({ message: `report template ${id} not found` })

/**
 * Case files and report templates: listing, chunked download and deletion (uploads are in
 * Uploads). A case file is seen through its case's customer access; templates are global.
 * Deleting removes the row, then the object under the key's advisory lock if no row points at
 * it any more, so a same-name upload committing meanwhile keeps its bytes.
 */
export class Files extends Effect.Service<Files>()("Files/Files", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* FilesRepo
    const store = yield* BlobStore
    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      sql.withTransaction(effect).pipe(
        Effect.catchTag("SqlError", (error) => Effect.die(error)),
        Effect.provideService(SqlClient.SqlClient, sql)
      )
    const storeReady = requireStore(store)

    const listCase = Effect.fn("Files.listCase")(function*(caseId: number) {
      const principal = yield* CurrentPrincipal
      if (!(yield* repo.caseExists(principal, caseId))) return yield* new NotFound({ message: `case ${caseId} not found` })
      return (yield* repo.listCase(principal, caseId)).map(toWireFile)
    })

    const listTemplates = Effect.fn("Files.listTemplates")(function*() {
      return (yield* repo.listTemplates).map(toWireFile)
    })

    const downloadCase = Effect.fn("Files.downloadCase")(function*(fileId: number, range: DownloadRange) {
      const principal = yield* CurrentPrincipal
      yield* storeReady
      const row = yield* repo.caseFile(principal, fileId)
      if (!row) return yield* fileNotFound(fileId)
      return yield* downloadChunk(store, row, `file ${fileId}`, range)
    })

    const downloadTemplate = Effect.fn("Files.downloadTemplate")(function*(templateId: number, range: DownloadRange) {
      yield* storeReady
      const row = yield* repo.template(templateId)
      if (!row) return yield* templateNotFound(templateId)
      return yield* downloadChunk(store, row, `report template ${templateId}`, range)
    })

    /** The object goes once no row points at it; a failure leaves it to datastore_gc. */
    const removeObject = (row: StoredFile) =>
      repo.removeIfUnreferenced(row.bucketName, row.objectKey, store.remove(row.bucketName, [row.objectKey])).pipe(
        Effect.catchAll((error) => Effect.logWarning(`removing ${row.bucketName}/${row.objectKey} failed; datastore_gc will: ${error.message}`)))

    const remove = (target: Target["kind"], id: number) =>
      Effect.gen(function*() {
        const principal = yield* CurrentPrincipal
        yield* storeReady
        const deleted = yield* transaction(Effect.gen(function*() {
          const row = target === "case_file" ? yield* repo.caseFile(principal, id, true) : yield* repo.template(id, true)
          if (!row) return yield* (target === "case_file" ? fileNotFound(id) : templateNotFound(id))
          const caseId = "caseId" in row ? (row as { caseId: number }).caseId : undefined
          yield* repo.deleteFile(target === "case_file" ? { kind: "case_file", caseId: caseId! } : { kind: "report_template" }, id)
          const where = caseId === undefined ? "report template" : `file of case ${caseId}`
          yield* audit(target === "case_file" ? "cases/files/delete" : "reportTemplates/delete", `deleted ${where} ${id} ${JSON.stringify(row.fileName)}`)
          if (caseId !== undefined) yield* publishChange({ entity: "case", kind: "updated", ids: [caseId] })
          return row
        }))
        yield* removeObject(deleted)
        return { deleted: [deleted.id] }
      })

    return { listCase, listTemplates, downloadCase, downloadTemplate, remove } as const
  }),
  dependencies: [FilesRepo.Default]
}) {}
