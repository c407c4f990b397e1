import { parseHostPort, sharedSocketPath, type Target } from "@sockeye/client"

/** The `sockeye.*` settings, as declared in package.json `contributes.configuration`. */
export const SETTINGS = {
  connection: "sockeye.connection",
  socketPath: "sockeye.socketPath",
  command: "sockeye.command",
  tcp: "sockeye.tcp",
  token: "sockeye.token",
  pageSize: "sockeye.pageSize"
} as const

export type ConnectionMode = "auto" | "socket" | "spawn" | "tcp"

export interface ConnectionSettings {
  readonly connection: ConnectionMode
  /** Empty: the shared socket ($XDG_RUNTIME_DIR/sockeye/sockeyed.sock). */
  readonly socketPath: string
  /** The daemon command for "spawn" and for starting a shared daemon in "auto". */
  readonly command: ReadonlyArray<string>
  /** HOST:PORT for "tcp". */
  readonly tcp: string
}

/** A setting that cannot make a connection: shown to the user as is. */
export class SettingsError extends Error {}

/** Where to connect, from the settings: the same targets as the TUI's --socket, --stdio, --connect and auto. */
export const targetOf = (settings: ConnectionSettings, env: NodeJS.ProcessEnv = process.env): Target => {
  const command = settings.command.length > 0 ? settings.command : ["sockeyed"]
  switch (settings.connection) {
    case "socket":
      return { kind: "socket", path: settings.socketPath || sharedSocketPath() }
    case "spawn":
      return { kind: "stdio", command, env, stderr: "ignore" }
    case "tcp": {
      const hostPort = parseHostPort(settings.tcp)
      if (!hostPort) throw new SettingsError(`${SETTINGS.tcp} must be HOST:PORT, got ${JSON.stringify(settings.tcp)}`)
      return { kind: "tcp", ...hostPort }
    }
    case "auto":
      return { kind: "auto", command, env, ...(settings.socketPath ? { path: settings.socketPath } : {}) }
  }
}

/** The same target for the MCP server process, without the environment (that process has its own). */
export const mcpTargetOf = (settings: ConnectionSettings): Target => {
  const target = targetOf(settings, {})
  if (target.kind === "tcp" || target.kind === "socket") return target
  const { env: _env, ...rest } = target
  return rest
}
