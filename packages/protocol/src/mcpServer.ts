import { ErrorCode } from "./Errors.js"
import {
  hasStructuredOutput, MCP_PROTOCOL_VERSIONS, parseResourceUri, resourceCall, resourceTemplates, staticResources,
  toolsOf, type ToolEntry
} from "./mcp.js"

/**
 * An MCP server over any Sockeye backend: the daemon's router (`sockeyed --mcp`) or a client
 * connection to the shared daemon (`sockeye mcp`). It speaks newline-delimited JSON-RPC 2.0:
 * feed it lines, it writes one JSON object per answer. Pure: no Node imports.
 */

/** An error as it goes on the wire. */
export interface WireError {
  readonly code: number
  readonly message: string
  readonly data?: unknown
}

export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: WireError }

export interface McpBackend {
  /**
   * Opens the Sockeye session for the MCP client (its clientInfo becomes the session's client);
   * rejects with a WireError (e.g. -32001 when the credentials are refused).
   * Resolves with the methods the daemon serves and its version.
   */
  readonly open: (clientInfo: { readonly name: string; readonly version?: string }) => Promise<{
    readonly methods: ReadonlyArray<string>
    readonly version: string
  }>
  /** Runs one protocol method with wire params; never rejects. */
  readonly call: (method: string, params: unknown, signal: AbortSignal) => Promise<Outcome>
}

export interface McpServerOptions {
  readonly backend: McpBackend
  /** serverInfo.name */
  readonly name: string
  /** Writes one message (the caller frames it as a line). */
  readonly write: (message: object) => void
  readonly log?: (message: string) => void
}

type Id = string | number

const INSTRUCTIONS = "Sockeye is a SOC incident-management daemon. Each tool is one Sockeye JSON-RPC method " +
  "(alerts_list is alerts/list): arguments and results are the method's params and result as JSON. " +
  "Results of tools whose result is not an object are wrapped as {\"result\": ...}. Everything runs as this " +
  "session's user: alerts and cases outside its tag and customer access do not exist for it. Errors come back " +
  "as tool results with isError and {\"error\": {code, message, data}}. Every tool that changes something takes " +
  "dryRun: true, which changes nothing and answers {dryRun: true, changes, result}: the rows it would insert, update " +
  "or delete and what it would answer; check a preview before a change the user has not confirmed. It also takes " +
  "onBehalfOf, a short note for the audit log naming whom you act for. Read alerts and cases as resources " +
  "sockeye://alert/{id} and sockeye://case/{id}; sockeye://schema/document describes the database."

class RequestError {
  constructor(readonly error: WireError) {}
}

const fail = (code: number, message: string, data?: unknown): never => {
  throw new RequestError(data === undefined ? { code, message } : { code, message, data })
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

export class McpServer {
  private phase: "new" | "opening" | "ready" = "new"
  /** Settles when the `initialize` in progress does: requests pipelined behind it wait for it. */
  private opening: Promise<unknown> = Promise.resolve()
  private protocolVersion: string = MCP_PROTOCOL_VERSIONS[0]
  private tools = new Map<string, ToolEntry>()
  private served = new Set<string>()
  private readonly inFlight = new Map<Id, AbortController>()
  private readonly pending = new Set<Promise<void>>()

  constructor(private readonly options: McpServerOptions) {}

  /** Handles one line of input (without its newline). */
  line(text: string): void {
    if (text.trim() === "") return
    let message: unknown
    try {
      message = JSON.parse(text)
    } catch (error) {
      return this.reject(null, { code: ErrorCode.ParseError, message: `parse error: ${(error as Error).message}` })
    }
    this.message(message)
  }

  /** Answers a line that was refused before parsing (too long). */
  reject(id: Id | null, error: WireError): void {
    this.options.write({ jsonrpc: "2.0", id, error })
  }

  /**
   * Serves a byte stream (e.g. stdin) until it ends, then waits for the answers in flight. Lines
   * over `maxBytes` are refused with -32013 and id null; the stream keeps being served.
   */
  async serve(input: AsyncIterable<Uint8Array>, maxBytes: number): Promise<void> {
    const splitter = new LineSplitter(maxBytes)
    const take = (line: string | { readonly tooLong: number }) => typeof line === "string"
      ? this.line(line)
      : this.reject(null, { code: ErrorCode.TooLarge, message: `message larger than ${line.tooLong} bytes refused` })
    for await (const chunk of input) splitter.push(chunk).forEach(take)
    const rest = splitter.end()
    if (rest !== undefined) this.line(rest)
    await this.drain()
  }

  /** Resolves when every request received so far has been answered. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  private message(message: unknown): void {
    if (!isObject(message) || message["jsonrpc"] !== "2.0") {
      return this.reject(null, { code: ErrorCode.InvalidRequest, message: "expected one JSON-RPC 2.0 object per line" })
    }
    const method = message["method"]
    const id = message["id"]
    if (typeof method !== "string") {
      // A response to a request of ours: we send none, so there is nothing to match.
      if ("result" in message || "error" in message) return
      return this.reject(typeof id === "string" || typeof id === "number" ? id : null,
        { code: ErrorCode.InvalidRequest, message: "method must be a string" })
    }
    if (id === undefined) return this.notification(method, message["params"])
    if (typeof id !== "string" && typeof id !== "number") {
      return this.reject(null, { code: ErrorCode.InvalidRequest, message: "id must be a string or a number" })
    }
    this.request(id, method, message["params"])
  }

  private notification(method: string, params: unknown): void {
    if (method === "notifications/cancelled" && isObject(params)) {
      const requestId = params["requestId"]
      if (typeof requestId === "string" || typeof requestId === "number") this.inFlight.get(requestId)?.abort()
    }
    // notifications/initialized and any other notification need no answer.
  }

  private request(id: Id, method: string, params: unknown): void {
    if (this.inFlight.has(id)) {
      return this.reject(id, { code: ErrorCode.InvalidRequest, message: `request id ${JSON.stringify(id)} is already in use` })
    }
    const controller = new AbortController()
    this.inFlight.set(id, controller)
    const done: Promise<void> = this.dispatch(method, params, controller.signal).then(
      (result) => ({ jsonrpc: "2.0", id, result }),
      (error: unknown) => {
        if (error instanceof RequestError) return { jsonrpc: "2.0", id, error: error.error }
        this.options.log?.(`mcp: ${method} failed: ${String(error)}`)
        return { jsonrpc: "2.0", id, error: { code: ErrorCode.InternalError, message: "internal error" } }
      }
    ).then((answer) => {
      this.inFlight.delete(id)
      // MCP: a cancelled request gets no answer.
      if (!controller.signal.aborted) this.options.write(answer)
    }).finally(() => this.pending.delete(done))
    this.pending.add(done)
  }

  private async dispatch(method: string, params: unknown, signal: AbortSignal): Promise<object> {
    if (params !== undefined && !isObject(params)) return fail(ErrorCode.InvalidParams, "params must be an object")
    const p = params ?? {}
    if (method === "initialize") {
      const answer = this.initialize(p)
      this.opening = answer.catch(() => undefined)
      return answer
    }
    if (method === "ping") return {}
    if (this.phase === "opening") await this.opening
    if (this.phase !== "ready") return fail(ErrorCode.NotInitialized, `${method}: call initialize first`)
    switch (method) {
      case "tools/list": return { tools: [...this.tools.values()].map((t) => this.toolView(t)) }
      case "tools/call": return this.callTool(p, signal)
      case "resources/list":
        return { resources: staticResources.filter((r) => this.served.has(resourceCall(parseResourceUri(r.uri)!).method)) }
      case "resources/templates/list": return { resourceTemplates }
      case "resources/read": return this.readResource(p, signal)
      default: return fail(ErrorCode.MethodNotFound, `unknown method ${JSON.stringify(method.slice(0, 100))}`)
    }
  }

  private async initialize(params: Record<string, unknown>): Promise<object> {
    if (this.phase !== "new") return fail(ErrorCode.InvalidRequest, "initialize was already called")
    const requested = params["protocolVersion"]
    const info = isObject(params["clientInfo"]) ? params["clientInfo"] : {}
    const name = typeof info["name"] === "string" && info["name"].length > 0 ? info["name"].slice(0, 256) : "mcp-client"
    const version = typeof info["version"] === "string" ? info["version"].slice(0, 64) : undefined
    this.phase = "opening"
    let opened: Awaited<ReturnType<McpBackend["open"]>>
    try {
      opened = await this.options.backend.open(version ? { name, version } : { name })
    } catch (error) {
      this.phase = "new"
      const wire = isObject(error) && typeof error["code"] === "number" && typeof error["message"] === "string"
        ? error as unknown as WireError
        : { code: ErrorCode.Unauthenticated, message: String(error) }
      return fail(wire.code, wire.message, wire.data)
    }
    this.protocolVersion = (MCP_PROTOCOL_VERSIONS as ReadonlyArray<unknown>).includes(requested)
      ? requested as string
      : MCP_PROTOCOL_VERSIONS[0]
    this.served = new Set(opened.methods)
    this.tools = new Map(toolsOf(opened.methods).map((t) => [t.tool.name, t]))
    this.phase = "ready"
    return {
      protocolVersion: this.protocolVersion,
      capabilities: { tools: { listChanged: false }, resources: {} },
      serverInfo: { name: this.options.name, version: opened.version },
      instructions: INSTRUCTIONS
    }
  }

  private toolView(entry: ToolEntry): object {
    if (hasStructuredOutput(this.protocolVersion)) return entry.tool
    const { outputSchema: _output, title: _title, ...older } = entry.tool
    return older
  }

  private async callTool(params: Record<string, unknown>, signal: AbortSignal): Promise<object> {
    const name = params["name"]
    if (typeof name !== "string") return fail(ErrorCode.InvalidParams, "tools/call needs a tool name")
    const entry = this.tools.get(name)
    if (!entry) return fail(ErrorCode.InvalidParams, `unknown tool ${JSON.stringify(name.slice(0, 100))}`)
    const args = params["arguments"] ?? {}
    if (!isObject(args)) return fail(ErrorCode.InvalidParams, "tools/call arguments must be an object")
    const outcome = await this.options.backend.call(entry.method.method, args, signal)
    if (!outcome.ok) {
      // MCP: a tool's own failure (bad arguments included) is a result the model can read and correct.
      return { content: [{ type: "text", text: JSON.stringify({ error: outcome.error }) }], isError: true }
    }
    const content = [{ type: "text", text: JSON.stringify(outcome.value) }]
    if (!hasStructuredOutput(this.protocolVersion)) return { content }
    return { content, structuredContent: entry.wrapped ? { result: outcome.value } : outcome.value }
  }

  private async readResource(params: Record<string, unknown>, signal: AbortSignal): Promise<object> {
    const uri = params["uri"]
    if (typeof uri !== "string") return fail(ErrorCode.InvalidParams, "resources/read needs a uri")
    const ref = parseResourceUri(uri)
    if (!ref) return fail(ErrorCode.InvalidParams, `not a Sockeye resource: ${JSON.stringify(uri.slice(0, 200))}`)
    const call = resourceCall(ref)
    const outcome = await this.options.backend.call(call.method, call.params, signal)
    if (!outcome.ok) {
      // MCP's code for a missing resource; hidden rows are missing too.
      if (outcome.error.code === ErrorCode.NotFound) return fail(-32002, outcome.error.message, { uri })
      return fail(outcome.error.code, outcome.error.message, outcome.error.data)
    }
    if (ref.kind === "schemaDocument") {
      const markdown = isObject(outcome.value) && typeof outcome.value["markdown"] === "string" ? outcome.value["markdown"] : ""
      return { contents: [{ uri, mimeType: "text/markdown", text: markdown }] }
    }
    return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify(outcome.value, null, 2) }] }
  }
}

/**
 * Splits a byte stream into lines of at most `maxBytes`, decoding UTF-8. A longer line is
 * dropped through its newline and reported once, so one oversized message cannot fill memory.
 */
export class LineSplitter {
  private chunks: Array<Uint8Array> = []
  private size = 0
  private skipping = false
  private readonly decoder = new TextDecoder()

  constructor(private readonly maxBytes: number) {}

  /** Feeds bytes; returns each complete line, or `{ tooLong }` for one that was dropped. */
  push(chunk: Uint8Array): Array<string | { readonly tooLong: number }> {
    const out: Array<string | { readonly tooLong: number }> = []
    let start = 0
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start)
      const end = newline === -1 ? chunk.length : newline
      const piece = chunk.subarray(start, end)
      if (!this.skipping) {
        if (this.size + piece.length > this.maxBytes) {
          this.skipping = true
          out.push({ tooLong: this.maxBytes })
          this.chunks = []
          this.size = 0
        } else {
          this.chunks.push(piece)
          this.size += piece.length
        }
      }
      if (newline === -1) break
      if (!this.skipping) out.push(this.take())
      this.skipping = false
      start = newline + 1
    }
    return out
  }

  /** What is left when the stream ends without a final newline. */
  end(): string | undefined {
    const rest = this.skipping || this.size === 0 ? undefined : this.take()
    this.chunks = []
    this.size = 0
    return rest
  }

  private take(): string {
    const joined = new Uint8Array(this.size)
    let at = 0
    for (const c of this.chunks) {
      joined.set(c, at)
      at += c.length
    }
    this.chunks = []
    this.size = 0
    return this.decoder.decode(joined).replace(/\r$/, "")
  }
}
