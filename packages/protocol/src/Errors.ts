import { Schema } from "effect"

/**
 * JSON-RPC error codes. The reserved range (-32768..-32000) holds the protocol's own;
 * Sockeye's domain codes sit in the server-defined band (-32099..-32000), as LSP's do.
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  NotInitialized: -32002,
  RequestCancelled: -32800,
  Unauthenticated: -32001,
  Forbidden: -32003,
  NotFound: -32004,
  Conflict: -32009,
  Unavailable: -32010,
  TooLarge: -32013
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** One schema issue: where in the params it is, and what is wrong. */
export const Issue = Schema.Struct({
  /** Path into the params, e.g. ["filter", "status", 0]. */
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  /** What was expected. */
  message: Schema.String
})
export type Issue = typeof Issue.Type

/** Params failed their schema (-32602); `issues` lists each problem with its path. */
export class InvalidParams extends Schema.TaggedError<InvalidParams>()("InvalidParams", {
  message: Schema.String,
  issues: Schema.Array(Issue)
}) {}

/**
 * The connection has no valid identity, or the credentials were refused (-32001). After too many
 * failed sign-ins the daemon refuses further attempts for a while without checking them, and
 * `retryAfterMs` (in `data`) says how long to wait.
 */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  message: Schema.String,
  retryAfterMs: Schema.optional(Schema.Number)
}) {}

/** The user's role may not call this method (-32003). */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  message: Schema.String
}) {}

/** No such row, or a row the user may not see: the two are never told apart (-32004). */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  message: Schema.String
}) {}

/** The change conflicts with the current state: duplicate, invalid transition, stale write (-32009). */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  message: Schema.String
}) {}

/** A backing service (database, SIEM, blob store) is unreachable or unconfigured (-32010). */
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", {
  message: Schema.String
}) {}

/** A message, upload or value exceeds a configured limit (-32013). */
export class TooLarge extends Schema.TaggedError<TooLarge>()("TooLarge", {
  message: Schema.String
}) {}

/** A request other than `initialize` arrived first (-32002). */
export class NotInitialized extends Schema.TaggedError<NotInitialized>()("NotInitialized", {
  message: Schema.String
}) {}

/** The request was cancelled by `$/cancelRequest` (-32800). */
export class Cancelled extends Schema.TaggedError<Cancelled>()("Cancelled", {
  message: Schema.String
}) {}

/** The request is not valid now, e.g. after `shutdown` (-32600). */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  message: Schema.String
}) {}

/** The method does not exist (-32601). */
export class MethodNotFound extends Schema.TaggedError<MethodNotFound>()("MethodNotFound", {
  message: Schema.String
}) {}

/** The daemon failed; `incident` names the log entry that holds the details (-32603). */
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", {
  message: Schema.String,
  incident: Schema.String
}) {}

/** Every error that may cross the wire as a method's failure. */
export type RpcError =
  | InvalidParams
  | Unauthenticated
  | Forbidden
  | NotFound
  | Conflict
  | Unavailable
  | TooLarge
  | NotInitialized
  | Cancelled
  | MethodNotFound
  | InvalidRequest
  | InternalError

export const codeOf = (error: RpcError): ErrorCode => {
  switch (error._tag) {
    case "InvalidParams": return ErrorCode.InvalidParams
    case "Unauthenticated": return ErrorCode.Unauthenticated
    case "Forbidden": return ErrorCode.Forbidden
    case "NotFound": return ErrorCode.NotFound
    case "Conflict": return ErrorCode.Conflict
    case "Unavailable": return ErrorCode.Unavailable
    case "TooLarge": return ErrorCode.TooLarge
    case "NotInitialized": return ErrorCode.NotInitialized
    case "Cancelled": return ErrorCode.RequestCancelled
    case "MethodNotFound": return ErrorCode.MethodNotFound
    case "InvalidRequest": return ErrorCode.InvalidRequest
    case "InternalError": return ErrorCode.InternalError
  }
}

/** The `data` member that accompanies an error on the wire. */
export const dataOf = (error: RpcError): Record<string, unknown> | undefined => {
  switch (error._tag) {
    case "InvalidParams": return { issues: error.issues }
    case "InternalError": return { incident: error.incident }
    case "Unauthenticated": return error.retryAfterMs === undefined ? undefined : { retryAfterMs: error.retryAfterMs }
    default: return undefined
  }
}

/** A wire error that matches no known code (a future daemon, a parse error), kept whole. */
export class ProtocolError extends Schema.TaggedError<ProtocolError>()("ProtocolError", {
  code: Schema.Number,
  message: Schema.String,
  data: Schema.optional(Schema.Unknown)
}) {}

/** Turns a wire error back into its tagged class, so clients can `catchTag`. */
export const fromWire = (code: number, message: string, data: unknown): RpcError | ProtocolError => {
  const record = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>
  switch (code) {
    case ErrorCode.InvalidParams:
      return new InvalidParams({ message, issues: Array.isArray(record["issues"]) ? record["issues"] as Array<Issue> : [] })
    case ErrorCode.Unauthenticated:
      return typeof record["retryAfterMs"] === "number"
        ? new Unauthenticated({ message, retryAfterMs: record["retryAfterMs"] })
        : new Unauthenticated({ message })
    case ErrorCode.Forbidden: return new Forbidden({ message })
    case ErrorCode.NotFound: return new NotFound({ message })
    case ErrorCode.Conflict: return new Conflict({ message })
    case ErrorCode.Unavailable: return new Unavailable({ message })
    case ErrorCode.TooLarge: return new TooLarge({ message })
    case ErrorCode.NotInitialized: return new NotInitialized({ message })
    case ErrorCode.RequestCancelled: return new Cancelled({ message })
    case ErrorCode.MethodNotFound: return new MethodNotFound({ message })
    case ErrorCode.InvalidRequest: return new InvalidRequest({ message })
    case ErrorCode.InternalError:
      return new InternalError({ message, incident: typeof record["incident"] === "string" ? record["incident"] : "" })
    default: return new ProtocolError({ code, message, data })
  }
}
