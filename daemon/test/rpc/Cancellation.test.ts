import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as net from "node:net"
import pg from "pg"
import {
  CancellationTokenSource, createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter,
  type MessageConnection
} from "vscode-jsonrpc/node"
import { createTestDatabase, query } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"

const credentials = { username: "admin", password: ADMIN_PASSWORD }

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
let socket: net.Socket
let connection: MessageConnection

beforeAll(async () => {
  db = await createTestDatabase("cancel")
  daemon = await startDaemon({ databaseUrl: db.url })
  socket = net.connect(daemon.socketPath!)
  await new Promise((r) => socket.once("connect", r))
  connection = createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket))
  connection.listen()
  await connection.sendRequest("initialize", { protocolVersion: "1", clientInfo: { name: "cancel-test" }, credentials })
})
afterAll(async () => {
  connection?.dispose()
  socket?.destroy()
  await daemon?.stop()
  await db?.drop()
})

/** Polls `check` every 20 ms until it holds; fails with `what` after `timeoutMs`. */
const eventually = async (what: string, check: () => Promise<boolean>, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The daemon's backends that wait for a lock on sockeye_api_tokens. */
const waitingOnTokens = () =>
  query<{ pid: number; query: string }>(db.url, `
    select a.pid, a.query from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.relation = 'sockeye_api_tokens'::regclass and not l.granted and a.application_name = $1`,
  [`sockeyed:${daemon.process.pid}`])

/** Holds an access exclusive lock on sockeye_api_tokens until `release`. */
const lockTokens = async () => {
  const locker = new pg.Client({ connectionString: db.url })
  await locker.connect()
  await locker.query("begin")
  await locker.query("lock table sockeye_api_tokens in access exclusive mode")
  return { release: async () => { await locker.query("rollback"); await locker.end() } }
}

/** Sends `method` with a cancellation token, waits until PostgreSQL blocks it, then cancels. */
const cancelWhileBlocked = async (method: string, params: object) => {
  const source = new CancellationTokenSource()
  const pending = connection.sendRequest(method, params, source.token).then(
    (result) => ({ result }),
    (error: unknown) => ({ error })
  )
  await eventually(`${method} waits for the lock`, async () => (await waitingOnTokens()).length === 1)
  source.cancel()
  return pending
}

describe("$/cancelRequest through vscode-jsonrpc's own client", () => {
  it("cancels a request blocked in PostgreSQL: -32800, and the server-side query is cancelled", async () => {
    const lock = await lockTokens()
    try {
      const outcome = await cancelWhileBlocked("auth/tokens/list", {})
      expect(outcome).toEqual({ error: expect.any(ResponseError) })
      const error = (outcome as { error: ResponseError<unknown> }).error
      expect(error.code).toBe(-32800)
      expect(error.message).toBe("auth/tokens/list was cancelled")
      // The lock is still held: a query still running would still be waiting for it.
      await eventually("no daemon backend waits on the lock", async () => (await waitingOnTokens()).length === 0)
      const active = await query(db.url, `select count(*)::int as n from pg_stat_activity
        where application_name = $1 and state = 'active'`, [`sockeyed:${daemon.process.pid}`])
      expect(active[0].n).toBe(0)
    } finally {
      await lock.release()
    }
    expect(await connection.sendRequest("auth/tokens/list", {})).toEqual([])
    expect(await connection.sendRequest("auth/whoami", {})).toMatchObject({ username: "admin" })
  })

  it("a cancelled write changes nothing, even after the lock is released", async () => {
    const lock = await lockTokens()
    let outcome
    try {
      outcome = await cancelWhileBlocked("auth/tokens/create", { name: "never" })
      await eventually("no daemon backend waits on the lock", async () => (await waitingOnTokens()).length === 0)
    } finally {
      await lock.release()
    }
    expect((outcome as { error: ResponseError<unknown> }).error?.code).toBe(-32800)
    expect(await query(db.url, "select name from sockeye_api_tokens")).toEqual([])
    const created = await connection.sendRequest("auth/tokens/create", { name: "after" }) as { id: number }
    expect(await query(db.url, "select id, name from sockeye_api_tokens")).toEqual([{ id: created.id, name: "after" }])
  })

  it("cancelling a finished or unknown request is harmless", async () => {
    const source = new CancellationTokenSource()
    const me = await connection.sendRequest("auth/whoami", {}, source.token)
    source.cancel()
    await connection.sendNotification("$/cancelRequest", { id: 987654 })
    expect(await connection.sendRequest("auth/whoami", {})).toEqual(me)
  })

  // @effect/sql-pg cancels through the pool, which is full here; daemon/src/db/Pool.ts sends
  // the cancel on a connection of its own.
  it("cancelling while the whole pool is blocked still cancels the queries in PostgreSQL", async () => {
    const lock = await lockTokens()
    const sources = Array.from({ length: 20 }, () => new CancellationTokenSource())
    const pending = sources.map((s) => connection.sendRequest("auth/tokens/list", {}, s.token).then(() => 0, (e: ResponseError<unknown>) => e.code))
    try {
      await eventually("all 16 pool connections wait on the lock", async () => (await waitingOnTokens()).length === 16)
      for (const s of sources) s.cancel()
      expect(await Promise.all(pending)).toEqual(sources.map(() => -32800))
      await eventually("no daemon backend waits on the lock", async () => (await waitingOnTokens()).length === 0, 1000)
    } finally {
      await lock.release()
    }
    expect(await connection.sendRequest("auth/tokens/list", {})).toHaveLength(1)
  })
})
