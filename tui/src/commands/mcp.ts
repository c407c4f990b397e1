import { connect, type DaemonClient } from "@sockeye/client"
import { McpServer, type McpBackend } from "@sockeye/protocol"
import { credentialsOf, targetOf, type ConnectionFlags } from "../connection.js"
import { wireOf } from "../errors.js"
import type { Io } from "../io.js"

const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024

/**
 * `sockeye mcp`: the MCP face as a proxy to the shared daemon (or --socket/--connect/--stdio).
 * MCP `initialize` opens the daemon session with the agent's clientInfo and this command's
 * credentials (a refusal fails it with -32001); each tool call is one request on that session.
 * The tool list is the one `sockeyed --mcp` serves, built from the methods the daemon reports.
 */
export const mcp = async (flags: ConnectionFlags, io: Io): Promise<number> => {
  const target = targetOf(flags, io.env)
  const credentials = credentialsOf(flags, io.env)
  const onBehalfOf = flags.onBehalfOf ?? io.env["SOCKEYE_ON_BEHALF_OF"]
  let client: DaemonClient | undefined
  const backend: McpBackend = {
    open: async (clientInfo) => {
      try {
        client = await connect(target, {
          clientInfo,
          ...(credentials ? { credentials } : {}),
          ...(onBehalfOf ? { onBehalfOf } : {}),
          onStateChange: (state, detail) => io.stderr(`sockeye mcp: ${state}${detail ? ` (${detail})` : ""}\n`)
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
    write: (message) => io.stdout(`${JSON.stringify(message)}\n`),
    log: (message) => io.stderr(`${message}\n`)
  })
  const max = Number(io.env["SOCKEYE_MAX_MESSAGE_BYTES"])
  await server.serve(io.stdin, Number.isInteger(max) && max >= 1024 ? max : DEFAULT_MAX_MESSAGE_BYTES)
  await client?.close()
  return 0
}
