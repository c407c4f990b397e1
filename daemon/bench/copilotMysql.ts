import * as mysql from "mysql2/promise"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * CoPilot's MySQL database at Alembic head fb51d610b306, built from the shared schema
 * reference on the machine's MariaDB (SOCKEYE_TEST_MYSQL_URL, default root@127.0.0.1:3306).
 * Each call makes its own database; drop() removes it. The tests and the import benchmark
 * share it (it lives here because the bench is compiled and the tests are not).
 */
export const MYSQL_URL = process.env["SOCKEYE_TEST_MYSQL_URL"] ?? "mysql://root@127.0.0.1:3306"

/** ../shared/reference beside the checkout, found from src (tests) or dist (bench). */
const shared = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, "shared", "reference")
    if (fs.existsSync(path.join(candidate, "schema-reference.json"))) return candidate
    dir = path.dirname(dir)
  }
  throw new Error("cannot find shared/reference/schema-reference.json above this checkout")
})()

interface RefColumn { name: string; type: string; nullable: boolean; mysql_type?: string }
interface RefTable {
  columns: Array<RefColumn>
  primary_key: Array<string>
  foreign_keys: Array<{ columns: Array<string>; ref_table: string; ref_columns: Array<string> }>
  indexes: Array<{ name: string; columns: Array<string>; unique: boolean }>
}

export const reference = JSON.parse(fs.readFileSync(path.join(shared, "schema-reference.json"), "utf8")) as { head: string; tables: Record<string, RefTable> }
export const runtimeReference = JSON.parse(fs.readFileSync(path.join(shared, "schema-runtime-only.json"), "utf8")) as { tables: Record<string, RefTable> }

/** The MySQL type CoPilot's SQLAlchemy models produce for a reference column. */
const mysqlType = (column: RefColumn) => {
  if (column.mysql_type) return column.mysql_type
  if (column.type === "varchar") return "VARCHAR(255)"
  if (column.type.startsWith("varchar")) return column.type.toUpperCase()
  switch (column.type) {
    case "integer": return "INT"
    case "text": return "TEXT"
    case "timestamp": return "DATETIME"
    case "boolean": return "TINYINT(1)"
    case "json": return "JSON"
    case "float": return "FLOAT"
    case "bytea": return "BLOB"
    default: throw new Error(`no MySQL type for ${column.type}`)
  }
}

const q = (name: string) => `\`${name}\``

/** CREATE TABLE as CoPilot's migrations leave it (InnoDB, utf8mb4), plus its indexes and FKs. */
export const tableDdl = (name: string, table: RefTable) => {
  const autoIncrement = table.primary_key.length === 1 && table.columns.find((c) => c.name === table.primary_key[0])?.type === "integer"
  const columns = table.columns.map((c) =>
    `${q(c.name)} ${mysqlType(c)}${c.nullable && !table.primary_key.includes(c.name) ? " NULL" : " NOT NULL"}${autoIncrement && c.name === table.primary_key[0] ? " AUTO_INCREMENT" : ""}`)
  const keyPart = (column: string) => {
    const type = mysqlType(table.columns.find((c) => c.name === column)!)
    const length = Number(/\((\d+)\)/.exec(type)?.[1] ?? 0)
    return /TEXT|BLOB/.test(type) || length > 768 ? `${q(column)}(191)` : q(column)
  }
  const indexes = table.indexes.map((i) => `${i.unique ? "UNIQUE " : ""}KEY ${q(i.name)} (${i.columns.map(keyPart).join(", ")})`)
  return `CREATE TABLE ${q(name)} (${[...columns, `PRIMARY KEY (${table.primary_key.map(q).join(", ")})`, ...indexes].join(", ")}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`
}

export const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

export interface CopilotDatabase {
  readonly name: string
  readonly url: string
  readonly connection: mysql.Connection
  readonly drop: () => Promise<void>
}

/** A CoPilot database at head, empty; foreign-key checks stay off on its connection for quirky data. */
export const createCopilotDatabase = async (options: { readonly runtimeTables?: boolean; readonly head?: string; readonly label?: string } = {}): Promise<CopilotDatabase> => {
  const name = `copilot_${options.label ?? "test"}_${randomBytes(5).toString("hex")}`
  const admin = await mysql.createConnection({ uri: MYSQL_URL })
  await admin.query(`CREATE DATABASE ${q(name)} CHARACTER SET utf8mb4`)
  await admin.end()
  const url = withDatabase(MYSQL_URL, name)
  const connection = await mysql.createConnection({ uri: url, multipleStatements: true, dateStrings: true })
  const drop = async () => {
    await connection.end()
    const cleanup = await mysql.createConnection({ uri: MYSQL_URL })
    await cleanup.query(`DROP DATABASE IF EXISTS ${q(name)}`)
    await cleanup.end()
  }
  try {
    await build(connection, options)
  } catch (error) {
    await drop()
    throw error
  }
  return { name, url, connection, drop }
}

const build = async (connection: mysql.Connection, options: { readonly runtimeTables?: boolean; readonly head?: string }) => {
  await connection.query("SET FOREIGN_KEY_CHECKS = 0")
  const tables: Record<string, RefTable> = structuredClone({ ...reference.tables, ...(options.runtimeTables ? runtimeReference.tables : {}) })
  for (const [table, definition] of Object.entries(tables)) await connection.query(tableDdl(table, definition))
  for (const [table, definition] of Object.entries(tables)) {
    for (const [i, fk] of definition.foreign_keys.entries()) {
      // InnoDB needs an index on a referenced column; CoPilot's live databases have one.
      const parent = tables[fk.ref_table]!
      const indexed = fk.ref_columns.join() === parent.primary_key.join() || parent.indexes.some((x) => x.columns[0] === fk.ref_columns[0])
      if (!indexed) await connection.query(`ALTER TABLE ${q(fk.ref_table)} ADD KEY ${q(`ix_${fk.ref_table}_${fk.ref_columns.join("_")}`)} (${fk.ref_columns.map(q).join(", ")})`)
      if (!indexed) parent.indexes.push({ name: `ix_${fk.ref_table}_${fk.ref_columns.join("_")}`, columns: fk.ref_columns, unique: false })
      await connection.query(`ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(`${table}_ibfk_${i + 1}`)} FOREIGN KEY (${fk.columns.map(q).join(", ")}) REFERENCES ${q(fk.ref_table)} (${fk.ref_columns.map(q).join(", ")})`)
    }
  }
  await connection.query("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, PRIMARY KEY (version_num))")
  await connection.query("INSERT INTO alembic_version VALUES (?)", [options.head ?? reference.head])
}

/** Inserts rows (objects with the same keys) in chunks. */
export const insertRows = async (connection: mysql.Connection, table: string, rows: ReadonlyArray<Record<string, unknown>>) => {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0]!)
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000)
    await connection.query(`INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES ?`, [chunk.map((r) => columns.map((c) => r[c]))])
  }
}
