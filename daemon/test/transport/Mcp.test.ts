import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { McpError } from "@modelcontextprotocol/sdk/types.js"
import { lifecycleMethods, methods } from "@sockeye/protocol"
import { execFileSync, spawn } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import * as readline from "node:readline"
import { createTestDatabase, query } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, DAEMON_BIN } from "../fixtures/Daemon.js"
import { seedCustomer, seedUser } from "../fixtures/Seed.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
const token = `sk_test_${randomBytes(24).toString("hex")}`
const ids = { visible: 0, otherTag: 0, untagged: 0 }

const insertAlert = async (name: string, tagId: number | null) => {
  const [row] = await query(db.url, `insert into incident_management_alert
    (alert_name, alert_description, status, alert_creation_time, customer_code, source, escalated)
    values ($1, $1, 'OPEN', now(), 'C1', 'wazuh', false) returning id`, [name])
  if (tagId !== null) await query(db.url, `insert into incident_management_alert_to_tag (alert_id, tag_id) values ($1, $2)`, [row.id, tagId])
  return row.id as number
}

/**
 * An analyst whose token is known (stored as its sha256, as auth/tokens/create stores it), tag RBAC
 * on with untagged alerts admin-only, and three alerts of which the analyst may see one.
 */
beforeAll(async () => {
  db = await createTestDatabase("mcp")
  execFileSync(process.execPath, [DAEMON_BIN, "migrate"], { env: { ...process.env, SOCKEYE_DATABASE_URL: db.url }, stdio: "ignore" })
  await seedCustomer(db.url, "C1")
  const analyst = await seedUser(db.url, { username: "agent-analyst", role: "analyst" })
  await query(db.url, `insert into sockeye_api_tokens (user_id, name, token_hash) values ($1, 'mcp', $2)`,
    [analyst, createHash("sha256").update(token).digest("hex")])
  const [granted] = await query(db.url, `insert into incident_management_alerttag (tag) values ('granted') returning id`)
  const [other] = await query(db.url, `insert into incident_management_alerttag (tag) values ('other') returning id`)
  await query(db.url, `insert into user_tag_access (user_id, tag_id, created_at) values ($1, $2, now())`, [analyst, granted.id])
  await query(db.url, `insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior, default_tag_id, updated_at)
    values (true, 'admin_only', null, now())`)
  ids.visible = await insertAlert("visible to the analyst", granted.id)
  ids.otherTag = await insertAlert("tagged for others", other.id)
  ids.untagged = await insertAlert("untagged", null)
})
afterAll(async () => {
  await db?.drop()
})

const env = (extra: Record<string, string>) => ({
  ...process.env as Record<string, string>,
  SOCKEYE_DATABASE_URL: db.url,
  SOCKEYE_ADMIN_PASSWORD: ADMIN_PASSWORD,
  ...extra
})

const connectSdk = async (extraEnv: Record<string, string>) => {
  const transport = new StdioClientTransport({ command: process.execPath, args: [DAEMON_BIN, "--mcp"], env: env(extraEnv), stderr: "pipe" })
  let log = ""
  transport.stderr?.on("data", (chunk: Buffer) => { log += chunk.toString("utf8") })
  const client = new Client({ name: "mcp-sdk-test", version: "1.0.0" })
  await client.connect(transport)
  return { client, log: () => log }
}

const textOf = (result: { content?: unknown }) => ((result.content as Array<{ type: string; text: string }>)[0]!).text

describe("sockeyed --mcp with the official MCP SDK client", () => {
  it("lists every method but the lifecycle ones as a tool, calls them as the token's user, and reads resources", async () => {
    const { client, log } = await connectSdk({ SOCKEYE_TOKEN: token })
    try {
      expect(client.getServerVersion()).toMatchObject({ name: "sockeyed" })
      expect(client.getServerCapabilities()).toMatchObject({ tools: { listChanged: false }, resources: {} })

      const { tools } = await client.listTools()
      const expected = methods.filter((m) => !lifecycleMethods.has(m.method)).map((m) => m.method.replaceAll("/", "_"))
      expect(tools.map((t) => t.name).sort()).toEqual([...expected].sort())
      for (const tool of tools) {
        expect(tool.inputSchema.type, tool.name).toBe("object")
        expect(tool.outputSchema?.type, tool.name).toBe("object")
        expect(typeof tool.annotations?.readOnlyHint, tool.name).toBe("boolean")
      }
      expect(tools.find((t) => t.name === "alerts_list")!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
      expect(tools.find((t) => t.name === "alerts_delete")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })

      // The SDK validates structuredContent against each tool's outputSchema itself.
      const me = await client.callTool({ name: "auth_whoami", arguments: {} })
      expect(me.structuredContent).toMatchObject({ username: "agent-analyst", role: "analyst" })

      const listed = await client.callTool({ name: "alerts_list", arguments: {} })
      expect(listed.isError).toBeFalsy()
      const page = listed.structuredContent as { items: Array<{ id: number }>; nextCursor: string | null }
      expect(page.items.map((a) => a.id)).toEqual([ids.visible])
      expect(JSON.parse(textOf(listed))).toEqual(page)

      const tags = await client.callTool({ name: "tags_list", arguments: {} })
      expect((tags.structuredContent as { result: Array<{ tag: string }> }).result.map((t) => t.tag).sort()).toEqual(["granted", "other"])

      // A write goes through the same visibility: the hidden alert does not exist for this user.
      const updated = await client.callTool({ name: "alerts_update", arguments: { ids: [ids.visible], set: { escalated: true } } })
      expect(updated.structuredContent).toEqual({ updated: [ids.visible] })
      for (const id of [ids.otherTag, ids.untagged]) {
        const hidden = await client.callTool({ name: "alerts_update", arguments: { ids: [id], set: { escalated: true } } })
        expect(hidden.isError).toBe(true)
        expect(JSON.parse(textOf(hidden))).toEqual({ error: { code: -32004, message: `alert ${id} not found` } })
      }
      const [row] = await query(db.url, `select escalated from incident_management_alert where id = $1`, [ids.otherTag])
      expect(row.escalated).toBe(false)

      // A dry run: the SDK checks the preview against the tool's outputSchema; nothing changes.
      const dry = await client.callTool({
        name: "alerts_update",
        arguments: { ids: [ids.visible], set: { status: "CLOSED" }, dryRun: true, onBehalfOf: "alice (SOC-42)" }
      })
      expect(dry.isError).toBeFalsy()
      type Change = { table: string; id: unknown; op: string; before?: Record<string, unknown>; after?: Record<string, unknown> }
      const preview = dry.structuredContent as { dryRun: boolean; changes: Array<Change>; result: unknown }
      expect(preview.dryRun).toBe(true)
      expect(preview.result).toEqual({ updated: [ids.visible] })
      expect(preview.changes.find((c) => c.table === "incident_management_alert"))
        .toMatchObject({ id: ids.visible, op: "update", before: { status: "OPEN" }, after: { status: "CLOSED" } })
      const wouldAudit = preview.changes.find((c) => c.table === "log_entries")!
      expect(JSON.parse(wouldAudit.after!["additional_info"] as string)).toEqual({ client: "mcp-sdk-test/1.0.0", onBehalfOf: "alice (SOC-42)" })
      const [still] = await query(db.url, `select status from incident_management_alert where id = $1`, [ids.visible])
      expect(still.status).toBe("OPEN")
      const hiddenDry = await client.callTool({ name: "alerts_update", arguments: { ids: [ids.otherTag], set: { status: "CLOSED" }, dryRun: true } })
      expect(JSON.parse(textOf(hiddenDry))).toEqual({ error: { code: -32004, message: `alert ${ids.otherTag} not found` } })
      // The real update above is audited with the MCP client's clientInfo; the dry run left no entry.
      const audits = await query(db.url, `select additional_info from log_entries where route = 'alerts/update' order by id`)
      expect(audits.map((a) => JSON.parse(a.additional_info))).toEqual([{ client: "mcp-sdk-test/1.0.0" }])

      // Bad params: a tool result with isError and the -32602 issues, so the model can correct itself.
      const bad = await client.callTool({ name: "alerts_list", arguments: { limit: 0, bogus: 1 } })
      expect(bad.isError).toBe(true)
      const error = JSON.parse(textOf(bad)).error
      expect(error.code).toBe(-32602)
      expect(error.data.issues.length).toBeGreaterThan(0)

      const { resourceTemplates } = await client.listResourceTemplates()
      expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["sockeye://alert/{id}", "sockeye://case/{id}"])
      const { resources } = await client.listResources()
      expect(resources.map((r) => r.uri)).toEqual(["sockeye://schema/document"])
      const alert = await client.readResource({ uri: `sockeye://alert/${ids.visible}` })
      expect(alert.contents[0]).toMatchObject({ uri: `sockeye://alert/${ids.visible}`, mimeType: "application/json" })
      expect(JSON.parse((alert.contents[0] as { text: string }).text)).toMatchObject({ id: ids.visible, name: "visible to the analyst" })
      const hidden = client.readResource({ uri: `sockeye://alert/${ids.otherTag}` })
      await expect(hidden).rejects.toBeInstanceOf(McpError)
      await expect(hidden).rejects.toMatchObject({ code: -32002 })
      const schema = await client.readResource({ uri: "sockeye://schema/document" })
      expect((schema.contents[0] as { text: string }).text).toContain("incident_management_alert")

      expect(log()).toContain("mcp-sdk-test/1.0.0 signed in as agent-analyst (analyst)")
    } finally {
      await client.close()
    }
  })

  it("a refused token fails initialize with -32001", async () => {
    const attempt = connectSdk({ SOCKEYE_TOKEN: "sk_wrong" })
    await expect(attempt).rejects.toMatchObject({ code: -32001, message: expect.stringContaining("invalid, expired or revoked token") })
  })
})

describe("sockeyed --mcp on raw lines", () => {
  it("answers garbage with a parse error (id null) and keeps serving; stdin's end stops it", async () => {
    const child = spawn(process.execPath, [DAEMON_BIN, "--mcp", "--trust-local", "agent-analyst"], {
      env: env({ SOCKEYE_MAX_MESSAGE_BYTES: "4096" }),
      stdio: ["pipe", "pipe", "ignore"]
    })
    const answers = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
    const next = async () => JSON.parse((await answers.next()).value as string)
    const send = (line: string) => child.stdin!.write(`${line}\n`)

    send("this is not json")
    expect(await next()).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: expect.stringContaining("parse error") } })
    send(JSON.stringify({ jsonrpc: "2.0", id: "big", method: "ping", params: { pad: "x".repeat(5000) } }))
    expect(await next()).toMatchObject({ id: null, error: { code: -32013 } })
    send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw" } } }))
    expect(await next()).toMatchObject({ id: 1, result: { protocolVersion: "2025-11-25", serverInfo: { name: "sockeyed" } } })
    send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }))
    send("{\"jsonrpc\":\"2.0\",\"id\":2,")
    expect(await next()).toMatchObject({ id: null, error: { code: -32700 } })
    send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "auth_whoami", arguments: {} } }))
    expect(await next()).toMatchObject({ id: 3, result: { structuredContent: { username: "agent-analyst" } } })
    child.stdin!.end()
    expect(await new Promise((resolve) => child.once("exit", resolve))).toBe(0)
  })
})
