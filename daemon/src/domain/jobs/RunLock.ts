import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Option, type Scope } from "effect"

/** The text whose hashtext() is a job's advisory lock key. */
export const lockName = (jobId: string) => `sockeye-job:${jobId}`

/** A job's advisory lock, held by one reserved connection for as long as the scope is open. */
export interface HeldLock {
  /** Runs statements on the lock's connection: if that connection is gone, so is the lock. */
  readonly onLockConnection: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * Takes the job's session-level advisory lock on a connection reserved from the pool, without
 * waiting: none when another session (another daemon, or another run here) holds it. The lock
 * and the connection go back when the scope closes; if the daemon dies, PostgreSQL drops the
 * session and the lock with it. A session lock, not a transaction one, so that the run's own
 * writes commit as they go instead of inside one long transaction.
 */
export const tryLock = (jobId: string): Effect.Effect<Option.Option<HeldLock>, SqlError, SqlClient.SqlClient | Scope.Scope> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const connection = yield* sql.reserve
    const onLockConnection = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.provideService(effect, SqlClient.TransactionConnection, [connection, 0] as const)
    const rows = yield* onLockConnection(
      sql<{ locked: boolean }>`select pg_try_advisory_lock(hashtext(${lockName(jobId)})) as locked`)
    if (rows[0]?.locked !== true) return Option.none()
    // Runs before the connection is released (finalizers run in reverse), so the pooled
    // connection never goes back holding the lock.
    yield* Effect.addFinalizer(() =>
      onLockConnection(sql<{ unlocked: boolean }>`select pg_advisory_unlock(hashtext(${lockName(jobId)})) as unlocked`).pipe(
        Effect.flatMap((rows) => rows[0]?.unlocked === true ? Effect.void : Effect.logWarning(`job ${jobId}: the advisory lock was not held at release`)),
        Effect.catchAll((error) => Effect.logWarning(`job ${jobId}: releasing the advisory lock failed (the connection is gone, and the lock with it)`, error))
      ))
    return Option.some({ onLockConnection })
  })
