import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Deferred, Effect, Exit, Redacted } from "effect"
import { createTestDatabase, query } from "../fixtures/Postgres.js"
import { MAX_ATTEMPTS, retryingTransaction } from "../../src/db/Transaction.js"

/**
 * Two real PostgreSQL transactions made to deadlock (each locks one row, then waits for the
 * other's) and made to lose a serializable check. Bare `withTransaction` surfaces 40P01/40001;
 * `retryingTransaction` runs the loser again and both commit.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>

beforeAll(async () => {
  db = await createTestDatabase("txretry")
  await query(db.url, "create table pair (id int primary key, n int not null)")
  await query(db.url, "insert into pair values (1, 0), (2, 0)")
})
afterAll(async () => { await db?.drop() })

const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.runPromiseExit(effect.pipe(Effect.scoped, Effect.provide(PgClient.layer({ url: Redacted.make(db.url), maxConnections: 4 }))))

/** Two transactions locking rows 1 and 2 in opposite orders, after both hold their first lock. */
const deadlock = (wrap: (sql: SqlClient.SqlClient, e: Effect.Effect<void, unknown>) => Effect.Effect<void, unknown>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const attempts = { a: 0, b: 0 }
    const firstLocks = yield* Deferred.make<void>()
    let held = 0
    const side = (name: "a" | "b", first: number, second: number) =>
      wrap(sql, Effect.gen(function*() {
        attempts[name]++
        yield* sql`update pair set n = n + 1 where id = ${first}`
        if (++held === 2) yield* Deferred.succeed(firstLocks, undefined)
        yield* Deferred.await(firstLocks)
        yield* sql`update pair set n = n + 1 where id = ${second}`
      }))
    const exits = yield* Effect.all([Effect.exit(side("a", 1, 2)), Effect.exit(side("b", 2, 1))], { concurrency: 2 })
    return { exits, attempts }
  })

const counts = async () => (await query<{ n: number }>(db.url, "select n from pair order by id")).map((r) => r.n)

describe("retryingTransaction", () => {
  it("bare withTransaction surfaces a deadlock (the failure the wrapper exists for)", async () => {
    const before = await counts()
    const exit = await run(deadlock((sql, e) => sql.withTransaction(e)))
    expect(Exit.isSuccess(exit)).toBe(true)
    const { exits } = Exit.isSuccess(exit) ? exit.value : { exits: [] }
    const failed = exits.filter(Exit.isFailure)
    expect(failed.length).toBe(1)
    expect(JSON.stringify(failed[0])).toContain("40P01")
    // The winner committed both rows; the loser changed nothing.
    expect(await counts()).toEqual(before.map((n) => n + 1))
  })

  it("runs the deadlock's loser again: both commit, nothing is written twice", async () => {
    const before = await counts()
    const exit = await run(deadlock(retryingTransaction))
    expect(Exit.isSuccess(exit)).toBe(true)
    const { exits, attempts } = Exit.isSuccess(exit) ? exit.value : { exits: [], attempts: { a: 0, b: 0 } }
    expect(exits.every(Exit.isSuccess)).toBe(true)
    // At least one rerun; a rerun can deadlock again if it takes its first lock before the winner's second.
    expect(attempts.a + attempts.b).toBeGreaterThanOrEqual(3)
    expect(await counts()).toEqual(before.map((n) => n + 2))
  })

  it("retries a serialization failure (40001) raised as a defect, and gives up after MAX_ATTEMPTS", async () => {
    let calls = 0
    const exit = await run(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      return yield* retryingTransaction(sql, Effect.gen(function*() {
        calls++
        // raise_exception with SQLSTATE 40001 is what a lost serializable check looks like to the client.
        yield* sql`do $$ begin raise exception 'could not serialize' using errcode = '40001'; end $$`.pipe(Effect.orDie)
      }))
    }))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(calls).toBe(MAX_ATTEMPTS)
  })

  it("does not retry other errors, and nested transactions leave the retry to the outermost", async () => {
    let outer = 0
    let inner = 0
    const exit = await run(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      return yield* retryingTransaction(sql, Effect.gen(function*() {
        outer++
        yield* retryingTransaction(sql, Effect.gen(function*() {
          inner++
          if (outer === 1) yield* sql`do $$ begin raise exception 'deadlock' using errcode = '40P01'; end $$`
        }))
      }))
    }))
    expect(Exit.isSuccess(exit)).toBe(true)
    expect([outer, inner]).toEqual([2, 2])
    let plain = 0
    const unique = await run(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      return yield* retryingTransaction(sql, Effect.gen(function*() {
        plain++
        yield* sql`insert into pair values (1, 0)`
      }))
    }))
    expect(Exit.isFailure(unique)).toBe(true)
    expect(plain).toBe(1)
  })
})
