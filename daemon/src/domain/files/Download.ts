import { Effect } from "effect"
import { Files, InvalidParams, NotFound } from "@sockeye/protocol"
import type { BlobStoreService } from "../../connectors/blobs/BlobStore.js"
import { toRpcError } from "./blobErrors.js"

export interface DownloadRange {
  readonly offset?: number | undefined
  readonly length?: number | undefined
}

/**
 * One chunk of a stored object, for any datastore row: bytes [offset, offset + length) as base64.
 * The row's size when it has one, else the object's. A row whose object is gone is -32004.
 */
export const downloadChunk = (
  store: BlobStoreService,
  row: { readonly bucketName: string; readonly objectKey: string; readonly fileSize: number | null; readonly fileHash: string },
  what: string,
  range: DownloadRange
) =>
  Effect.gen(function*() {
    const offset = range.offset ?? 0
    const length = range.length ?? Files.DEFAULT_DOWNLOAD_BYTES
    const size = row.fileSize ?? (yield* store.stat(row.bucketName, row.objectKey).pipe(Effect.mapError(toRpcError))).size
    if (offset > size) {
      const message = `offset ${offset} is past the end of ${what} (${size} bytes)`
      return yield* new InvalidParams({ message, issues: [{ path: ["offset"], message }] })
    }
    const bytes = offset === size
      ? new Uint8Array(0)
      : yield* store.read(row.bucketName, row.objectKey, { offset, length: Math.min(length, size - offset) }).pipe(
        Effect.mapError((error) => error.reason === "not-found" ? new NotFound({ message: `the object of ${what} is missing from the blob store` }) : toRpcError(error)))
    return {
      data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
      eof: offset + bytes.byteLength >= size,
      size,
      sha256: row.fileHash
    }
  })
