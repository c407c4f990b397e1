import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Option, Random } from "effect"

/** serialization_failure and deadlock_detected: PostgreSQL rolled the transaction back; running it again is safe. */
const RETRYABLE = new Set(["40001", "40P01"])

/** How many times a transaction runs at most, and the base of its jittered backoff. */
export const MAX_ATTEMPTS = 5
const BASE_DELAY_MS = 5

const sqlState = (error: unknown): string | undefined => {
  if (!(error instanceof SqlError)) return undefined
  const code = (error.cause as { code?: unknown } | undefined)?.code
  return typeof code === "string" ? code : undefined
}

/** Whether a failed transaction lost a serialization check or a deadlock, as a failure or as a defect (orDie). */
export const isRetryable = (cause: Cause.Cause<unknown>): boolean =>
  !Cause.isInterrupted(cause) &&
  [...Cause.failures(cause), ...Cause.defects(cause)].some((error) => RETRYABLE.has(sqlState(error) ?? ""))

/**
 * `sql.withTransaction`, run again (up to MAX_ATTEMPTS, with jittered exponential backoff) when
 * PostgreSQL aborts it for a serialization failure or a deadlock, so clients never see those.
 * Inside an outer transaction it only nests: the outermost one owns the retry, because a
 * savepoint cannot undo the locks and snapshot that made the outer transaction fail.
 */
export const retryingTransaction = <A, E, R>(
  sql: SqlClient.SqlClient,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R> =>
  Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (outer) => {
    if (Option.isSome(outer)) return sql.withTransaction(effect)
    const attempt = (n: number): Effect.Effect<A, E | SqlError, R> =>
      sql.withTransaction(effect).pipe(
        Effect.catchAllCause((cause) =>
          n + 1 < MAX_ATTEMPTS && isRetryable(cause)
            ? Effect.gen(function*() {
              const delay = BASE_DELAY_MS * 2 ** n * (0.5 + (yield* Random.next))
              yield* Effect.logDebug(`transaction aborted by a serialization failure or deadlock; attempt ${n + 2} in ${Math.round(delay)} ms`)
              yield* Effect.sleep(delay)
              return yield* attempt(n + 1)
            })
            : Effect.failCause(cause))
      )
    return attempt(0)
  })
