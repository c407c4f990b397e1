import * as vscode from "vscode"
import { mcpEnv } from "../logic/credentials.js"
import { MCP_PROVIDER_ID } from "../logic/contributions.js"
import type { Credentials } from "../logic/session.js"
import { mcpTargetOf, type ConnectionSettings } from "../logic/settings.js"

/**
 * Sockeye's MCP face for chat agents: a stdio server (dist/mcp.cjs, run by the editor's own
 * Node) that proxies to the daemon the editor uses, as the editor's user. Credentials are read at
 * start (resolve), not when VS Code lists servers, so a later log in applies to the next start.
 */
export const registerMcp = (
  extensionPath: string,
  version: string,
  current: () => { settings: ConnectionSettings; credentials: () => Promise<Credentials | undefined> }
): { provider: vscode.Disposable; changed: () => void } => {
  const emitter = new vscode.EventEmitter<void>()
  const script = vscode.Uri.joinPath(vscode.Uri.file(extensionPath), "dist", "mcp.cjs").fsPath
  const provider: vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition> = {
    onDidChangeMcpServerDefinitions: emitter.event,
    provideMcpServerDefinitions: () => [new vscode.McpStdioServerDefinition("Sockeye", process.execPath, [script], {}, version)],
    resolveMcpServerDefinition: async (server) => {
      const { settings, credentials } = current()
      server.env = { ...server.env, ...mcpEnv(mcpTargetOf(settings), await credentials()) }
      return server
    }
  }
  const registration = vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider)
  return {
    provider: vscode.Disposable.from(registration, emitter),
    changed: () => emitter.fire()
  }
}
