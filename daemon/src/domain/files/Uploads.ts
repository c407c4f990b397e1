import { SqlClient } from "@effect/sql"
import { Effect, Runtime } from "effect"
import { createHash, randomUUID, type Hash } from "node:crypto"
import { Conflict, InvalidParams, NotFound, TooLarge } from "@sockeye/protocol"
import { BlobStore, Buckets } from "../../connectors/blobs/BlobStore.js"
import { DaemonConfig } from "../../DaemonConfig.js"
import { audit } from "../Audit.js"
import { publishChange } from "../Changes.js"
import { CurrentPrincipal, type Principal } from "../Principal.js"
import { requireStore, toRpcError } from "./blobErrors.js"
import { FilesRepo, targetOfUpload, type UploadRow } from "./FilesRepo.js"
import { chunkKey, stagedChunks, stagedHash, stagedStream } from "./Staging.js"
import { bucketOf, describeTarget, objectKeyOf, toWireFile, type Target } from "./targets.js"

export interface BeginParams {
  readonly fileName: string
  readonly size: number
  readonly sha256: string
  readonly contentType?: string | undefined
  readonly replace?: boolean | undefined
}

/** Reports a long commit's progress (0..100); the handler sends it as $/progress. */
export type CommitProgress = (percentage: number, message: string) => Effect.Effect<void>

const DEFAULT_CONTENT_TYPE = "application/octet-stream"
const uploadNotFound = (id: string) => new NotFound({ message: `upload ${id} not found` })
const invalid = (path: ReadonlyArray<string>, message: string) => new InvalidParams({ message, issues: [{ path, message }] })
const ownerOf = (principal: Principal) => (principal.system ? undefined : principal.user.id)
const routeOf = (kind: Target["kind"]) => (kind === "case_file" ? "cases/files" : "reportTemplates")

/**
 * Chunked uploads into the blob store, in three steps that may come over many requests and
 * daemons: begin records the upload in sockeye_uploads; each chunk is staged as its own object
 * and advances `received` under the row's lock, so chunks come in order; commit checks the
 * SHA-256, copies the staged bytes to the final key and writes the datastore row in one
 * transaction that holds the key's advisory lock. A crash before that commit leaves an object no
 * row points to, which datastore_gc removes; a row never points at nothing.
 */
export class Uploads extends Effect.Service<Uploads>()("Files/Uploads", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* FilesRepo
    const store = yield* BlobStore
    const { maxUploadBytes } = yield* DaemonConfig
    const runtime = yield* Effect.runtime<never>()
    // The running hash of uploads whose chunks this daemon received in order; others are hashed at commit.
    const hashes = new Map<string, { hash: Hash; next: number }>()
    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      sql.withTransaction(effect).pipe(
        Effect.catchTag("SqlError", (error) => Effect.die(error)),
        Effect.provideService(SqlClient.SqlClient, sql)
      )
    const blob = <A, R>(effect: Effect.Effect<A, import("../../connectors/blobs/BlobStore.js").BlobError, R>) =>
      Effect.mapError(effect, toRpcError)
    const storeReady = requireStore(store)

    const requireTarget = (principal: Principal, target: Target, lock = false) =>
      target.kind === "report_template"
        ? Effect.void
        : Effect.flatMap(repo.caseExists(principal, target.caseId, lock), (exists) =>
          exists ? Effect.void : Effect.fail(new NotFound({ message: `case ${target.caseId} not found` })))

    /** The same-name file a new upload would overwrite: a conflict unless `replace`. */
    const existing = (target: Target, fileName: string, replace: boolean) =>
      Effect.flatMap(repo.findByName(target, fileName), (found) =>
        found && !replace
          ? Effect.fail(new Conflict({ message: `${describeTarget(target)} already has a file named ${JSON.stringify(fileName)}; pass replace: true to overwrite it` }))
          : Effect.succeed(found))

    const begin = Effect.fn("Uploads.begin")(function*(target: Target, params: BeginParams) {
      const principal = yield* CurrentPrincipal
      yield* storeReady
      if (params.size > maxUploadBytes) {
        return yield* new TooLarge({ message: `${params.size} bytes is more than the upload limit of ${maxUploadBytes} (SOCKEYE_MAX_UPLOAD_BYTES)` })
      }
      yield* requireTarget(principal, target)
      const found = yield* existing(target, params.fileName, params.replace ?? false)
      const replaces = found?.id ?? null
      const id = randomUUID()
      // The row and its audit entry together.
      yield* transaction(Effect.gen(function*() {
        yield* repo.insertUpload({
          id, target: target.kind, caseId: target.kind === "case_file" ? target.caseId : null, fileName: params.fileName,
          contentType: params.contentType ?? DEFAULT_CONTENT_TYPE, size: params.size, sha256: params.sha256,
          replace: params.replace ?? false, received: 0, userId: principal.user.id
        })
        yield* audit(`${routeOf(target.kind)}/upload/begin`,
          `began upload ${id} of ${JSON.stringify(params.fileName)} (${params.size} bytes)${replaces === null ? "" : `, replacing file ${replaces}`}`)
      }))
      return { uploadId: id, replaces }
    })

    const requireUpload = (kind: Target["kind"], id: string, lock: boolean) =>
      Effect.gen(function*() {
        const principal = yield* CurrentPrincipal
        const upload = yield* repo.findUpload(id, ownerOf(principal), lock)
        if (!upload || upload.target !== kind) return yield* uploadNotFound(id)
        return upload
      })

    const chunk = Effect.fn("Uploads.chunk")(function*(kind: Target["kind"], params: { uploadId: string; offset: number; data: string }) {
      yield* storeReady
      const bytes = Buffer.from(params.data, "base64")
      const { received, size } = yield* transaction(Effect.gen(function*() {
        const upload = yield* requireUpload(kind, params.uploadId, true)
        if (params.offset > upload.size || params.offset + bytes.byteLength > upload.size) {
          return yield* invalid(["offset"], `bytes ${params.offset}..${params.offset + bytes.byteLength} run past the end of the ${upload.size}-byte file`)
        }
        if (params.offset !== upload.received) {
          return yield* new Conflict({ message: `upload ${upload.id} expects the chunk at offset ${upload.received}, not ${params.offset}` })
        }
        if (bytes.byteLength === 0) return { received: upload.received, size: upload.size }
        yield* blob(store.put(Buckets.staging, chunkKey(upload.id, params.offset), bytes, bytes.byteLength))
        const next = upload.received + bytes.byteLength
        yield* repo.advanceUpload(upload.id, next)
        return { received: next, size: upload.size }
      }))
      // The running hash starts with the first chunk, so a begin that never sends one (a dry run,
      // an abandoned upload) leaves nothing here; uploads that skip it are hashed at commit.
      if (params.offset === 0 && !hashes.has(params.uploadId)) hashes.set(params.uploadId, { hash: createHash("sha256"), next: 0 })
      const running = hashes.get(params.uploadId)
      if (running && running.next === params.offset) {
        running.hash.update(bytes)
        running.next = received
      } else if (running && running.next !== received) {
        hashes.delete(params.uploadId)
      }
      return { received, size }
    })

    /** Drops the pending row and its staged chunks; the chunks may outlive a crash, and gc takes them then. */
    const discard = (id: string) =>
      Effect.gen(function*() {
        hashes.delete(id)
        yield* repo.deleteUpload(id)
        const staged = yield* store.list(Buckets.staging, `${id}/`).pipe(Effect.orElseSucceed(() => []))
        yield* store.remove(Buckets.staging, staged.map((o) => o.key)).pipe(Effect.ignore)
      })

    const digestOf = (upload: UploadRow, chunks: Parameters<typeof stagedHash>[1]) => {
      const running = hashes.get(upload.id)
      return running && running.next === upload.size
        ? Effect.succeed(running.hash.copy().digest("hex"))
        : blob(stagedHash(store, chunks))
    }

    const commit = Effect.fn("Uploads.commit")(function*(kind: Target["kind"], uploadId: string, progress: CommitProgress) {
      const principal = yield* CurrentPrincipal
      yield* storeReady
      const upload = yield* requireUpload(kind, uploadId, false)
      if (upload.received < upload.size) {
        return yield* new Conflict({ message: `upload ${uploadId} is incomplete: ${upload.received} of ${upload.size} bytes received; send the chunk at offset ${upload.received}` })
      }
      const chunks = yield* blob(stagedChunks(store, upload.id, upload.size))
      const digest = yield* digestOf(upload, chunks)
      if (digest !== upload.sha256) {
        yield* discard(upload.id)
        return yield* invalid(["sha256"], `the uploaded bytes hash to ${digest}, not ${upload.sha256}: nothing was stored; upload the file again`)
      }
      const target = targetOfUpload(upload)
      const bucket = bucketOf(target)
      const key = objectKeyOf(target, upload.fileName)
      yield* progress(0, `storing ${upload.fileName}`)
      let reported = 0
      const onBytes = (done: number) => {
        const percentage = upload.size === 0 ? 100 : Math.floor((100 * done) / upload.size)
        if (percentage < 100 && percentage >= reported + 5) {
          reported = percentage
          Runtime.runFork(runtime)(progress(percentage, `${done} of ${upload.size} bytes stored`))
        }
      }
      const file = yield* transaction(Effect.gen(function*() {
        yield* repo.lockKey(bucket, key)
        // Another commit of this upload may have won the race to the lock.
        if (!(yield* repo.findUpload(upload.id, undefined, true))) return yield* uploadNotFound(upload.id)
        yield* requireTarget(principal, target, true)
        const found = yield* existing(target, upload.fileName, upload.replace)
        yield* blob(store.put(bucket, key, stagedStream(store, chunks, runtime, onBytes), upload.size))
        const saved = yield* repo.saveFile(upload, found?.id)
        yield* repo.deleteUpload(upload.id)
        const where = target.kind === "case_file" ? ` to case ${target.caseId}` : " as a report template"
        yield* audit(`${routeOf(kind)}/upload/commit`, `${found ? "replaced" : "uploaded"} file ${saved.id} ${JSON.stringify(upload.fileName)} (${upload.size} bytes)${where}`)
        if (target.kind === "case_file") yield* publishChange({ entity: "case", kind: "updated", ids: [target.caseId] })
        return saved
      }))
      yield* progress(100, `stored ${upload.fileName}`)
      hashes.delete(upload.id)
      yield* store.remove(Buckets.staging, chunks.map((c) => c.key)).pipe(Effect.ignore)
      return toWireFile(file)
    })

    const abort = Effect.fn("Uploads.abort")(function*(kind: Target["kind"], uploadId: string) {
      const upload = yield* requireUpload(kind, uploadId, false)
      yield* discard(upload.id)
      return { aborted: upload.id }
    })

    return { begin, chunk, commit, abort, discard } as const
  }),
  dependencies: [FilesRepo.Default]
}) {}
