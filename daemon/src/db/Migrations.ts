import { SqlClient, type SqlError } from "@effect/sql"
import * as Migrator from "@effect/sql/Migrator"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { DaemonConfig } from "../DaemonConfig.js"

export const MIGRATIONS_TABLE = "sockeye_migrations"
/** Advisory lock key held while the migrations table is created ("sockmig" as a number). */
const CREATE_LOCK = 0x736f636b6d6967

export interface MigrationFile {
  readonly id: number
  readonly name: string
  readonly file: string
}

const FILE_PATTERN = /^(\d+)_(.+)\.sql$/

/** The repo's migrations/ folder, found by walking up from this module (src or dist). */
const discoverDir = (): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "migrations")
    if (fs.existsSync(candidate) && fs.statSync(candidate).isDirectory() && fs.existsSync(path.join(dir, "package.json"))) {
      return candidate
    }
    dir = path.dirname(dir)
  }
  throw new Error("cannot find the migrations directory; set SOCKEYE_MIGRATIONS_DIR")
}

export const migrationsDir = Effect.map(DaemonConfig, (config) =>
  Option.getOrElse(config.migrationsDir, discoverDir))

/** Every NNNN_name.sql file, in id order. */
export const listFiles = (dir: string) =>
  Effect.try({
    try: (): ReadonlyArray<MigrationFile> =>
      fs.readdirSync(dir)
        .flatMap((file) => {
          const match = FILE_PATTERN.exec(file)
          return match ? [{ id: Number(match[1]), name: match[2]!, file: path.join(dir, file) }] : []
        })
        .sort((a, b) => a.id - b.id),
    catch: (cause) => new Migrator.MigrationError({ reason: "import-error", message: `cannot read ${dir}`, cause })
  })

/** The line of a 1-based character offset, which is how PostgreSQL reports where parsing failed. */
const lineAt = (text: string, position: unknown) => {
  const offset = Number(position)
  return Number.isInteger(offset) && offset > 0 ? text.slice(0, offset - 1).split("\n").length : undefined
}

/**
 * The server's own words, with the file and line when it gives a position: a stack trace of
 * the driver tells whoever wrote the migration nothing.
 */
const describeFailure = (file: MigrationFile, text: string, error: SqlError.SqlError) => {
  const pg = (error.cause ?? {}) as { message?: string; detail?: string; hint?: string; position?: string }
  const line = lineAt(text, pg.position)
  return [
    `migration ${file.id}_${file.name} failed: ${pg.message ?? error.message}`,
    line === undefined ? "" : ` (${path.basename(file.file)} line ${line})`,
    pg.detail ? `; ${pg.detail}` : "",
    pg.hint ? `; hint: ${pg.hint}` : ""
  ].join("")
}

/** Runs one file as a single multi-statement query (the simple protocol takes several). */
export const applyFile = (file: MigrationFile) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const text = fs.readFileSync(file.file, "utf8")
    return sql.unsafe(text).pipe(Effect.mapError((error) =>
      new Migrator.MigrationError({ reason: "failed", message: describeFailure(file, text, error) })))
  })

/**
 * The migrator turns a failing migration into a defect that wraps our error; make it a failure
 * again, saying what the rollback means for the database.
 */
const failedMigration = (defect: unknown) =>
  defect instanceof Migrator.MigrationError && defect.cause instanceof Migrator.MigrationError
    ? Option.some(Effect.fail(new Migrator.MigrationError({
      reason: "failed",
      message: `${defect.cause.message}; no pending migration was applied (they run in one transaction)`
    })))
    : Option.none()

const loader = (dir: string): Migrator.Loader =>
  Effect.map(listFiles(dir), (files) =>
    files.map((file) => [file.id, file.name, Effect.succeed(applyFile(file))] as const))

/**
 * Applies pending migrations. The migrator itself takes an exclusive table lock for its run;
 * creating that table is guarded by an advisory lock so two daemons on an empty database agree.
 */
export const run = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const dir = yield* migrationsDir
  yield* sql.withTransaction(Effect.gen(function*() {
    yield* sql`select pg_advisory_xact_lock(${CREATE_LOCK})`
    yield* sql`create table if not exists ${sql(MIGRATIONS_TABLE)} (
      migration_id integer primary key,
      created_at timestamp with time zone not null default now(),
      name text not null
    )`
  }))
  const applied = yield* Migrator.make({})({ loader: loader(dir), table: MIGRATIONS_TABLE }).pipe(
    Effect.catchSomeDefect(failedMigration),
    Effect.tapError((error) => Effect.logError(error.message))
  )
  for (const [id, name] of applied) yield* Effect.logInfo(`applied migration ${id}_${name}`)
  yield* attachDryRunCapture
  return applied.map(([id, name]) => ({ id, name }))
})

/**
 * Tables created by migrations after 0018 get the dry-run capture trigger here (see
 * 0018_sockeye_dry_run.sql); a no-op once every table has it, and before 0018 is applied.
 * Not fatal: without the right to add triggers the daemon still serves, and dry runs answer
 * -32010 naming the tables that lack it.
 */
const attachDryRunCapture = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.withTransaction(Effect.gen(function*() {
    yield* sql`select pg_advisory_xact_lock(${CREATE_LOCK})`
    const [found] = yield* sql<{ present: boolean }>`select to_regproc('sockeye_dry_run_attach') is not null as present`
    if (!found?.present) return
    const [attached] = yield* sql<{ n: number }>`select sockeye_dry_run_attach() as n`
    if (attached && attached.n > 0) yield* Effect.logInfo(`dry runs: capture trigger attached to ${attached.n} new tables`)
  })).pipe(Effect.catchAll((error) => Effect.logWarning(`dry runs: cannot attach the capture trigger: ${error.message}`)))
})

export interface AppliedMigration {
  readonly id: number
  readonly name: string
  readonly appliedAt: Date
}

export const status = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const files = yield* listFiles(yield* migrationsDir)
  const exists = yield* sql<{ present: boolean }>`select to_regclass(${MIGRATIONS_TABLE}) is not null as present`
  const applied: ReadonlyArray<AppliedMigration> = exists[0]?.present
    ? (yield* sql<{ migrationId: number; name: string; createdAt: Date }>`
        select migration_id, name, created_at from ${sql(MIGRATIONS_TABLE)} order by migration_id`)
        .map((row) => ({ id: row.migrationId, name: row.name, appliedAt: row.createdAt }))
    : []
  const done = new Set(applied.map((m) => m.id))
  const latest = applied.reduce((max, m) => Math.max(max, m.id), 0)
  return {
    applied,
    // The migrator only runs ids above the latest applied one, so that is what "pending" means.
    pending: files.filter((f) => !done.has(f.id) && f.id > latest).map((f) => ({ id: f.id, name: f.name }))
  }
})
