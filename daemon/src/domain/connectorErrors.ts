import { InvalidParams, NotFound, Unavailable } from "@sockeye/protocol"

/** What the SIEM and blob store connectors fail with; the message says which connector and why. */
export interface ConnectorFailure {
  readonly reason: "unconfigured" | "unreachable" | "not-found" | "rejected"
  readonly message: string
}

/**
 * A connector failure on the wire: unconfigured and unreachable are -32010, not-found -32004, and
 * a request the connector refused -32602 at `rejectedAt`, the part of the params it judged.
 */
export const connectorError = (error: ConnectorFailure, rejectedAt: ReadonlyArray<string>): Unavailable | NotFound | InvalidParams => {
  switch (error.reason) {
    case "unconfigured":
    case "unreachable":
      return new Unavailable({ message: error.message })
    case "not-found":
      return new NotFound({ message: error.message })
    case "rejected":
      return new InvalidParams({ message: error.message, issues: [{ path: [...rejectedAt], message: error.message }] })
  }
}
