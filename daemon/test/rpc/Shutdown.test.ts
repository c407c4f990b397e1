import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
import { createTestDatabase, query } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, DAEMON_BIN, startDaemon, tempDir, type RunningDaemon } from "../fixtures/Daemon.js"
import { jsonFrame, openSocket, RawConnection, type WireMessage } from "../fixtures/RawFrames.js"

const credentials = { username: "admin", password: ADMIN_PASSWORD }

let db: Awaited<ReturnType<typeof createTestDatabase>>
const daemons: Array<RunningDaemon | ChildProcess> = []

beforeAll(async () => {
  db = await createTestDatabase("shutdown")
})
afterAll(async () => {
  for (const d of daemons) "stop" in d ? await d.stop() : d.kill("SIGKILL")
  await db?.drop()
})

const env = () => ({ ...process.env, SOCKEYE_DATABASE_URL: db.url, SOCKEYE_ADMIN_PASSWORD: ADMIN_PASSWORD })

const signIn = async (conn: RawConnection) => {
  const init = await conn.request("initialize", { protocolVersion: "1", clientInfo: { name: "shutdown-test" }, credentials })
  expect(init.result).toMatchObject({ user: { username: "admin" } })
}

const eventually = async (what: string, check: () => Promise<boolean>, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Holds an access exclusive lock on sockeye_api_tokens until `release`. */
const lockTokens = async () => {
  const locker = new pg.Client({ connectionString: db.url })
  await locker.connect()
  await locker.query("begin")
  await locker.query("lock table sockeye_api_tokens in access exclusive mode")
  return { release: async () => { await locker.query("rollback"); await locker.end() } }
}

/** Sends `auth/tokens/list` (id "blocked") and waits until PostgreSQL blocks it on the lock. */
const sendBlocked = async (conn: RawConnection, pid: number) => {
  await conn.write(jsonFrame({ jsonrpc: "2.0", id: "blocked", method: "auth/tokens/list", params: {} }))
  await eventually("auth/tokens/list waits for the lock", async () => (await query(db.url, `
    select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.relation = 'sockeye_api_tokens'::regclass and not l.granted and a.application_name = $1`,
  [`sockeyed:${pid}`])).length === 1)
}

/** Spawns `sockeyed --socket P`; resolves when it listens or exits, with its exit code and log. */
const spawnOnSocket = (socketPath: string) => {
  const child = spawn(process.execPath, [DAEMON_BIN, "--socket", socketPath], { env: env(), stdio: ["ignore", "ignore", "pipe"] })
  daemons.push(child)
  let log = ""
  // "close", not "exit": by then stderr has been read to its end.
  const exited = new Promise<number | null>((done) => child.once("close", (code) => done(code)))
  const started = new Promise<"listening" | "exited">((done) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8")
      if (log.includes("listening on unix socket")) done("listening")
    })
    void exited.then(() => done("exited"))
  })
  return { child, started, exited, log: () => log }
}

describe("shutdown and exit (LSP lifecycle)", () => {
  it("shutdown waits for in-flight requests, then answers null; later requests get -32600; exit closes", async () => {
    const daemon = await startDaemon({ databaseUrl: db.url })
    daemons.push(daemon)
    const conn = await openSocket(daemon.socketPath!)
    await signIn(conn)
    const lock = await lockTokens()
    try {
      await sendBlocked(conn, daemon.process.pid!)
      await conn.write(jsonFrame({ jsonrpc: "2.0", id: "shutdown", method: "shutdown", params: {} }))
      // Requests are dispatched in order, so once this is refused, shutdown has begun and is waiting.
      const late = await conn.request("auth/whoami", {})
      expect(late.error).toMatchObject({ code: -32600, message: "the connection is shutting down" })
      await new Promise((r) => setTimeout(r, 300))
      expect(conn.messages.pending()).toEqual([])
    } finally {
      await lock.release()
    }
    const order: Array<WireMessage> = [await conn.next(), await conn.next()]
    expect(order).toEqual([{ jsonrpc: "2.0", id: "blocked", result: [] }, { jsonrpc: "2.0", id: "shutdown", result: null }])
    expect((await conn.request("auth/tokens/list", {})).error).toMatchObject({ code: -32600 })
    expect((await conn.request("initialize", { protocolVersion: "1", clientInfo: { name: "x" }, credentials })).error?.code).toBe(-32600)
    await conn.notify("exit")
    await conn.messages.whenClosed()
    // The daemon goes on serving other connections.
    const other = await openSocket(daemon.socketPath!)
    await signIn(other)
    other.close()
  })
})

describe("the process", () => {
  it("SIGTERM lets an in-flight request finish within the grace period, exits 0 and removes the socket", async () => {
    const daemon = await startDaemon({ databaseUrl: db.url, env: { SOCKEYE_SHUTDOWN_GRACE_MS: "30000" } })
    daemons.push(daemon)
    const conn = await openSocket(daemon.socketPath!)
    await signIn(conn)
    const lock = await lockTokens()
    try {
      await sendBlocked(conn, daemon.process.pid!)
      daemon.process.kill("SIGTERM")
      // Once the daemon has taken the signal, new requests on this connection are refused.
      await eventually("the connection is shutting down", async () =>
        (await conn.request("auth/whoami", {})).error?.code === -32600)
      expect(fs.existsSync(daemon.socketPath!)).toBe(true)
    } finally {
      await lock.release()
    }
    expect(await conn.messages.response("blocked")).toEqual({ jsonrpc: "2.0", id: "blocked", result: [] })
    expect(await daemon.exited).toBe(0)
    expect(fs.existsSync(daemon.socketPath!)).toBe(false)
    expect(daemon.log()).not.toMatch(/level=(ERROR|FATAL)/)
  })

  it("sockeyed --stdio exits 0 when stdin closes", async () => {
    const child = spawn(process.execPath, [DAEMON_BIN, "--stdio"], { env: env(), stdio: ["pipe", "pipe", "pipe"] })
    daemons.push(child)
    let log = ""
    child.stderr!.on("data", (chunk: Buffer) => { log += chunk.toString("utf8") })
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)))
    const conn = new RawConnection(child.stdin!, child.stdout!)
    await signIn(conn)
    child.stdin!.end()
    expect(await exited).toBe(0)
    expect(log).toContain("stdio: disconnected")
    expect(log).not.toMatch(/level=(ERROR|FATAL)/)
  })
})

describe("the socket file", () => {
  it("a stale socket file is reclaimed; a live one is refused with a clear message and a non-zero exit", async () => {
    const socketPath = path.join(tempDir("stale"), "run", "sockeyed.sock")
    fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 })
    // A process that binds the socket and is killed leaves the file behind, answering nobody.
    const squatter = spawn(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(socketPath)}, () => console.log("up"))`],
      { stdio: ["ignore", "pipe", "inherit"] })
    await new Promise((r) => squatter.stdout!.once("data", r))
    squatter.kill("SIGKILL")
    await new Promise((r) => squatter.once("exit", r))
    expect(fs.statSync(socketPath).isSocket()).toBe(true)

    const first = spawnOnSocket(socketPath)
    expect(await first.started).toBe("listening")
    expect(first.log()).toContain(`reclaiming stale socket ${socketPath}`)
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600)

    const second = spawnOnSocket(socketPath)
    expect(await second.started).toBe("exited")
    expect(await second.exited).not.toBe(0)
    expect(second.log()).toContain(`another daemon is already listening on ${socketPath}`)
    expect(second.log()).not.toContain("    at ")

    // The refused daemon left the live one's socket alone.
    const conn = await openSocket(socketPath)
    await signIn(conn)
    conn.close()
    first.child.kill("SIGTERM")
    expect(await first.exited).toBe(0)
    expect(fs.existsSync(socketPath)).toBe(false)
  })
})
