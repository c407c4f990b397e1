import { spawn } from "node:child_process"
import { DAEMON_BIN } from "../../fixtures/Daemon.js"
import { reference, runtimeReference } from "../../fixtures/CopilotMysql.js"
import type * as mysql from "mysql2/promise"
import { query } from "../../fixtures/Postgres.js"

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the built `sockeyed import` against a PostgreSQL database. */
export const runImport = (databaseUrl: string, args: ReadonlyArray<string>, options: { readonly killWhen?: (stderr: string) => boolean } = {}) =>
  new Promise<CliRun & { readonly killed: boolean }>((resolve, reject) => {
    const child = spawn(process.execPath, [DAEMON_BIN, "import", ...args], {
      env: { ...process.env, SOCKEYE_DATABASE_URL: databaseUrl, SOCKEYE_LOG_LEVEL: "warning" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    let killed = false
    child.stdout.on("data", (data) => { stdout += data })
    child.stderr.on("data", (data) => {
      stderr += data
      if (!killed && options.killWhen?.(stderr)) {
        killed = true
        child.kill("SIGKILL")
      }
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr, killed }))
  })

type Column = { name: string; type: string }

/**
 * A value as a test can compare it, read independently of the importer: naive MySQL datetimes
 * and PostgreSQL timestamptz as epoch milliseconds, TINYINT(1) and boolean as booleans, JSON
 * as parsed values, BLOB and bytea as hex.
 */
const normalize = (type: string, value: unknown, side: "mysql" | "pg"): unknown => {
  if (value === null || value === undefined) return null
  if (type === "timestamp") return side === "mysql" ? Date.parse(`${String(value).replace(" ", "T")}Z`) : Date.parse(String(value))
  if (type === "boolean") return side === "mysql" ? Number(value) !== 0 : value
  // mysql2 parses a column MariaDB announces as JSON; older servers send the text.
  if (type === "json") return side === "mysql" && typeof value === "string" ? JSON.parse(value) : value
  if (type === "bytea") return side === "mysql" ? (value as Buffer).toString("hex") : String(value).replace(/^\\x/, "")
  if (type === "integer" || type === "float") return Number(value)
  return String(value)
}

const tableColumns = (table: string): ReadonlyArray<Column> =>
  (reference.tables[table] ?? runtimeReference.tables[table.replace(/^sockeye_/, "")])!.columns

/** Every row of a MySQL table, normalized, sorted by its primary key. */
export const mysqlRows = async (connection: mysql.Connection, table: string) => {
  const [rows] = await connection.query(`SELECT * FROM \`${table}\``)
  return sortRows(table, (rows as Array<Record<string, unknown>>).map((row) =>
    Object.fromEntries(tableColumns(table).map((c) => [c.name, normalize(c.type, row[c.name], "mysql")]))))
}

/** Every row of a PostgreSQL table (the copied columns), normalized the same way. */
export const pgRows = async (url: string, table: string, sourceTable = table) => {
  const rows = await query<{ row: Record<string, unknown> }>(url, `select row_to_json(t) as row from "${table}" t`)
  return sortRows(sourceTable, rows.map(({ row }) =>
    Object.fromEntries(tableColumns(sourceTable).map((c) => [c.name, normalize(c.type, row[c.name], "pg")]))))
}

const sortRows = (table: string, rows: Array<Record<string, unknown>>) => {
  const key = (reference.tables[table] ?? runtimeReference.tables[table])!.primary_key
  return rows.sort((a, b) => {
    for (const k of key) {
      const x = a[k] as number | string
      const y = b[k] as number | string
      if (x !== y) return x < y ? -1 : 1
    }
    return 0
  })
}
