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

/** Connection-class (08xxx), shutdown (57Pxx) and socket errors mean the database is unreachable. */
const isUnavailable = (error: SqlError) => {
  const cause = error.cause as { code?: string } | undefined
  const code = cause?.code ?? ""
  return code.startsWith("08") || code.startsWith("57P") || ["ECONNREFUSED", "ECONNRESET", "ENOENT", "ETIMEDOUT", "EPIPE"].includes(code) ||
    error.message === "Failed to acquire connection" || error.message === "Connection error"
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
