import { Effect } from "effect"
import { Unavailable } from "@sockeye/protocol"
import { connectorError } from "../connectorErrors.js"
import type { BlobError, BlobStoreService } from "../../connectors/blobs/BlobStore.js"

/** A blob store failure on the wire: no store or no answer is -32010, a missing object -32004. */
export const toRpcError = (error: BlobError) => connectorError(error, [])

export const NO_STORE_MESSAGE = "no blob store is configured: set SOCKEYE_S3_ENDPOINT, or SOCKEYE_BLOBS=fs"

/** Fails -32010 up front when the daemon runs without a blob store. */
export const requireStore = (store: BlobStoreService) =>
  store.kind === "none" ? Effect.fail(new Unavailable({ message: NO_STORE_MESSAGE })) : Effect.void
