import { DEFAULT_MAX_MESSAGE_BYTES, serveMcpProxy } from "@sockeye/client"
import { credentialsOf, targetOf, type ConnectionFlags } from "../connection.js"
import type { Io } from "../io.js"

/** `sockeye mcp`: the MCP face as a proxy to the shared daemon (or --socket/--connect/--stdio). */
export const mcp = async (flags: ConnectionFlags, io: Io): Promise<number> => {
  const max = Number(io.env["SOCKEYE_MAX_MESSAGE_BYTES"])
  await serveMcpProxy({
    target: targetOf(flags, io.env),
    credentials: credentialsOf(flags, io.env),
    onBehalfOf: flags.onBehalfOf ?? io.env["SOCKEYE_ON_BEHALF_OF"],
    stdin: io.stdin,
    write: io.stdout,
    log: (message) => io.stderr(`${message}\n`),
    maxMessageBytes: Number.isInteger(max) && max >= 1024 ? max : DEFAULT_MAX_MESSAGE_BYTES
  })
  return 0
}
