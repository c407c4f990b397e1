import { Effect, Layer, Option } from "effect"
import { DaemonConfig } from "../../DaemonConfig.js"
import * as LocalIndex from "./LocalIndex.js"
import * as OpenSearch from "./OpenSearch.js"
import { SiemError, SiemIndex } from "./SiemIndex.js"
import { unavailable } from "./Unavailable.js"

export const NO_SIEM_MESSAGE = "no SIEM is configured: set SOCKEYE_OPENSEARCH_URL, or SOCKEYE_SIEM=local"

const none = (message: string) =>
  Layer.succeed(SiemIndex, unavailable("none", "no SIEM", new SiemError({ reason: "unconfigured", message })))

/**
 * The daemon's SIEM, from SOCKEYE_SIEM: `opensearch` (the Wazuh indexer at SOCKEYE_OPENSEARCH_URL),
 * `local` (sockeye_siem_documents in the daemon's own PostgreSQL) or `none` (every call answers
 * -32010). Unset: opensearch when a URL is set, else local. Never fails: a daemon starts without its SIEM.
 */
export const SiemIndexLive = Layer.unwrapScoped(Effect.gen(function*() {
  const config = yield* DaemonConfig
  const url = Option.filter(config.opensearchUrl, (u) => u.trim() !== "")
  const kind = Option.getOrElse(config.siem, () => (Option.isSome(url) ? "opensearch" as const : "local" as const))
  switch (kind) {
    case "opensearch": {
      if (Option.isNone(url)) {
        const message = "SOCKEYE_SIEM=opensearch needs SOCKEYE_OPENSEARCH_URL: no SIEM is configured"
        yield* Effect.logError(message)
        return none(message)
      }
      return OpenSearch.layer({
        url: url.value,
        username: config.opensearchUsername,
        password: config.opensearchPassword,
        caFile: config.opensearchCaFile,
        tlsVerify: config.opensearchTlsVerify,
        timeoutMs: config.opensearchTimeoutMs
      })
    }
    case "local":
      yield* Effect.logInfo("SIEM: the local index (sockeye_siem_documents)")
      return LocalIndex.layer
    case "none":
      yield* Effect.logInfo("SIEM: none (SOCKEYE_SIEM=none)")
      return none(NO_SIEM_MESSAGE)
  }
}))
