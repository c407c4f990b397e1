import { SqlError } from "@effect/sql/SqlError"
import { Effect, Redacted } from "effect"
import pg from "pg"
import { PreparingClient } from "./PreparedStatements.js"

const CANCEL = "SELECT pg_cancel_backend("

/**
 * @effect/sql-pg cancels an interrupted query by running pg_cancel_backend through the same
 * pool; when every pooled connection is busy (the usual reason to cancel) that waits for a free
 * one and gives up after 5 s, leaving the query running. This pool sends those cancels on a
 * connection of their own, kept open: a cancel must go out at once, because the interrupted
 * query may finish meanwhile and its connection serve another query that the late cancel
 * would then hit.
 */
class CancellingPool extends pg.Pool {
  private canceller: Promise<pg.Client> | undefined

  private cancelClient(): Promise<pg.Client> {
    if (!this.canceller) {
      const client = new pg.Client({ ...this.options, application_name: "sockeyed-cancel" } as pg.ClientConfig)
      const reset = () => { this.canceller = undefined }
      client.on("error", reset)
      client.on("end", reset)
      this.canceller = client.connect().then(() => client, (error: Error) => { reset(); throw error })
    }
    return this.canceller
  }

  override query(...args: Array<any>): any {
    const [text, callback] = args
    if (typeof text === "string" && text.startsWith(CANCEL) && typeof callback === "function") {
      this.cancelClient()
        .then((client) => client.query(text))
        .then(() => callback(null), (error: Error) => callback(error))
      return undefined
    }
    return (super.query as (...a: Array<any>) => any)(...args)
  }

  override end(...args: Array<any>): any {
    void this.canceller?.then((client) => client.end()).catch(() => undefined)
    return (super.end as (...a: Array<any>) => any)(...args)
  }
}

export interface PoolOptions {
  readonly url: Redacted.Redacted
  readonly applicationName: string
  readonly max: number
  readonly connectTimeoutMs: number
}

/**
 * How long a pooled connection may sit idle before it is closed. pg's default, 10 s, closed
 * connections between bursts of work, and the next burst paid for new backends: a fork, and the
 * first plans of the RBAC statements on a cold catalog cache, 50–140 ms each (seen in the load
 * bench as a p99 of 340 ms at 92 calls/s; 124 ms with connections kept). Five minutes keeps them
 * through any working session and still gives them back when the daemon sits unused.
 */
const IDLE_MS = 5 * 60_000

/** The pool as a scoped resource, checked with one query before the daemon relies on it. */
export const acquirePool = (options: PoolOptions) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const pool = new CancellingPool({
        connectionString: Redacted.value(options.url),
        application_name: options.applicationName,
        max: options.max,
        connectionTimeoutMillis: options.connectTimeoutMs,
        idleTimeoutMillis: IDLE_MS,
        Client: PreparingClient
      } as pg.PoolConfig)
      // Idle clients that lose their server (a restart) emit errors; the pool replaces them.
      pool.on("error", () => undefined)
      yield* Effect.tryPromise({
        try: () => pool.query("select 1"),
        catch: (cause) => new SqlError({ cause, message: "cannot connect to PostgreSQL" })
      }).pipe(Effect.onError(() => Effect.promise(() => pool.end())))
      return pool as pg.Pool
    }),
    (pool) => Effect.promise(() => pool.end()).pipe(Effect.timeoutOption(2000))
  )
