import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import { InvalidParams, type RpcError } from "@sockeye/protocol"

/** The fields of node-pg's DatabaseError that tell one constraint violation from another. */
export interface PgFailure {
  readonly code?: string
  readonly constraint?: string
}

const failureOf = (error: SqlError): PgFailure =>
  typeof error.cause === "object" && error.cause !== null ? (error.cause as PgFailure) : {}

/**
 * Text PostgreSQL refuses whatever the column: a NUL character (22021) or a value longer than
 * its varchar (22001). The protocol's string schemas let both through, so they are the caller's
 * mistake and answer -32602, not an internal error.
 */
const badText = (method: string, failure: PgFailure): RpcError | undefined => {
  if (failure.code === "22021") {
    return new InvalidParams({ message: `${method}: text may not contain NUL characters`, issues: [{ path: [], message: "NUL character" }] })
  }
  if (failure.code === "22001") {
    return new InvalidParams({ message: `${method}: a value is longer than its column allows`, issues: [{ path: [], message: "too long" }] })
  }
  return undefined
}

/**
 * Maps the SqlErrors a mutation expects (a named unique violation, bad text) to protocol errors
 * and turns every other SqlError into a defect: the contract never mentions SqlError.
 */
export const mapSqlErrors = (method: string, unique: Readonly<Record<string, () => RpcError>> = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, SqlError> | RpcError, R> =>
    Effect.catchIf(effect, (e): e is Extract<E, SqlError> => e instanceof SqlError, (error) => {
      const failure = failureOf(error)
      const named = failure.code === "23505" && failure.constraint ? unique[failure.constraint] : undefined
      const mapped = named?.() ?? badText(method, failure)
      return mapped ? Effect.fail(mapped) : Effect.die(error)
    }) as Effect.Effect<A, Exclude<E, SqlError> | RpcError, R>
