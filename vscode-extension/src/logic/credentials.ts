import type { Target } from "@sockeye/client"
import type { Credentials } from "./session.js"

/** The SecretStorage key holding the credentials "Sockeye: Log In" stored, as JSON. */
export const SECRET_KEY = "sockeye.credentials"

/** Stored login first, then the token setting; none means the daemon's trusted local user. */
export const chooseCredentials = (stored: string | undefined, tokenSetting: string): Credentials | undefined => {
  if (stored) {
    try {
      const parsed = JSON.parse(stored) as Partial<{ token: string; username: string; password: string }>
      if (typeof parsed.token === "string" && parsed.token) return { token: parsed.token }
      if (typeof parsed.username === "string" && typeof parsed.password === "string") return { username: parsed.username, password: parsed.password }
    } catch {
      // A corrupt secret is ignored: the setting or the local user applies, and Log In replaces it.
    }
  }
  return tokenSetting.trim() ? { token: tokenSetting.trim() } : undefined
}

/** The environment variable the MCP server process reads its target from. */
export const MCP_TARGET_ENV = "SOCKEYE_VSCODE_TARGET"

/**
 * The MCP server's environment: where to connect and as whom (SOCKEYE_TOKEN, or
 * SOCKEYE_USER/SOCKEYE_PASSWORD, as `sockeye mcp` reads them). Unset variables are null so
 * that the editor's own environment does not leak another identity into the server.
 */
export const mcpEnv = (target: Target, credentials: Credentials | undefined): Record<string, string | null> => ({
  [MCP_TARGET_ENV]: JSON.stringify(target),
  ELECTRON_RUN_AS_NODE: "1",
  SOCKEYE_TOKEN: credentials && "token" in credentials ? credentials.token : null,
  SOCKEYE_USER: credentials && "username" in credentials ? credentials.username : null,
  SOCKEYE_PASSWORD: credentials && "password" in credentials ? credentials.password : null
})

/** The MCP process's side: the target and credentials from its environment. */
export const fromMcpEnv = (env: NodeJS.ProcessEnv): { target: Target; credentials: Credentials | undefined } => {
  const raw = env[MCP_TARGET_ENV]
  if (!raw) throw new Error(`${MCP_TARGET_ENV} is not set: this server is started by the Sockeye VS Code extension`)
  const target = JSON.parse(raw) as Target
  const credentials: Credentials | undefined = env["SOCKEYE_TOKEN"]
    ? { token: env["SOCKEYE_TOKEN"] }
    : env["SOCKEYE_USER"] && env["SOCKEYE_PASSWORD"] !== undefined
      ? { username: env["SOCKEYE_USER"], password: env["SOCKEYE_PASSWORD"] }
      : undefined
  return { target: target.kind === "auto" || target.kind === "stdio" ? { ...target, env } : target, credentials }
}
