import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { parseHostPort, type Target } from "@sockeye/client"
import type { Lifecycle } from "@sockeye/protocol"

type Credentials = typeof Lifecycle.Credentials.Type

/** The connection flags every command that talks to a daemon shares. */
export interface ConnectionFlags {
  readonly socket?: string | undefined
  readonly connect?: string | undefined
  readonly stdio?: boolean | undefined
  readonly token?: string | undefined
  readonly user?: string | undefined
  readonly password?: string | undefined
  /** --on-behalf-of: the session's audit note (call, mcp). */
  readonly onBehalfOf?: string | undefined
}

/** A mistake in the command line: printed with a hint, exit 2. */
export class UsageError extends Error {}

/**
 * How to start the daemon: SOCKEYE_DAEMON (a path to sockeyed), else the daemon of this
 * checkout (../../daemon/bin/sockeyed.js from dist/), else `sockeyed` on the PATH.
 */
export const daemonCommand = (env: NodeJS.ProcessEnv = process.env): ReadonlyArray<string> => {
  const given = env["SOCKEYE_DAEMON"]
  if (given) return given.endsWith(".js") ? [process.execPath, given] : [given]
  const here = path.dirname(fileURLToPath(import.meta.url))
  const sibling = path.resolve(here, "../../daemon/bin/sockeyed.js")
  return fs.existsSync(sibling) ? [process.execPath, sibling] : ["sockeyed"]
}

const hostPortFlag = (value: string): { host: string; port: number } => {
  const parsed = parseHostPort(value)
  if (!parsed) throw new UsageError(`--connect takes HOST:PORT, got ${JSON.stringify(value)}`)
  return parsed
}

/** --socket, --connect, --stdio, or (none given) auto: the shared socket, starting a daemon when none answers. */
export const targetOf = (flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Target => {
  const chosen = [flags.socket !== undefined, flags.connect !== undefined, flags.stdio === true].filter(Boolean).length
  if (chosen > 1) throw new UsageError("choose one of --socket, --connect and --stdio")
  if (flags.socket !== undefined) return { kind: "socket", path: flags.socket }
  if (flags.connect !== undefined) return { kind: "tcp", ...hostPortFlag(flags.connect) }
  if (flags.stdio) return { kind: "stdio", command: daemonCommand(env), env, stderr: "ignore" }
  return { kind: "auto", command: daemonCommand(env), env }
}

/**
 * Flags before the environment, a token before a password: --token, --user/--password,
 * SOCKEYE_TOKEN, SOCKEYE_USER/SOCKEYE_PASSWORD; none means the daemon's trusted local user.
 */
export const credentialsOf = (flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Credentials | undefined => {
  if (flags.token !== undefined && flags.user !== undefined) throw new UsageError("give --token or --user, not both")
  if (flags.token !== undefined) return { token: flags.token }
  const user = flags.user ?? (env["SOCKEYE_TOKEN"] ? undefined : env["SOCKEYE_USER"])
  if (user === undefined) return env["SOCKEYE_TOKEN"] ? { token: env["SOCKEYE_TOKEN"] } : undefined
  const password = flags.password ?? env["SOCKEYE_PASSWORD"]
  if (password === undefined) throw new UsageError(`--user ${user} needs --password or SOCKEYE_PASSWORD`)
  return { username: user, password }
}
