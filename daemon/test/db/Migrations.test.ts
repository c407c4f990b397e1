import { afterAll, afterEach, describe, expect, it } from "vitest"
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted, String as Str } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { createTestDatabase, query } from "../fixtures/Postgres.js"
import * as Migrations from "../../src/db/Migrations.js"
import * as DaemonConfig from "../../src/DaemonConfig.js"
import { ADMIN_PASSWORD, DAEMON_BIN, startDaemon, tempDir, type RunningDaemon } from "../fixtures/Daemon.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const migrationsDir = path.join(repoRoot, "migrations")
const reference = JSON.parse(fs.readFileSync(
  path.resolve(repoRoot, "../shared/reference/schema-reference.json"), "utf8")) as { tables: Record<string, unknown> }

/** The migration files as the daemon sees them: NNNN_name.sql, in id order. */
const migrationFiles = (dir = migrationsDir) =>
  fs.readdirSync(dir).flatMap((file) => {
    const match = /^(\d+)_(.+)\.sql$/.exec(file)
    return match ? [{ id: Number(match[1]), name: match[2]!, file }] : []
  }).sort((a, b) => a.id - b.id)

/** Every table some migration creates, plus the migrator's own ledger. */
const definedTables = () => {
  const names = new Set(["sockeye_migrations"])
  for (const { file } of migrationFiles()) {
    const text = fs.readFileSync(path.join(migrationsDir, file), "utf8")
    for (const m of text.matchAll(/create\s+table\s+(?:if\s+not\s+exists\s+)?"?(\w+)"?/gi)) names.add(m[1]!)
  }
  return [...names].sort()
}

interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** Runs `sockeyed ...args` to completion. */
const sockeyed = (args: ReadonlyArray<string>, env: Record<string, string>): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DAEMON_BIN, ...args], {
      env: { ...process.env, SOCKEYE_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => { stdout += c.toString("utf8") })
    child.stderr.on("data", (c: Buffer) => { stderr += c.toString("utf8") })
    child.once("error", reject)
    child.once("close", (code) => resolve({ code, stdout, stderr }))
  })

const publicTables = async (url: string) =>
  (await query<{ tablename: string }>(url, "select tablename from pg_tables where schemaname = 'public' order by 1"))
    .map((r) => r.tablename)

const ledger = async (url: string) =>
  (await query<{ migration_id: number; name: string }>(url, "select migration_id, name from sockeye_migrations order by 1"))
    .map((r) => `${r.migration_id}_${r.name}`)

const expectedLedger = () => migrationFiles().map((m) => `${m.id}_${m.name}`)

/** Complete: exactly the tables the migrations define, which include all of CoPilot's. */
const expectComplete = async (url: string) => {
  const tables = await publicTables(url)
  expect(tables).toEqual(definedTables())
  expect(tables).toEqual(expect.arrayContaining(Object.keys(reference.tables)))
  expect(tables.filter((t) => !t.startsWith("sockeye_"))).toHaveLength(71)
  expect(await ledger(url)).toEqual(expectedLedger())
}

const databases: Array<Awaited<ReturnType<typeof createTestDatabase>>> = []
const freshDatabase = async () => {
  const db = await createTestDatabase("mig")
  databases.push(db)
  return db
}
const daemons: Array<RunningDaemon> = []
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()))
})
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()))
})

describe("sockeyed migrate", () => {
  it("applies every migration on an empty database, then is up to date", async () => {
    const db = await freshDatabase()
    const env = { SOCKEYE_DATABASE_URL: db.url }
    const first = await sockeyed(["migrate", "up"], env)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout.trim().split("\n")).toEqual(expectedLedger().map((m) => `applied ${m}`))
    await expectComplete(db.url)
    const before = await query(db.url, "select migration_id, created_at from sockeye_migrations order by 1")

    const again = await sockeyed(["migrate", "up"], env)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout.trim()).toBe("up to date")
    expect(await query(db.url, "select migration_id, created_at from sockeye_migrations order by 1")).toEqual(before)
    await expectComplete(db.url)

    const status = await sockeyed(["migrate", "status"], env)
    expect(status.code, status.stderr).toBe(0)
    const lines = status.stdout.trim().split("\n")
    expect(lines.filter((l) => l.startsWith("pending"))).toEqual([])
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(" ")))
      .toEqual(migrationFiles().map((m) => `applied ${String(m.id).padStart(4, "0")}_${m.name}`))
  })

  it("status on an empty database lists every migration as pending", async () => {
    const db = await freshDatabase()
    const status = await sockeyed(["migrate", "status"], { SOCKEYE_DATABASE_URL: db.url })
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout.trim().split("\n"))
      .toEqual(migrationFiles().map((m) => `pending  ${String(m.id).padStart(4, "0")}_${m.name}`))
    expect(await publicTables(db.url)).toEqual([])
  })

  it("seeds CoPilot's roles with their fixed ids, and new roles do not collide", async () => {
    const db = await freshDatabase()
    expect((await sockeyed(["migrate", "up"], { SOCKEYE_DATABASE_URL: db.url })).code).toBe(0)
    expect(await query(db.url, "select id, name from role order by id")).toEqual([
      { id: 1, name: "admin" }, { id: 2, name: "analyst" }, { id: 3, name: "scheduler" }, { id: 4, name: "customer_user" }
    ])
    const [added] = await query<{ id: number }>(db.url, "insert into role (name, description) values ('x', 'x') returning id")
    expect(added!.id).toBe(5)
  })
})

describe("two daemons on one empty database", () => {
  it.each([1, 2, 3])("two concurrent `migrate up` both succeed and apply each file once (round %i)", async () => {
    const db = await freshDatabase()
    const runs = await Promise.all([1, 2].map(() => sockeyed(["migrate", "up"], { SOCKEYE_DATABASE_URL: db.url })))
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    // One of them applied everything; the other found nothing left to do.
    expect(runs.map((r) => r.stdout.trim()).sort())
      .toEqual([expectedLedger().map((m) => `applied ${m}`).join("\n"), "up to date"].sort())
    await expectComplete(db.url)
  })

  // Processes start with jitter that can hide a race; four pools in one process start in the same tick.
  it.each([1, 2, 3])("four migrators started in the same tick on separate pools agree (round %i)", async () => {
    const db = await freshDatabase()
    const migrator = Migrations.run.pipe(
      Effect.provide(PgClient.layer({ url: Redacted.make(db.url), transformResultNames: Str.snakeToCamel })),
      Effect.provide(DaemonConfig.layer({})),
      Effect.map((applied) => applied.length)
    )
    const counts = await Effect.runPromise(Effect.all([migrator, migrator, migrator, migrator], { concurrency: "unbounded" }))
    expect(counts.sort()).toEqual([0, 0, 0, migrationFiles().length])
    await expectComplete(db.url)
  })

  it.each([1, 2, 3])("two daemons started at once both come up (round %i)", async () => {
    const db = await freshDatabase()
    const started = await Promise.allSettled([1, 2].map(() => startDaemon({ databaseUrl: db.url })))
    for (const s of started) if (s.status === "fulfilled") daemons.push(s.value)
    expect(started.map((s) => s.status === "rejected" ? String(s.reason) : "up")).toEqual(["up", "up"])
    await expectComplete(db.url)
    // The first admin is created once, whichever daemon got there first.
    expect(await query(db.url, `select username, role_id from "user" where username = 'admin'`)).toEqual([{ username: "admin", role_id: 1 }])
  })
})

describe("a migration that fails", () => {
  const withBroken = () => {
    const dir = path.join(tempDir("migrations"), "migrations")
    fs.cpSync(migrationsDir, dir, { recursive: true })
    fs.writeFileSync(path.join(dir, "9999_broken.sql"),
      "CREATE TABLE broken_first (id integer);\n-- the next statement fails\nSELECT 1 / 0;\n")
    return dir
  }

  it("on an empty database: the daemon exits non-zero naming it, and nothing at all is applied", async () => {
    const db = await freshDatabase()
    const run = await sockeyed(["--socket", path.join(tempDir("sock"), "s.sock")],
      { SOCKEYE_DATABASE_URL: db.url, SOCKEYE_MIGRATIONS_DIR: withBroken() })
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain("migration 9999_broken failed: division by zero; no pending migration was applied")
    // Every pending file runs in one transaction, so 0001..0008 rolled back with 9999.
    expect(run.stderr).toContain("(they run in one transaction)")
    expect(run.stderr).not.toContain("listening on")
    expect(await publicTables(db.url)).toEqual(["sockeye_migrations"])
    expect(await ledger(db.url)).toEqual([])
  })

  it("on a migrated database: the earlier ones stay applied, 9999 leaves no trace", async () => {
    const db = await freshDatabase()
    expect((await sockeyed(["migrate", "up"], { SOCKEYE_DATABASE_URL: db.url })).code).toBe(0)
    const run = await sockeyed(["migrate", "up"], { SOCKEYE_DATABASE_URL: db.url, SOCKEYE_MIGRATIONS_DIR: withBroken() })
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain("migration 9999_broken failed: division by zero")
    expect(run.stdout).not.toMatch(/^applied/m)
    await expectComplete(db.url)
    expect(await publicTables(db.url)).not.toContain("broken_first")
    const status = await sockeyed(["migrate", "status"], { SOCKEYE_DATABASE_URL: db.url, SOCKEYE_MIGRATIONS_DIR: withBroken() })
    expect(status.stdout.trim().split("\n").at(-1)).toBe("pending  9999_broken")
  })

  it("a syntax error names the file and line", async () => {
    const db = await freshDatabase()
    const dir = withBroken()
    fs.writeFileSync(path.join(dir, "9999_broken.sql"), "CREATE TABLE ok_one (id integer);\n\nCREATE TABLE oops (id integr);\n")
    const run = await sockeyed(["migrate", "up"], { SOCKEYE_DATABASE_URL: db.url, SOCKEYE_MIGRATIONS_DIR: dir })
    expect(run.code).not.toBe(0)
    expect(run.stderr).toMatch(/migration 9999_broken failed: type \\?"integr\\?" does not exist \(9999_broken\.sql line 3\)/)
  })
})
