import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connect, type Target } from "@sockeye/client"
import { Auth, SchemaMethods } from "@sockeye/protocol"
import * as net from "node:net"
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node"
import { createTestDatabase } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, daemonCommand, startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon

beforeAll(async () => {
  db = await createTestDatabase("transports")
  daemon = await startDaemon({ databaseUrl: db.url, tcp: true })
})
afterAll(async () => {
  await daemon?.stop()
  await db?.drop()
})

const credentials = { username: "admin", password: ADMIN_PASSWORD }

const targets = (): Array<[string, Target]> => [
  ["stdio", { kind: "stdio", command: daemonCommand, env: { ...process.env, SOCKEYE_DATABASE_URL: db.url }, stderr: "ignore" }],
  ["unix socket", { kind: "socket", path: daemon.socketPath! }],
  ["tcp", { kind: "tcp", host: daemon.tcp!.host, port: daemon.tcp!.port }]
]

describe("every transport through packages/client", () => {
  it.each([0, 1, 2])("transport %#: initialize, whoami, tokens, schema", async (index) => {
    const [, target] = targets()[index]!
    const client = await connect(target, { clientInfo: { name: "transport-test" }, credentials })
    try {
      expect(client.user).toMatchObject({ username: "admin", role: "admin" })
      expect(client.info?.capabilities.methods).toContain("schema/drift")
      expect(await client.call(Auth.Whoami, {})).toEqual(client.user)
      const created = await client.call(Auth.TokensCreate, { name: `t${index}` })
      expect(created.token).toMatch(/^sk_/)
      const tokens = await client.call(Auth.TokensList, {})
      expect(tokens.map((t) => t.id)).toContain(created.id)
      const tables = await client.call(SchemaMethods.Tables, {})
      expect(tables.find((t) => t.name === "incident_management_alert")?.primaryKey).toEqual(["id"])
    } finally {
      await client.close()
    }
  })
})

describe("vscode-jsonrpc's own client", () => {
  const rawConnection = (socket: net.Socket) => {
    const connection = createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket))
    connection.listen()
    return connection
  }

  it("speaks to the unix socket and to TCP", async () => {
    for (const open of [() => net.connect(daemon.socketPath!), () => net.connect(daemon.tcp!.port, daemon.tcp!.host)]) {
      const socket = open()
      await new Promise((r) => socket.once("connect", r))
      const connection = rawConnection(socket)
      const init = await connection.sendRequest("initialize", {
        protocolVersion: "1", clientInfo: { name: "raw" }, credentials
      }) as { user: { username: string } }
      expect(init.user.username).toBe("admin")
      const me = await connection.sendRequest("auth/whoami", {}) as { role: string }
      expect(me.role).toBe("admin")
      await connection.sendRequest("shutdown", {})
      connection.dispose()
      socket.destroy()
    }
  })
})

describe("tokens", () => {
  it("a token authenticates until it is revoked; the hash is what is stored", async () => {
    const admin = await connect({ kind: "socket", path: daemon.socketPath! }, { clientInfo: { name: "t" }, credentials })
    const { id, token } = await admin.call(Auth.TokensCreate, { name: "agent" })
    const viaToken = await connect({ kind: "tcp", ...daemon.tcp! }, { clientInfo: { name: "agent" }, credentials: { token } })
    expect(viaToken.user?.username).toBe("admin")
    await viaToken.close()
    expect(await admin.call(Auth.TokensRevoke, { id })).toEqual({ revoked: [id] })
    await expect(connect({ kind: "tcp", ...daemon.tcp! }, { clientInfo: { name: "agent" }, credentials: { token } }))
      .rejects.toMatchObject({ _tag: "Unauthenticated" })
    const expired = await admin.call(Auth.TokensCreate, { name: "old", expiresAt: new Date(Date.now() - 1000) })
    await expect(connect({ kind: "tcp", ...daemon.tcp! }, { clientInfo: { name: "agent" }, credentials: { token: expired.token } }))
      .rejects.toMatchObject({ _tag: "Unauthenticated" })
    await admin.close()
  })
})
