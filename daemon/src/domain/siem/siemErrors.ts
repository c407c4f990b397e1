import { InvalidParams, NotFound, Unavailable } from "@sockeye/protocol"
import type { SiemError } from "../../connectors/siem/SiemIndex.js"

/**
 * A SiemError on the wire: unconfigured and unreachable are -32010 with the connector's
 * message (which says which), not-found -32004, and a refused request -32602 pointing at
 * the query, the one part of the params the index judges.
 */
export const toRpcError = (error: SiemError): Unavailable | NotFound | InvalidParams => {
  switch (error.reason) {
    case "unconfigured":
    case "unreachable":
      return new Unavailable({ message: error.message })
    case "not-found":
      return new NotFound({ message: error.message })
    case "rejected":
      return new InvalidParams({ message: error.message, issues: [{ path: ["query"], message: error.message }] })
  }
}
