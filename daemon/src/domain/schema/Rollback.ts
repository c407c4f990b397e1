import { SqlClient, type SqlError } from "@effect/sql"
import { Data, Effect } from "effect"

/** Carries a result out of a transaction that must roll back. */
class Rollback extends Data.TaggedError("Rollback")<{ readonly value: unknown }> {}

/**
 * Runs an effect in a transaction that always rolls back, and returns what it computed:
 * PostgreSQL's DDL is transactional, so a schema can be changed, read, and left as it was.
 */
export const rolledBack = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError.SqlError, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.withTransaction(Effect.flatMap(effect, (value) => Effect.fail(new Rollback({ value })))).pipe(
      Effect.catchAll((error) => error instanceof Rollback ? Effect.succeed(error.value as A) : Effect.fail(error as E | SqlError.SqlError))
    ))
