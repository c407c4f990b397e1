import * as vscode from "vscode"
import { AlertTree } from "./logic/alertTree.js"
import { CaseTree } from "./logic/caseTree.js"
import { VIEWS } from "./logic/contributions.js"
import { chooseCredentials, SECRET_KEY } from "./logic/credentials.js"
import { SCHEME } from "./logic/documentPath.js"
import { Session } from "./logic/session.js"
import { SETTINGS, targetOf } from "./logic/settings.js"
import { registerCommands } from "./glue/commands.js"
import { readSettings } from "./glue/config.js"
import { SockeyeFileSystem } from "./glue/documents.js"
import { liveUpdates } from "./glue/live.js"
import { registerMcp } from "./glue/mcp.js"
import { StatusBar } from "./glue/statusBar.js"
import { AlertsProvider, CasesProvider, JobsProvider } from "./glue/trees.js"

/** The session of the active extension, ended by deactivate. */
let current: Session | undefined

export const activate = (context: vscode.ExtensionContext): void => {
  const { pageSize } = readSettings()
  const credentials = async () => chooseCredentials(await context.secrets.get(SECRET_KEY), readSettings().token)

  const session = new Session()
  const alertTree = new AlertTree(() => session.require(), pageSize)
  const caseTree = new CaseTree(() => session.require(), pageSize)
  const alerts = new AlertsProvider(session, alertTree)
  const cases = new CasesProvider(session, caseTree)
  const jobs = new JobsProvider(session)
  const fs = new SockeyeFileSystem(session)
  const statusBar = new StatusBar(session)
  const live = liveUpdates({ alertTree, caseTree, alerts, cases, jobs, fs, statusBar, refreshAll })
  session.listen(live.events)
  current = session
  const [alertsView, casesView, jobsView] = [
    vscode.window.createTreeView(VIEWS[0].id, { treeDataProvider: alerts, canSelectMany: true, showCollapseAll: true }),
    vscode.window.createTreeView(VIEWS[1].id, { treeDataProvider: cases, canSelectMany: true }),
    vscode.window.createTreeView(VIEWS[2].id, { treeDataProvider: jobs })
  ]
  function refreshAll() {
    alertTree.clear()
    caseTree.clear()
    alerts.refresh()
    cases.refresh()
    jobs.refresh()
    void statusBar.update()
  }

  const connect = async () => {
    const target = targetOf(readSettings())
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "Sockeye: connecting" },
      async () => session.connect(target, await credentials())
    )
  }

  const mcp = registerMcp(context.extensionPath, String(context.extension.packageJSON.version ?? "0"), () => ({ settings: readSettings(), credentials }))

  context.subscriptions.push(
    alerts, cases, jobs, alertsView, casesView, jobsView, statusBar, mcp.provider,
    vscode.workspace.registerFileSystemProvider(SCHEME, fs, { isCaseSensitive: true }),
    ...registerCommands({ session, secrets: context.secrets, alerts, cases, alertsView, casesView, connect, refreshAll }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration("sockeye")) return
      mcp.changed()
      if (CONNECTION_SETTINGS.some((key) => e.affectsConfiguration(key))) void connect().catch(notConnected)
    }),
    context.secrets.onDidChange((e) => {
      if (e.key === SECRET_KEY) mcp.changed()
    }),
    live
  )

  // Connect in the background (auto may start a daemon); a failure leaves the views empty and says why.
  void connect().catch(notConnected)
}

/** Settings whose change reconnects. */
const CONNECTION_SETTINGS = [SETTINGS.connection, SETTINGS.socketPath, SETTINGS.command, SETTINGS.tcp, SETTINGS.token]

const notConnected = (error: unknown) => {
  void vscode.window.showWarningMessage(`Sockeye: not connected: ${error instanceof Error ? error.message : String(error)}`, "Log In", "Connect").then((choice) => {
    if (choice === "Log In") void vscode.commands.executeCommand("sockeye.login")
    if (choice === "Connect") void vscode.commands.executeCommand("sockeye.connect")
  })
}

/** Ends the connection; VS Code waits for it (subscriptions' dispose is not awaited). */
export const deactivate = async (): Promise<void> => {
  await current?.disconnect()
  current = undefined
}
