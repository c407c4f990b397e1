import { Effect } from "effect"
import { BlobError, type BlobStoreService } from "./BlobStore.js"

/** A store that answers every call with one error: none configured, or a configuration it cannot use. */
export const unavailable = (describe: string, message: string): BlobStoreService => {
  const fail = () => Effect.fail(new BlobError({ reason: "unconfigured", message }))
  return { kind: "none", describe, put: fail, read: fail, stat: fail, remove: fail, list: fail, sweepTemporary: fail }
}
