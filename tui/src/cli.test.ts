import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { createTestDatabase, query } from "../../daemon/test/fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, tempDir, type RunningDaemon } from "../../daemon/test/fixtures/Daemon.js"

/** The built CLI, as a script or an agent runs it (`npm test` builds first). */
const SOCKEYE_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bin/sockeye.js")

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
const started: Array<number> = []

beforeAll(async () => {
  db = await createTestDatabase("cli")
  daemon = await startDaemon({ databaseUrl: db.url })
})
afterAll(async () => {
  for (const pid of started) process.kill(pid, "SIGTERM")
  await daemon?.stop()
  await db?.drop()
})

/** Environment without any SOCKEYE_ credential of the machine running the tests. */
const cleanEnv = (extra: Record<string, string> = {}) => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("SOCKEYE_") && v !== undefined) env[k] = v
  return { ...env, ...extra }
}

const sockeye = (args: ReadonlyArray<string>, options: { env?: Record<string, string>; input?: string } = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [SOCKEYE_BIN, ...args], { env: options.env ?? cleanEnv(), stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => { stdout += c.toString("utf8") })
    child.stderr.on("data", (c: Buffer) => { stderr += c.toString("utf8") })
    child.stdin.end(options.input ?? "")
    child.once("close", (code) => resolve({ code, stdout, stderr }))
  })

const asAdmin = () => ["--socket", daemon.socketPath!, "--user", "admin", "--password", ADMIN_PASSWORD]

describe("sockeye call", () => {
  it("prints the result as JSON on stdout and exits 0", async () => {
    const run = await sockeye(["call", "auth/whoami", ...asAdmin()])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ username: "admin", role: "admin" })
  })

  it("prints a daemon error as {code, message, data} on stderr and exits 1", async () => {
    const missing = await sockeye(["call", "alerts/get", "{\"id\": 999999}", ...asAdmin()])
    expect(missing).toMatchObject({ code: 1, stdout: "" })
    expect(JSON.parse(missing.stderr)).toEqual({ code: -32004, message: "alert 999999 not found" })

    const invalid = await sockeye(["call", "alerts/list", "{\"limit\": 0}", ...asAdmin()])
    expect(invalid.code).toBe(1)
    const error = JSON.parse(invalid.stderr)
    expect(error.code).toBe(-32602)
    expect(error.data.issues[0].path).toEqual(["limit"])

    const refused = await sockeye(["call", "auth/whoami", "--socket", daemon.socketPath!, "--user", "admin", "--password", "wrong"])
    expect(refused.code).toBe(1)
    expect(JSON.parse(refused.stderr)).toEqual({ code: -32001, message: "wrong username or password" })

    const nobody = await sockeye(["call", "auth/whoami", "--socket", path.join(tempDir("none"), "no.sock")])
    expect(nobody.code).toBe(1)
    expect(JSON.parse(nobody.stderr).code).toBe(-32010)
  })

  it("exits 2 on usage errors, with nothing on stdout", async () => {
    for (const args of [
      ["call", "alerts/get", "{\"id\":", ...asAdmin()],
      ["call", "alerts/get", "[1]", ...asAdmin()],
      ["call", ...asAdmin()],
      ["call", "auth/whoami", "--socket", "a", "--connect", "h:1"],
      ["call", "auth/whoami", "--user", "admin"],
      ["call", "auth/whoami", "--no-such-flag"],
      ["frobnicate"]
    ]) {
      const run = await sockeye(args)
      expect(run.code, args.join(" ")).toBe(2)
      expect(run.stdout, args.join(" ")).toBe("")
      expect(run.stderr, args.join(" ")).toMatch(/^sockeye: /)
    }
  })

  it("reads params from stdin with -, and authenticates with a token from SOCKEYE_TOKEN", async () => {
    const created = await sockeye(["call", "auth/tokens/create", "-", "--compact", ...asAdmin()], { input: "{\"name\": \"cli-test\"}" })
    expect(created.code).toBe(0)
    expect(created.stdout.trim().split("\n")).toHaveLength(1)
    const { token } = JSON.parse(created.stdout) as { token: string }
    const viaToken = await sockeye(["call", "auth/whoami", "--socket", daemon.socketPath!], { env: cleanEnv({ SOCKEYE_TOKEN: token }) })
    expect(viaToken.code).toBe(0)
    expect(JSON.parse(viaToken.stdout).username).toBe("admin")
  })

  it("--dry-run previews a mutation; --on-behalf-of (or SOCKEYE_ON_BEHALF_OF) goes into its audit entry", async () => {
    const dry = await sockeye(["call", "tags/create", "{\"tag\": \"cli-dry\"}", "--dry-run", ...asAdmin()])
    expect(dry.code).toBe(0)
    const preview = JSON.parse(dry.stdout) as { dryRun: boolean; changes: Array<{ table: string; op: string }> }
    expect(preview.dryRun).toBe(true)
    expect(preview.changes).toContainEqual(expect.objectContaining({ table: "incident_management_alerttag", op: "insert" }))
    const real = await sockeye(["call", "tags/create", "{\"tag\": \"cli-dry\"}", "--on-behalf-of", "alice (SOC-1)", ...asAdmin()])
    expect(real.code).toBe(0)
    const viaEnv = await sockeye(["call", "tags/create", "{\"tag\": \"cli-env\"}", ...asAdmin()], { env: cleanEnv({ SOCKEYE_ON_BEHALF_OF: "bob" }) })
    expect(viaEnv.code).toBe(0)
    const rows = await query<{ info: string }>(db.url, "select additional_info as info from log_entries where route = 'tags/create' order by id")
    expect(rows.map((r) => JSON.parse(r.info).onBehalfOf)).toEqual(["alice (SOC-1)", "bob"])
    expect(JSON.parse(rows[0]!.info).client).toMatch(/^sockeye\//)
  })

  it("--stdio spawns a private daemon of this checkout", async () => {
    const run = await sockeye(["call", "schema/table", "{\"name\": \"incident_management_alert\"}", "--stdio", "--user", "admin", "--password", ADMIN_PASSWORD],
      { env: cleanEnv({ SOCKEYE_DATABASE_URL: db.url }) })
    expect(run.stderr).toBe("")
    expect(JSON.parse(run.stdout)).toMatchObject({ name: "incident_management_alert", primaryKey: ["id"] })
  })

  it("with no connection flag, starts the shared daemon on the default socket and reuses it", async () => {
    const runtime = tempDir("xdg")
    const env = cleanEnv({ XDG_RUNTIME_DIR: runtime, SOCKEYE_DATABASE_URL: db.url, SOCKEYE_USER: "admin", SOCKEYE_PASSWORD: ADMIN_PASSWORD })
    const socket = path.join(runtime, "sockeye", "sockeyed.sock")
    const first = await sockeye(["call", "auth/whoami"], { env })
    // The daemon it started outlives it: stop it after the tests (by its pid, found by its unique socket).
    const pids = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).split("\n")
      .filter((line) => line.includes(socket)).map((line) => Number(line.trim().split(/\s+/)[0]))
    started.push(...pids)
    expect(first.stderr).toBe("")
    expect(JSON.parse(first.stdout).username).toBe("admin")
    expect(fs.existsSync(socket)).toBe(true)
    expect(pids).toHaveLength(1)
    const second = await sockeye(["call", "auth/whoami"], { env })
    expect(second.code).toBe(0)
  })
})

describe("sockeye methods", () => {
  it("lists every method with its one-line description", async () => {
    const run = await sockeye(["methods"])
    expect(run.code).toBe(0)
    const line = run.stdout.split("\n").find((l) => l.startsWith("alerts/list "))
    expect(line).toMatch(/^alerts\/list\s+\S.{10,}/)
    const json = JSON.parse((await sockeye(["methods", "--json"])).stdout) as Array<{ method: string; description: string }>
    expect(json.map((m) => m.method)).toContain("schema/drift")
    expect(run.stdout.trim().split("\n")).toHaveLength(json.length)
  })

  it("with no command starts the terminal UI, which needs a terminal; --help lists the commands", async () => {
    const run = await sockeye([])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/needs a terminal/)
    const help = await sockeye(["--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("sockeye call METHOD")
    expect(help.stdout).toContain("--readonly")
  })
})

describe("sockeye mcp", () => {
  it("serves MCP to the SDK client, proxied to the daemon as the token's user; a bad token fails initialize", async () => {
    const created = await sockeye(["call", "auth/tokens/create", "{\"name\": \"mcp\"}", ...asAdmin()])
    const { token } = JSON.parse(created.stdout) as { token: string }
    const transport = new StdioClientTransport({
      command: process.execPath, args: [SOCKEYE_BIN, "mcp", "--socket", daemon.socketPath!], env: cleanEnv({ SOCKEYE_TOKEN: token }), stderr: "pipe"
    })
    const client = new Client({ name: "cli-mcp-test", version: "1.0.0" })
    await client.connect(transport)
    try {
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name)).toContain("alerts_list")
      expect(tools.map((t) => t.name)).not.toContain("rpc.discover")
      const me = await client.callTool({ name: "auth_whoami", arguments: {} })
      expect(me.structuredContent).toMatchObject({ username: "admin" })
      const missing = await client.callTool({ name: "alerts_get", arguments: { id: 999999 } })
      expect(missing.isError).toBe(true)
    } finally {
      await client.close()
    }
    const refused = new Client({ name: "cli-mcp-test", version: "1.0.0" })
    const bad = new StdioClientTransport({
      command: process.execPath, args: [SOCKEYE_BIN, "mcp", "--socket", daemon.socketPath!, "--token", "sk_nope"], env: cleanEnv(), stderr: "pipe"
    })
    await expect(refused.connect(bad)).rejects.toMatchObject({ code: -32001 })
  })
})
