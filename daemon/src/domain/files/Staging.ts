import { Effect, Runtime } from "effect"
import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import { BlobError, Buckets, type BlobInfo, type BlobStoreService } from "../../connectors/blobs/BlobStore.js"

/** Staged chunks are objects <upload id>/<offset, 12 digits> in sockeye-staging: listing sorts them by offset. */
export const chunkKey = (uploadId: string, offset: number) => `${uploadId}/${String(offset).padStart(12, "0")}`

export interface StagedChunk {
  readonly key: string
  readonly offset: number
  readonly size: number
}

/**
 * The upload's chunks in order, checked to cover [0, size) exactly once. Anything else (a chunk a
 * crash left half-recorded) fails: the upload cannot be committed and must be sent again.
 */
export const stagedChunks = (store: BlobStoreService, uploadId: string, size: number) =>
  Effect.gen(function*() {
    const objects: ReadonlyArray<BlobInfo> = yield* store.list(Buckets.staging, `${uploadId}/`)
    const chunks = objects.map((o) => ({ key: o.key, offset: Number(o.key.slice(uploadId.length + 1)), size: o.size }))
      .sort((a, b) => a.offset - b.offset)
    let next = 0
    const used: Array<StagedChunk> = []
    for (const chunk of chunks) {
      if (chunk.offset !== next) break
      used.push(chunk)
      next += chunk.size
    }
    if (next !== size) {
      return yield* new BlobError({ reason: "not-found", message: `staged chunks of upload ${uploadId} cover ${next} of ${size} bytes` })
    }
    return used
  })

/** The staged bytes as one stream, read a chunk at a time; `onBytes` hears the running total. */
export const stagedStream = (
  store: BlobStoreService,
  chunks: ReadonlyArray<StagedChunk>,
  runtime: Runtime.Runtime<never>,
  onBytes: (done: number) => void
) => () => Readable.from((async function*() {
  let done = 0
  for (const chunk of chunks) {
    const bytes = await Runtime.runPromise(runtime)(store.read(Buckets.staging, chunk.key))
    done += bytes.byteLength
    onBytes(done)
    yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
})(), { objectMode: false })

/** SHA-256 of the staged bytes, for a commit on a daemon that did not see every chunk. */
export const stagedHash = (store: BlobStoreService, chunks: ReadonlyArray<StagedChunk>) =>
  Effect.gen(function*() {
    const hash = createHash("sha256")
    for (const chunk of chunks) hash.update(yield* store.read(Buckets.staging, chunk.key))
    return hash.digest("hex")
  })
