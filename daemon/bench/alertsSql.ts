/**
 * The floor of the alerts benchmark: the statements the daemon runs for alerts/list, alerts/count
 * and alerts/get, built with @effect/sql from the daemon's own modules and compiled to
 * [text, params], then run directly through `pg` on one warmed connection (with the daemon's
 * PreparingClient, so that both sides prepare a statement that repeats).
 *
 * Each is the daemon's own statement builder (AlertsQuery.pageStatement and groupedCountStatement,
 * AlertDetailQuery.detailStatement), so the floor cannot drift from the daemon; `sameStatement`
 * still checks each against what the daemon's backends last ran.
 */
import { SqlClient } from "@effect/sql"
import type { Statement } from "@effect/sql/Statement"
import { PgClient } from "@effect/sql-pg"
import { ManagedRuntime, Redacted } from "effect"
import pg from "pg"
import { PreparingClient } from "../src/db/PreparedStatements.js"
import { alertVisible } from "../src/domain/Access.js"
import type { CursorPayload } from "../src/domain/Cursors.js"
import { detailStatement } from "../src/domain/alerts/AlertDetailQuery.js"
import { defaultSort, groupedCountStatement, pageStatement } from "../src/domain/alerts/AlertsQuery.js"
import type { Principal } from "../src/domain/Principal.js"

export type Compiled = readonly [string, ReadonlyArray<unknown>]

const compile = (statement: Statement<unknown>): Compiled => statement.compile()

/** alerts/list with no filter, the default sort, limit 50 (the statement reads 51 and builds the page's JSON). */
export const listSql = (sql: SqlClient.SqlClient, principal: Principal, after: CursorPayload | undefined): Compiled =>
  compile(pageStatement(sql, principal, { filter: undefined, fold: "icu", sort: defaultSort, after, limit: 50 }))

/** alerts/count with no filter and groupBy "status": AlertsQuery.groupedCountStatement, the daemon's statement. */
export const countSql = (sql: SqlClient.SqlClient, principal: Principal): Compiled =>
  compile(groupedCountStatement(sql, principal, undefined, "status", "icu"))

/** alerts/get: AlertDetailQuery.detailStatement, the daemon's one statement. */
export const getSql = (sql: SqlClient.SqlClient, principal: Principal, id: number): Compiled =>
  compile(detailStatement(sql, principal, id))

/** Random ids the principal may see (a 0.2% sample of the table, filtered by the real predicate). */
export const visibleIdsSql = (sql: SqlClient.SqlClient, principal: Principal, n: number): Compiled =>
  compile(sql`select a.id from incident_management_alert a tablesample bernoulli (0.2) repeatable (7)
    where ${alertVisible(sql, principal, "a")} order by md5(a.id::text) limit ${n}`)

/** An @effect/sql client for compiling (the same compiler as the daemon's PgClient), and a plain pg connection. */
export const openFloor = async (url: string) => {
  const runtime = ManagedRuntime.make(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 }))
  const sql = await runtime.runPromise(SqlClient.SqlClient)
  // The daemon's own client class: a statement that repeats runs prepared on both sides.
  const client = new PreparingClient({ connectionString: url, application_name: "sockeye-bench:floor" })
  await client.connect()
  const run = async ([text, params]: Compiled) => (await client.query(text, params as Array<unknown>)).rows as Array<Record<string, unknown>>
  const close = async () => {
    await client.end().catch(() => undefined)
    await runtime.dispose()
  }
  /** The PostgreSQL backend serving the floor, whose CPU time the bench reads from /proc. */
  const backendPid = (client as unknown as { processID: number }).processID
  return { sql, run, close, backendPid }
}

const normalized = (text: string) => text.replace(/\s+/g, " ").trim()

/**
 * Options for the daemon's connections: with a superuser URL, compute_query_id on, so that the
 * statement the daemon last ran can be compared with the floor's by query id (its whole parse
 * tree), not only by the prefix pg_stat_activity keeps of its text.
 */
export const queryIdOptions = async (url: string): Promise<string | undefined> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const rows = (await client.query<{ rolsuper: boolean }>("select rolsuper from pg_roles where rolname = current_user")).rows
    return rows[0]?.rolsuper ? "-c compute_query_id=on" : undefined
  } finally {
    await client.end()
  }
}

/**
 * Whether the statement the daemon (application_name sockeyed:PID) ran last is the floor's: by
 * query id when both sides compute one, else by the text prefix pg_stat_activity keeps
 * (track_activity_query_size, 1024 bytes by default).
 */
export const sameStatement = async (run: (c: Compiled) => Promise<Array<Record<string, unknown>>>, daemonPid: number,
  [text, params]: Compiled) => {
  const rows = await run([`select query, query_id::text as id from pg_stat_activity where application_name = $1 and state = 'idle'
    order by state_change desc limit 1`, [`sockeyed:${daemonPid}`]])
  const id = rows[0]?.["id"]
  if (typeof id === "string") {
    await run(["set compute_query_id = on", []])
    const plan = (await run([`explain (verbose, costs off) ${text}`, params])).map((r) => r["QUERY PLAN"]).join("\n")
    const floorId = /Query Identifier: (-?\d+)/.exec(plan)?.[1]
    return { same: floorId === id, how: "query id" }
  }
  const seen = String(rows[0]?.["query"] ?? "")
  const prefix = normalized(seen).slice(0, normalized(seen).length - 2)
  return { same: prefix.length > 0 && normalized(text).startsWith(prefix), how: `first ${Buffer.byteLength(seen)} bytes of the text` }
}
