import { describe, expect, it } from "vitest"
import AjvModule from "ajv"
import { LineSplitter, lifecycleMethods, Mcp, McpServer, methods, type McpBackend, type Outcome } from "../src/index.js"

const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule

const refsOf = (value: unknown): Array<string> =>
  JSON.stringify(value).match(/"\$ref":"[^"]*"/g)?.map((r) => r.slice(8, -1)) ?? []

describe("MCP tools from the protocol", () => {
  const tools = Mcp.toolsOf()

  it("every method but the lifecycle ones is a tool named with _ for /", () => {
    const expected = methods.filter((m) => !lifecycleMethods.has(m.method)).map((m) => m.method.replaceAll("/", "_"))
    expect(tools.map((t) => t.tool.name)).toEqual(expected)
    expect(tools.map((t) => t.tool.name)).toContain("alerts_list")
    expect(tools.some((t) => t.tool.name.includes("discover") || t.tool.name === "initialize")).toBe(false)
    for (const { tool } of tools) expect(tool.name).toMatch(/^[A-Za-z0-9_.-]{1,64}$/)
  })

  it("schemas are self-contained objects: root type object, every $ref into their own $defs, no $id", () => {
    for (const { tool } of tools) {
      for (const schema of [tool.inputSchema, tool.outputSchema]) {
        expect(schema["type"], tool.name).toBe("object")
        expect(JSON.stringify(schema), tool.name).not.toMatch(/"\$id"|"\$schema"|components/)
        const defs = (schema["$defs"] ?? {}) as Record<string, unknown>
        for (const ref of refsOf(schema)) {
          expect(ref, tool.name).toMatch(/^#\/\$defs\//)
          expect(defs, `${tool.name} ${ref}`).toHaveProperty(ref.slice(8))
        }
      }
    }
  })

  it("every schema compiles in one Ajv instance, as MCP clients (the SDK) compile them", () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
    for (const { tool } of tools) {
      expect(() => ajv.compile(tool.inputSchema), tool.name).not.toThrow()
      expect(() => ajv.compile(tool.outputSchema), tool.name).not.toThrow()
    }
  })

  it("wraps results that are not objects as {result}, and keeps objects as they are", () => {
    const byName = new Map(tools.map((t) => [t.tool.name, t]))
    const tags = byName.get("tags_list")!
    expect(tags.wrapped).toBe(true)
    expect(tags.tool.outputSchema).toMatchObject({ type: "object", required: ["result"], properties: { result: { type: "array" } } })
    const ajv = new Ajv({ strict: false })
    expect(ajv.compile(tags.tool.outputSchema)({ result: [{ id: 1, tag: "x" }] })).toBe(true)
    expect(ajv.compile(tags.tool.outputSchema)([{ id: 1, tag: "x" }])).toBe(false)
    const whoami = byName.get("auth_whoami")!
    expect(whoami.wrapped).toBe(false)
    expect(ajv.compile(whoami.tool.outputSchema)({ id: 1, username: "a", email: "e", role: "analyst" })).toBe(true)
    expect(byName.get("alerts_list")!.wrapped).toBe(false)
  })

  it("annotations carry the method's hints", () => {
    const byName = new Map(tools.map((t) => [t.tool.name, t.tool]))
    expect(byName.get("alerts_list")!.annotations).toEqual({ title: "alerts/list", readOnlyHint: true, destructiveHint: false, idempotentHint: true })
    expect(byName.get("auth_tokens_revoke")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    expect(byName.get("alerts_delete")!.description).toContain("Allowed for admins.")
  })

  it("parses resource URIs and nothing else", () => {
    expect(Mcp.parseResourceUri("sockeye://alert/12")).toEqual({ kind: "alert", id: 12 })
    expect(Mcp.parseResourceUri("sockeye://case/3")).toEqual({ kind: "case", id: 3 })
    expect(Mcp.parseResourceUri("sockeye://schema/document")).toEqual({ kind: "schemaDocument" })
    for (const bad of ["sockeye://alert/0", "sockeye://alert/-1", "sockeye://alert/1x", "sockeye://alert/99999999999", "file:///etc/passwd"]) {
      expect(Mcp.parseResourceUri(bad), bad).toBeUndefined()
    }
  })
})

/** A backend answering from a table, to exercise the dispatcher alone (the daemon test runs the real one). */
const tableBackend = (answers: Record<string, (params: unknown) => Outcome>, refuse?: boolean): McpBackend => ({
  open: async () => {
    if (refuse) throw { code: -32001, message: "invalid, expired or revoked token" }
    return { methods: ["initialize", ...Object.keys(answers)], version: "9.9.9" }
  },
  call: async (method, params, signal) => {
    if (method === "jobs/run") await new Promise((resolve) => signal.addEventListener("abort", resolve))
    return answers[method]?.(params) ?? { ok: false, error: { code: -32601, message: "no" } }
  }
})

const lines = (...items: Array<object | string>) =>
  (async function*() {
    for (const item of items) yield new TextEncoder().encode(`${typeof item === "string" ? item : JSON.stringify(item)}\n`)
  })()

const run = async (backend: McpBackend, input: AsyncIterable<Uint8Array>, maxBytes = 4096) => {
  const out: Array<any> = []
  await new McpServer({ backend, name: "test", write: (m) => out.push(m) }).serve(input, maxBytes)
  return out
}

const init = (version = "2025-11-25") =>
  ({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "t" } } })

describe("the MCP dispatcher", () => {
  const backend = tableBackend({
    "tags/list": () => ({ ok: true, value: [{ id: 1, tag: "x" }] }),
    "alerts/get": () => ({ ok: false, error: { code: -32004, message: "alert 7 not found" } }),
    "jobs/run": () => ({ ok: true, value: { runId: 1 } })
  })

  it("negotiates the version: echoes a supported one, else answers its latest", async () => {
    expect((await run(backend, lines(init("2025-06-18"))))[0].result.protocolVersion).toBe("2025-06-18")
    expect((await run(backend, lines(init("2099-01-01"))))[0].result).toMatchObject({
      protocolVersion: "2025-11-25", serverInfo: { name: "test", version: "9.9.9" }, capabilities: { tools: { listChanged: false }, resources: {} }
    })
  })

  it("lists only the methods the backend serves; 2025-03-26 gets no outputSchema or structuredContent", async () => {
    const call = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "tags_list", arguments: {} } }
    const [, listed, called] = await run(backend, lines(init("2025-03-26"), { jsonrpc: "2.0", id: 1, method: "tools/list" }, call))
    expect(listed.result.tools.map((t: { name: string }) => t.name)).toEqual(["tags_list", "alerts_get", "jobs_run"])
    expect(listed.result.tools[0]).not.toHaveProperty("outputSchema")
    expect(called.result).toEqual({ content: [{ type: "text", text: "[{\"id\":1,\"tag\":\"x\"}]" }] })
    const [, newer] = await run(backend, lines(init(), call))
    expect(newer.result.structuredContent).toEqual({ result: [{ id: 1, tag: "x" }] })
  })

  it("tool errors are isError results; unknown tools and missing resources are JSON-RPC errors", async () => {
    const out = await run(backend, lines(
      init(),
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "alerts_get", arguments: { id: 7 } } },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "nope" } },
      { jsonrpc: "2.0", id: 3, method: "resources/read", params: { uri: "sockeye://alert/7" } },
      { jsonrpc: "2.0", id: 4, method: "resources/read", params: { uri: "sockeye://alert/x" } },
      { jsonrpc: "2.0", id: 5, method: "bogus" }
    ))
    const byId = new Map(out.map((m) => [m.id, m]))
    expect(byId.get(1).result).toEqual({ isError: true, content: [{ type: "text", text: "{\"error\":{\"code\":-32004,\"message\":\"alert 7 not found\"}}" }] })
    expect(byId.get(2).error.code).toBe(-32602)
    expect(byId.get(3).error).toEqual({ code: -32002, message: "alert 7 not found", data: { uri: "sockeye://alert/7" } })
    expect(byId.get(4).error.code).toBe(-32602)
    expect(byId.get(5).error.code).toBe(-32601)
  })

  it("refused credentials fail initialize with their code, and nothing else runs", async () => {
    const out = await run(tableBackend({}, true), lines(init(), { jsonrpc: "2.0", id: 1, method: "tools/list" }))
    expect(out).toEqual([
      { jsonrpc: "2.0", id: 0, error: { code: -32001, message: "invalid, expired or revoked token" } },
      { jsonrpc: "2.0", id: 1, error: { code: -32002, message: "tools/list: call initialize first" } }
    ])
  })

  it("survives garbage, refuses over-long lines with id null, and drops the answer of a cancelled call", async () => {
    const out = await run(backend, lines(
      "garbage", "[1,2]", "x".repeat(5000), init(),
      { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "jobs_run", arguments: { id: "x" } } },
      { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 9 } },
      { jsonrpc: "2.0", id: 10, method: "ping" }
    ))
    expect(out.slice(0, 3).map((m) => [m.id, m.error.code])).toEqual([[null, -32700], [null, -32600], [null, -32013]])
    expect(out.map((m) => m.id)).toEqual([null, null, null, 0, 10])
  })
})

describe("LineSplitter", () => {
  it("splits across chunks, decodes UTF-8 split mid-character, strips CR, and skips a long line through its newline", () => {
    const splitter = new LineSplitter(8)
    const bytes = new TextEncoder().encode("é1\r\nabcdefghijkl\nok")
    const out = [...splitter.push(bytes.subarray(0, 1)), ...splitter.push(bytes.subarray(1, 10)), ...splitter.push(bytes.subarray(10))]
    expect(out).toEqual(["é1", { tooLong: 8 }])
    expect(splitter.end()).toBe("ok")
  })
})
