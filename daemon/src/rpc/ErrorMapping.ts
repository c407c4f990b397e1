import { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Option } from "effect"
import { InternalError, Unavailable, codeOf, dataOf, type RpcError, Cancelled } from "@sockeye/protocol"
import { randomUUID } from "node:crypto"

/** An error as it goes on the wire. */
export interface WireError {
  readonly code: number
  readonly message: string
  readonly data?: Record<string, unknown>
}

const rpcTags = new Set([
  "InvalidParams", "Unauthenticated", "Forbidden", "NotFound", "Conflict", "Unavailable",
  "TooLarge", "NotInitialized", "Cancelled", "MethodNotFound", "InternalError", "InvalidRequest"
])

export const isRpcError = (u: unknown): u is RpcError =>
  typeof u === "object" && u !== null && "_tag" in u && rpcTags.has((u as { _tag: string })._tag)

/** Messages of node-postgres errors that carry no SQLSTATE: the server went away mid-query or cannot be reached. */
const lostConnection = /connection terminated|connection error|not queryable|timeout exceeded when trying to connect|server closed the connection|the database system is (starting up|shutting down)/i

/**
 * Connection-class (08xxx), shutdown (57Pxx, e.g. a restart killing the backend), too many
 * connections (53300), socket errors and node-postgres's code-less "connection terminated"
 * mean the database is unreachable: the client may retry the same call once it is back.
 */
const isUnavailable = (error: SqlError) => {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  const code = typeof cause?.code === "string" ? cause.code : ""
  return code.startsWith("08") || code.startsWith("57P") || code === "53300" ||
    ["ECONNREFUSED", "ECONNRESET", "ENOENT", "ETIMEDOUT", "EPIPE"].includes(code) ||
    error.message.startsWith("Failed to acquire connection") || error.message === "Connection error" ||
    (code === "" && typeof cause?.message === "string" && lostConnection.test(cause.message))
}

const wire = (error: RpcError): WireError => {
  const data = dataOf(error)
  return data ? { code: codeOf(error), message: error.message, data } : { code: codeOf(error), message: error.message }
}

/**
 * What a failed request answers. Expected errors pass through; the database being unreachable
 * is -32010; anything else is logged with an incident id and answered -32603 with only that id,
 * so no stack trace, SQL or path reaches a client.
 */
export const toWireError = (method: string, cause: Cause.Cause<unknown>): Effect.Effect<WireError> => {
  if (Cause.isInterruptedOnly(cause)) return Effect.succeed(wire(new Cancelled({ message: `${method} was cancelled` })))
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && isRpcError(failure.value)) return Effect.succeed(wire(failure.value))
  const squashed = Cause.squash(cause)
  if (squashed instanceof SqlError && isUnavailable(squashed)) {
    return Effect.logWarning(`${method}: database unavailable`, squashed).pipe(
      Effect.as(wire(new Unavailable({ message: "the database is unavailable; try again" }))))
  }
  const incident = randomUUID()
  return Effect.logError(`${method} failed (incident ${incident})`, cause).pipe(
    Effect.as(wire(new InternalError({ message: `internal error (incident ${incident})`, incident }))))
}
