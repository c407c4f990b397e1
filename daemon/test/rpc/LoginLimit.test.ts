import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createTestDatabase } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"
import { openSocket, openTcp, type RawConnection } from "../fixtures/RawFrames.js"
import { seedUser } from "../fixtures/Seed.js"

/** Failed sign-ins are limited per username and per peer, answered -32001 with data.retryAfterMs. */
const WINDOW_MS = 3000
let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon

beforeAll(async () => {
  db = await createTestDatabase("loginlimit")
  daemon = await startDaemon({
    databaseUrl: db.url, tcp: true,
    env: { SOCKEYE_LOGIN_MAX_FAILURES: "3", SOCKEYE_LOGIN_MAX_FAILURES_PER_PEER: "6", SOCKEYE_LOGIN_WINDOW_MS: String(WINDOW_MS) }
  })
  await seedUser(db.url, { username: "victim", role: "analyst" })
  await seedUser(db.url, { username: "bystander", role: "analyst" })
})
afterAll(async () => {
  await daemon?.stop()
  await db?.drop()
})

const signIn = async (conn: RawConnection, username: string, password: string) =>
  conn.request("initialize", { protocolVersion: "1", clientInfo: { name: "limit-test" }, credentials: { username, password } })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("failed sign-in limit", () => {
  it("locks a username after its failures, even for the right password, then lets it in after the window", async () => {
    const conn = await openSocket(daemon.socketPath!)
    try {
      for (let i = 0; i < 3; i++) {
        expect((await signIn(conn, "victim", "guess")).error).toMatchObject({ code: -32001, message: "wrong username or password" })
      }
      const locked = (await signIn(conn, "victim", "password1")).error!
      expect(locked).toMatchObject({ code: -32001, message: expect.stringContaining("too many failed sign-ins") })
      expect(locked.data.retryAfterMs).toBeGreaterThan(0)
      expect(locked.data.retryAfterMs).toBeLessThanOrEqual(WINDOW_MS)
      // Case does not dodge the lock.
      expect((await signIn(conn, "VICTIM", "guess")).error?.data?.retryAfterMs).toBeGreaterThan(0)
      // Another user on the same (local) peer is not locked.
      expect((await signIn(conn, "bystander", "password1")).result).toMatchObject({ user: { username: "bystander" } })
    } finally {
      conn.close()
    }
    await sleep(WINDOW_MS + 200)
    const again = await openSocket(daemon.socketPath!)
    try {
      expect((await signIn(again, "victim", "password1")).result).toMatchObject({ user: { username: "victim" } })
    } finally {
      again.close()
    }
  })

  it("limits a TCP peer spraying many usernames, and tokens count against the peer", async () => {
    await sleep(WINDOW_MS + 200)
    const conns: Array<RawConnection> = []
    try {
      for (let i = 0; i < 5; i++) {
        const conn = await openTcp(daemon.tcp!.host, daemon.tcp!.port)
        conns.push(conn)
        expect((await signIn(conn, `nobody${i}`, "x")).error).toMatchObject({ code: -32001, message: "wrong username or password" })
      }
      const conn = await openTcp(daemon.tcp!.host, daemon.tcp!.port)
      conns.push(conn)
      const token = await conn.request("initialize", { protocolVersion: "1", clientInfo: { name: "t" }, credentials: { token: "sk_guess" } })
      expect(token.error).toMatchObject({ code: -32001, message: "invalid, expired or revoked token" })
      const locked = (await signIn(conn, "admin", ADMIN_PASSWORD)).error!
      expect(locked).toMatchObject({ code: -32001, message: expect.stringContaining("too many failed sign-ins") })
      expect(locked.data.retryAfterMs).toBeGreaterThan(0)
      // The unix socket is another peer: local sign-ins still work.
      const local = await openSocket(daemon.socketPath!)
      conns.push(local)
      expect((await signIn(local, "admin", ADMIN_PASSWORD)).result).toMatchObject({ user: { username: "admin" } })
    } finally {
      for (const conn of conns) conn.close()
    }
  })

  it("parallel guesses cannot slip past the limit before the first failure lands", async () => {
    await sleep(WINDOW_MS + 200)
    const conns = await Promise.all(Array.from({ length: 10 }, () => openSocket(daemon.socketPath!)))
    try {
      const answers = await Promise.all(conns.map((conn) => signIn(conn, "victim", "guess")))
      const checked = answers.filter((a) => a.error?.message === "wrong username or password")
      const refused = answers.filter((a) => a.error?.data?.retryAfterMs !== undefined)
      expect(checked.length).toBe(3)
      expect(refused.length).toBe(7)
    } finally {
      for (const conn of conns) conn.close()
    }
  })

  it("parallel sign-ins with the right password, more than the limit, are queued and all succeed", async () => {
    const conns = await Promise.all(Array.from({ length: 8 }, () => openSocket(daemon.socketPath!)))
    try {
      const answers = await Promise.all(conns.map((conn) => signIn(conn, "bystander", "password1")))
      expect(answers.map((a) => a.result ? "ok" : JSON.stringify(a.error))).toEqual(Array(8).fill("ok"))
    } finally {
      for (const conn of conns) conn.close()
    }
  })
})
