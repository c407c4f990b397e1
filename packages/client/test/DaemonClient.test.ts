import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { connect, type ConnectionState } from "@sockeye/client"
import { Auth, SchemaMethods } from "@sockeye/protocol"
import { createTestDatabase } from "../../../daemon/test/fixtures/Postgres.js"
import { ADMIN_PASSWORD, daemonCommand, startDaemon, tempDir } from "../../../daemon/test/fixtures/Daemon.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
const credentials = { username: "admin", password: ADMIN_PASSWORD }

beforeAll(async () => { db = await createTestDatabase("client") })
afterAll(async () => { await db?.drop() })

const waitFor = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 100))
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

describe("DaemonClient", () => {
  it("decodes results into typed values and errors into tagged classes", async () => {
    const daemon = await startDaemon({ databaseUrl: db.url })
    const client = await connect({ kind: "socket", path: daemon.socketPath! }, { clientInfo: { name: "c" }, credentials })
    const token = await client.call(Auth.TokensCreate, { name: "x", expiresAt: new Date("2030-01-01T00:00:00Z") })
    const listed = (await client.call(Auth.TokensList, {})).find((t) => t.id === token.id)
    expect(listed?.expiresAt).toBeInstanceOf(Date)
    expect(listed?.expiresAt?.toISOString()).toBe("2030-01-01T00:00:00.000Z")
    await expect(client.call(SchemaMethods.TableGet, { name: "no_such_table" })).rejects.toMatchObject({ _tag: "NotFound" })
    await expect(client.raw("schema/table", { name: 1 })).rejects.toMatchObject({
      _tag: "InvalidParams", issues: [{ path: ["name"], message: expect.stringContaining("Expected string") }]
    })
    await client.close()
    await daemon.stop()
  })

  it("reconnects with backoff after the daemon goes away and comes back", async () => {
    const socketPath = path.join(tempDir("reconnect"), "run", "sockeyed.sock")
    const first = await startDaemon({ databaseUrl: db.url, socketPath })
    const states: Array<ConnectionState> = []
    const client = await connect({ kind: "socket", path: socketPath }, {
      clientInfo: { name: "c" }, credentials, onStateChange: (s) => states.push(s)
    })
    await first.stop()
    await waitFor(() => states.includes("reconnecting"), "reconnecting")
    await expect(client.call(Auth.Whoami, {})).rejects.toMatchObject({ _tag: "Unavailable" })
    const second = await startDaemon({ databaseUrl: db.url, socketPath })
    await waitFor(() => client.state === "connected", "reconnected")
    expect((await client.call(Auth.Whoami, {})).username).toBe("admin")
    await client.close()
    expect(client.state).toBe("closed")
    await second.stop()
  })

  it("auto: starts a shared daemon when none answers, and the next client reuses it", async () => {
    const socketPath = path.join(tempDir("auto"), "run", "sockeyed.sock")
    const env = { ...process.env, SOCKEYE_DATABASE_URL: db.url, SOCKEYE_ADMIN_PASSWORD: ADMIN_PASSWORD }
    const target = { kind: "auto", path: socketPath, command: daemonCommand, env } as const
    const a = await connect(target, { clientInfo: { name: "a" }, credentials })
    const b = await connect(target, { clientInfo: { name: "b" }, credentials })
    try {
      expect(a.transport).toBe(`unix socket ${socketPath}`)
      expect((await b.call(Auth.Whoami, {})).username).toBe("admin")
      const daemons = execFileSync("pgrep", ["-f", socketPath]).toString().trim().split("\n")
      expect(daemons).toHaveLength(1)
      expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600)
      expect(fs.statSync(path.dirname(socketPath)).mode & 0o777).toBe(0o700)
    } finally {
      await a.close()
      await b.close()
      execFileSync("pkill", ["-TERM", "-f", socketPath])
    }
  })

  it("auto: a daemon that exits before it listens fails the connect with its exit code and its log", async () => {
    const socketPath = path.join(tempDir("auto-fails"), "run", "sockeyed.sock")
    const fails = [process.execPath, "-e", "console.error('initdb failed: could not access directory: Permission denied'); process.exit(3)", "--"]
    await expect(connect({ kind: "auto", path: socketPath, command: fails }, { clientInfo: { name: "c" }, credentials }))
      .rejects.toThrow(/the daemon it started \(node -e .*\) exited with code 3 before .*sockeyed\.sock answered:\ninitdb failed: could not access directory: Permission denied\n\(from .*sockeyed\.log\)/)
    const missing = ["/nonexistent/sockeyed"]
    await expect(connect({ kind: "auto", path: socketPath, command: missing }, { clientInfo: { name: "c" }, credentials }))
      .rejects.toThrow(/the daemon it started \(sockeyed\) could not be started \(spawn \/nonexistent\/sockeyed ENOENT\)/)
  })
})
