import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Tags } from "@sockeye/protocol"
import { connect, type DaemonClient } from "@sockeye/client"
import { createTestDatabase, query } from "../fixtures/Postgres.js"
import { startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"
import { seedUser } from "../fixtures/Seed.js"
import { openSocket } from "../fixtures/RawFrames.js"

/** The audit shows which client did what, for which user, on whose behalf. */
let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
let userId = 0
const clients: Array<DaemonClient> = []

beforeAll(async () => {
  db = await createTestDatabase("provenance")
  daemon = await startDaemon({ databaseUrl: db.url, env: { SOCKEYE_SIEM: "none" } })
  userId = await seedUser(db.url, { username: "ana", role: "analyst" })
})
afterAll(async () => {
  for (const c of clients) await c.close()
  await daemon?.stop()
  await db?.drop()
})

const open = async (clientInfo: { name: string; version?: string }, onBehalfOf?: string) => {
  const client = await connect({ kind: "socket", path: daemon.socketPath! }, {
    clientInfo,
    credentials: { username: "ana", password: "password1" },
    ...(onBehalfOf !== undefined ? { onBehalfOf } : {})
  })
  clients.push(client)
  return client
}

const audits = async () =>
  (await query<{ userId: number; message: string; info: string }>(db.url,
    `select user_id as "userId", message, additional_info as info from log_entries where route = 'tags/create' order by id`))
    .map((row) => ({ userId: row.userId, message: row.message, info: JSON.parse(row.info) }))

describe("provenance of mutations", () => {
  it("records clientInfo and onBehalfOf (initialize's, overridden per request) in log_entries", async () => {
    const agent = await open({ name: "claude-code", version: "2.1.0" }, "alice")
    const editor = await open({ name: "vscode-sockeye" })
    await agent.call(Tags.TagsCreate, { tag: "from-agent" })
    await agent.call(Tags.TagsCreate, { tag: "for-bob", onBehalfOf: "bob (ticket SOC-7)" })
    await editor.call(Tags.TagsCreate, { tag: "from-editor" })
    await editor.preview(Tags.TagsCreate, { tag: "never", onBehalfOf: "carol" })
    expect(await audits()).toEqual([
      { userId, message: expect.stringContaining("from-agent"), info: { client: "claude-code/2.1.0", onBehalfOf: "alice" } },
      { userId, message: expect.stringContaining("for-bob"), info: { client: "claude-code/2.1.0", onBehalfOf: "bob (ticket SOC-7)" } },
      { userId, message: expect.stringContaining("from-editor"), info: { client: "vscode-sockeye" } }
    ])
  })

  it("refuses an empty, oversized or NUL-carrying onBehalfOf with -32602 at its path", async () => {
    const client = await open({ name: "strict" })
    for (const bad of ["", "x".repeat(257), "a\u0000b"]) {
      const error = await client.raw("tags/create", { tag: "bad", onBehalfOf: bad }).then(() => undefined, (e: unknown) => e as { _tag: string; issues: Array<{ path: Array<unknown> }> })
      expect(error?._tag).toBe("InvalidParams")
      expect(error!.issues[0]!.path).toEqual(["onBehalfOf"])
    }
    const raw = await openSocket(daemon.socketPath!)
    try {
      const answer = await raw.request("initialize", {
        protocolVersion: "1", clientInfo: { name: "raw" }, credentials: { username: "ana", password: "password1" }, onBehalfOf: "x".repeat(257)
      })
      expect(answer.error?.code).toBe(-32602)
      const issues = (answer.error?.data as { issues: Array<{ path: Array<unknown> }> }).issues
      expect(issues.length).toBeGreaterThan(0)
      for (const issue of issues) expect(issue.path).toEqual(["onBehalfOf"])
    } finally {
      raw.close()
    }
    expect((await audits()).some((a) => a.message.includes("bad"))).toBe(false)
  })
})
