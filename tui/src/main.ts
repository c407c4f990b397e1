import * as fs from "node:fs"
import { parseArgs } from "node:util"
import { UsageError, type ConnectionFlags } from "./connection.js"
import type { Io } from "./io.js"
import { mark } from "./trace.js"

mark("bundle evaluated")

export const VERSION: string =
  (JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version

const HELP = `sockeye ${VERSION} — the Sockeye client

Usage:
  sockeye [--readonly] [--demo]  the full-screen terminal UI (? in it lists the keys)
  sockeye call METHOD [JSON|-]   call one method; the result as JSON on stdout
  sockeye methods [--json]       every method with its one-line description
  sockeye mcp                    MCP (Model Context Protocol) on stdin/stdout, attached to the daemon
  sockeye --help | --version

call: JSON is the params object (default {}), "-" reads it from stdin. Exit 0 with the result
  on stdout (pretty; --compact for one line); exit 1 with {"code","message","data"} on stderr
  when the daemon answers an error or cannot be reached; exit 2 for a usage error (bad JSON).
  --dry-run            a mutation changes nothing and answers {dryRun, changes, result}
  --on-behalf-of TEXT  (call, mcp) whom you act for, recorded with every mutation in the audit
                       log; env SOCKEYE_ON_BEHALF_OF

Terminal UI:
  --readonly           hide the verbs (assign, status, tags, comments, cases, jobs)
  --demo               a daemon that sockeye starts fills an empty database with demo data
  Keys are rebound in $SOCKEYE_CONFIG_DIR/keys.json (default ~/.config/sockeye/keys.json).

Connection (the UI, call, mcp), default: the shared daemon's socket, starting a daemon if none answers
  --socket PATH        a daemon's unix socket
  --connect HOST:PORT  a daemon's TCP listener (needs credentials)
  --stdio              spawn a private daemon on stdin/stdout
Credentials, default: none (the daemon's --trust-local user)
  --token TOKEN        an API token (auth/tokens/create); env SOCKEYE_TOKEN
  --user NAME          with --password PASSWORD; env SOCKEYE_USER, SOCKEYE_PASSWORD

Environment: SOCKEYE_DAEMON (the sockeyed to start), SOCKEYE_MAX_MESSAGE_BYTES (mcp),
SOCKEYE_CACHE_DIR (the start-up code cache, default ~/.cache/sockeye), and the daemon's own
SOCKEYE_* settings, passed to a daemon this command starts.
`

const options = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
  socket: { type: "string" },
  connect: { type: "string" },
  stdio: { type: "boolean" },
  token: { type: "string" },
  user: { type: "string" },
  password: { type: "string" },
  compact: { type: "boolean" },
  "dry-run": { type: "boolean" },
  "on-behalf-of": { type: "string" },
  json: { type: "boolean" },
  readonly: { type: "boolean" },
  demo: { type: "boolean" }
} as const

const clientInfo = { name: "sockeye", version: VERSION }

// Commands load on use: help and usage errors answer without loading the client and effect.

/** Runs one command line; resolves with the exit code. */
export const run = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
    if (values.help) return io.stdout(HELP), 0
    if (values.version) return io.stdout(`${VERSION}\n`), 0
    const flags: ConnectionFlags = {
      socket: values.socket, connect: values.connect, stdio: values.stdio,
      token: values.token, user: values.user, password: values.password, onBehalfOf: values["on-behalf-of"]
    }
    const [command, ...rest] = positionals
    switch (command) {
      case "call":
        if (rest.length > 2) throw new UsageError("call takes METHOD and at most one JSON argument (quote it)")
        return await (await import("./commands/call.js")).call({ method: rest[0], params: rest[1], compact: values.compact ?? false, dryRun: values["dry-run"] ?? false, flags, clientInfo }, io)
      case "methods": return (await import("./commands/methods.js")).listMethods(values.json ?? false, io)
      case "mcp": return await (await import("./commands/mcp.js")).mcp(flags, io)
      case "help": return io.stdout(HELP), 0
      case undefined: {
        // React's and its reconciler's production builds (read when ui.js loads them): faster
        // frames, no development warnings. A daemon this starts gets the environment as it was.
        const env = { ...io.env }
        process.env["NODE_ENV"] ??= "production"
        if (!process.stdout.isTTY || !process.stdin.isTTY) {
          io.stderr("sockeye: the terminal UI needs a terminal; for scripts use 'sockeye call' (see sockeye --help)\n")
          return 2
        }
        const args = { flags, readonly: values.readonly ?? false, demo: values.demo ?? false, clientInfo }
        // The session opens first: the daemon answers while the UI's modules load (uiSession.ts).
        const { session, opened } = (await import("./commands/uiSession.js")).openSession(args, { ...io, env })
        await opened
        return await (await import("./commands/ui.js")).ui(session, args, { ...io, env })
      }
      default: throw new UsageError(`unknown command ${JSON.stringify(command)}`)
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`sockeye: ${(error as Error).message}\nRun 'sockeye --help' for usage.\n`)
      return 2
    }
    throw error
  }
}
