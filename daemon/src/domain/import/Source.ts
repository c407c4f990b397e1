import { MysqlClient } from "@effect/sql-mysql2"
import { Data, Effect, Layer, Redacted, Stream } from "effect"

/** What the import cannot start from: a bad URL, an unreachable server, the wrong Alembic head. */
export class ImportRefused extends Data.TaggedError("ImportRefused")<{ readonly message: string }> {}

/** The Alembic head the importer understands; CoPilot's migrations end there. */
export const COPILOT_HEAD = "fb51d610b306"

/** CoPilot's SQLModel tables that no Alembic revision creates (seed §"Quick Model Scan"). */
export const RUNTIME_TABLES = [
  "sublimealerts", "flaggedrule", "mailbox", "triggeredaction", "sender", "recipient",
  "disabledrule", "sap_siem_multiple_logins"
] as const

/**
 * The MySQL client over a `mysql://USER:PASS@HOST:PORT/DB` URL. Dates come back as the strings
 * the server holds: CoPilot stores naive UTC, and letting the driver read them in the local
 * zone would shift every timestamp.
 */
export const layer = (url: string) => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Layer.fail(new ImportRefused({ message: `--from takes mysql://USER:PASS@HOST:PORT/DATABASE, got ${JSON.stringify(url)}` }))
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""))
  if (!/^mysql2?:$|^mariadb:$/.test(parsed.protocol) || database === "") {
    return Layer.fail(new ImportRefused({ message: `--from takes mysql://USER:PASS@HOST:PORT/DATABASE, got ${JSON.stringify(redact(url))}` }))
  }
  return MysqlClient.layer({
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 3306,
    database,
    username: decodeURIComponent(parsed.username) || "root",
    password: parsed.password ? Redacted.make(decodeURIComponent(parsed.password)) : undefined,
    maxConnections: 2,
    // maxIdle below the connection limit starts mysql2's idle-reaper interval, which outlives
    // a pool whose first connection failed and keeps the process from exiting.
    poolConfig: { maxIdle: 2, dateStrings: true, supportBigNumbers: true, bigNumberStrings: false, charset: "utf8mb4" }
  }).pipe(Layer.mapError((error) =>
    error instanceof ImportRefused ? error : new ImportRefused({ message: `cannot connect to ${redact(url)}: ${causeMessage(error)}` })))
}

/** The URL without its password, for messages and reports. */
export const redact = (url: string) => url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@")

const causeMessage = (error: unknown): string => {
  const cause = (error as { cause?: { message?: string } }).cause
  return cause?.message ?? (error as { message?: string }).message ?? String(error)
}

export interface SourceColumn {
  readonly name: string
  /** information_schema COLUMN_TYPE, e.g. `tinyint(1)`, `datetime`, `longtext`. */
  readonly columnType: string
}

/** Reads CoPilot's MySQL database: its Alembic head, tables, columns, row counts and rows. */
export class Source extends Effect.Service<Source>()("Import/Source", {
  effect: Effect.gen(function*() {
    const sql = yield* MysqlClient.MysqlClient
    const refuse = (what: string) => (error: unknown) => new ImportRefused({ message: `${what}: ${causeMessage(error)}` })

    const alembicHead = Effect.gen(function*() {
      const present = yield* sql<{ n: number }>`
        select count(*) as n from information_schema.tables
        where table_schema = database() and table_name = 'alembic_version'`
      if (Number(present[0]?.n ?? 0) === 0) return undefined
      const rows = yield* sql<{ version_num: string }>`select version_num from alembic_version`
      return rows.map((r) => r.version_num)
    }).pipe(Effect.mapError(refuse("cannot read alembic_version")))

    const tables = sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = database() and table_type = 'BASE TABLE'`.pipe(
      Effect.map((rows) => new Set(rows.map((r) => r.name))),
      Effect.mapError(refuse("cannot list the source tables")))

    const columns = (table: string) =>
      sql<{ name: string; columnType: string }>`
        select column_name as name, column_type as columnType from information_schema.columns
        where table_schema = database() and table_name = ${table} order by ordinal_position`.pipe(
        Effect.map((rows): ReadonlyArray<SourceColumn> => rows.map((r) => ({ name: r.name, columnType: String(r.columnType) }))),
        Effect.mapError(refuse(`cannot read the columns of ${table}`)))

    const count = (table: string) =>
      sql.unsafe<{ n: number }>(`select count(*) as n from ${quote(table)}`).pipe(
        Effect.map((rows) => Number(rows[0]?.n ?? 0)),
        Effect.mapError(refuse(`cannot count ${table}`)))

    /** Every row in primary-key order, streamed with back-pressure (the driver pauses the socket). */
    const rows = (table: string, orderBy: ReadonlyArray<string>) =>
      sql.unsafe<Record<string, unknown>>(
        `select * from ${quote(table)}${orderBy.length ? ` order by ${orderBy.map(quote).join(", ")}` : ""}`
      ).stream.pipe(Stream.mapError(refuse(`cannot read ${table}`)))

    return { alembicHead, tables, columns, count, rows } as const
  })
}) {}

const quote = (name: string) => `\`${name.replace(/`/g, "``")}\``
