import { Effect, Layer, Option } from "effect"
import * as path from "node:path"
import { DaemonConfig } from "../../DaemonConfig.js"
import { BlobStore } from "./BlobStore.js"
import * as Filesystem from "./Filesystem.js"
import * as S3 from "./S3.js"
import { unavailable } from "./Unavailable.js"

export const NO_BLOBS_MESSAGE = "no blob store is configured: set SOCKEYE_S3_ENDPOINT, or SOCKEYE_BLOBS=fs"

const none = (message: string) => Layer.succeed(BlobStore, unavailable("no blob store", message))

/**
 * The daemon's blob store, from SOCKEYE_BLOBS: `s3` (MinIO or S3 at SOCKEYE_S3_ENDPOINT), `fs`
 * (directories under SOCKEYE_BLOBS_DIR, default $SOCKEYE_HOME/blobs) or `none` (file methods
 * answer -32010). Unset: s3 when an endpoint is set, else fs when the database is embedded, else
 * none. A store that cannot be used is logged, and the daemon starts without it.
 */
export const BlobStoreLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* DaemonConfig
  const endpoint = Option.filter(config.s3Endpoint, (u) => u.trim() !== "")
  const kind = Option.getOrElse(config.blobs, () =>
    Option.isSome(endpoint) ? "s3" as const : Option.isNone(config.databaseUrl) ? "fs" as const : "none" as const)
  switch (kind) {
    case "s3": {
      if (Option.isNone(endpoint) || Option.isNone(config.s3AccessKey) || Option.isNone(config.s3SecretKey)) {
        const message = "SOCKEYE_BLOBS=s3 needs SOCKEYE_S3_ENDPOINT, SOCKEYE_S3_ACCESS_KEY and SOCKEYE_S3_SECRET_KEY: no blob store is configured"
        yield* Effect.logError(message)
        return none(message)
      }
      return S3.layer({
        endpoint: endpoint.value,
        accessKey: config.s3AccessKey.value,
        secretKey: config.s3SecretKey.value,
        region: config.s3Region,
        caFile: config.s3CaFile,
        tlsVerify: config.s3TlsVerify
      })
    }
    case "fs": {
      const root = Option.getOrElse(config.blobsDir, () => path.join(config.home, "blobs"))
      return Filesystem.layer(root).pipe(
        Layer.tap(() => Effect.logInfo(`blobs: the directory ${root}`)),
        Layer.catchAll((error) => {
          const message = `the blob directory cannot be used: ${error.message}`
          return Layer.unwrapEffect(Effect.as(Effect.logError(message), none(message)))
        })
      )
    }
    case "none":
      yield* Effect.logInfo("blobs: none")
      return none(NO_BLOBS_MESSAGE)
  }
}))
