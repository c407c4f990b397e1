import { serveMcpProxy } from "@sockeye/client"
import { fromMcpEnv } from "./logic/credentials.js"

// The MCP server VS Code starts for chat agents (see glue/mcp.ts): the MCP face proxied to the
// daemon the editor uses, as the editor's user. Messages on stdout, logs on stderr.
const { target, credentials } = fromMcpEnv(process.env)
serveMcpProxy({
  target,
  credentials,
  stdin: process.stdin,
  write: (line) => void process.stdout.write(line),
  log: (message) => void process.stderr.write(`${message}\n`)
}).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`sockeye mcp: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
)
