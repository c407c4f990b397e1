import { McpServer, type McpBackend } from "@sockeye/protocol"
import type { Lifecycle } from "@sockeye/protocol"
import { connect, type Target } from "./connect.js"
import type { DaemonClient } from "./DaemonClient.js"
import { wireOf } from "./errors.js"

export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024

export interface McpProxyOptions {
  readonly target: Target
  readonly credentials?: typeof Lifecycle.Credentials.Type | undefined
  /** Recorded with every mutation of the session, beside the agent's clientInfo. */
  readonly onBehalfOf?: string | undefined
  readonly stdin: AsyncIterable<Uint8Array>
  /** One MCP message, already a line of JSON. */
  readonly write: (line: string) => void
  readonly log: (message: string) => void
  readonly maxMessageBytes?: number
}

/**
 * The MCP face as a proxy to a daemon: MCP `initialize` opens the daemon session with the agent's
 * clientInfo and these credentials (a refusal fails it with -32001); each tool call is one request
 * on that session. The tool list is the one `sockeyed --mcp` serves, built from the methods the
 * daemon reports. `sockeye mcp` and the VS Code extension's MCP server both run this.
 */
export const serveMcpProxy = async (options: McpProxyOptions): Promise<void> => {
  let client: DaemonClient | undefined
  const backend: McpBackend = {
    open: async (clientInfo) => {
      try {
        client = await connect(options.target, {
          clientInfo,
          ...(options.credentials ? { credentials: options.credentials } : {}),
          ...(options.onBehalfOf ? { onBehalfOf: options.onBehalfOf } : {}),
          onStateChange: (state, detail) => options.log(`sockeye mcp: ${state}${detail ? ` (${detail})` : ""}`)
        })
      } catch (error) {
        throw wireOf(error)
      }
      return { methods: client.info?.capabilities.methods ?? [], version: client.info?.serverInfo.version ?? "unknown" }
    },
    // Cancellation is not forwarded (DaemonClient.raw takes no token); McpServer drops the answer.
    call: async (method, params) => {
      try {
        return { ok: true, value: await client!.raw(method, params) }
      } catch (error) {
        return { ok: false, error: wireOf(error) }
      }
    }
  }
  const server = new McpServer({
    backend,
    name: "sockeye",
    write: (message) => options.write(`${JSON.stringify(message)}\n`),
    log: options.log
  })
  await server.serve(options.stdin, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES)
  await client?.close()
}
