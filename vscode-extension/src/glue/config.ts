import * as vscode from "vscode"
import { SETTINGS, type ConnectionMode, type ConnectionSettings } from "../logic/settings.js"

/** The `sockeye.*` settings (keys from the SETTINGS table the manifest test checks) as the logic takes them. */
export const readSettings = (): ConnectionSettings & { readonly token: string; readonly pageSize: number } => {
  const c = vscode.workspace.getConfiguration()
  return {
    connection: c.get<ConnectionMode>(SETTINGS.connection, "auto"),
    socketPath: c.get<string>(SETTINGS.socketPath, ""),
    command: c.get<Array<string>>(SETTINGS.command, ["sockeyed"]),
    tcp: c.get<string>(SETTINGS.tcp, ""),
    token: c.get<string>(SETTINGS.token, ""),
    pageSize: c.get<number>(SETTINGS.pageSize, 50)
  }
}
