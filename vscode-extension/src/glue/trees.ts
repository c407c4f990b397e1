import * as vscode from "vscode"
import { presentAlertNode, type AlertNode, type AlertTree } from "../logic/alertTree.js"
import { presentCaseNode, type CaseNode, type CaseTree } from "../logic/caseTree.js"
import { CONTEXT_VALUE } from "../logic/contributions.js"
import { jobNodes, presentJobNode, type JobNode } from "../logic/jobTree.js"
import type { Session } from "../logic/session.js"

export type AnyNode = AlertNode | CaseNode | JobNode

const item = (node: AnyNode, shown: { label: string; description?: string; tooltip?: string }, collapsible: vscode.TreeItemCollapsibleState) => {
  const it = new vscode.TreeItem(shown.label, collapsible)
  it.id = node.key
  if (shown.description) it.description = shown.description
  if (shown.tooltip) it.tooltip = shown.tooltip
  return it
}

const treeItemOf = (node: AnyNode): vscode.TreeItem => {
  const None = vscode.TreeItemCollapsibleState.None
  switch (node.kind) {
    case "status": return Object.assign(item(node, presentAlertNode(node), node.status === "CLOSED" ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded), { contextValue: "sockeye.status" })
    case "customer": return Object.assign(item(node, presentAlertNode(node), vscode.TreeItemCollapsibleState.Collapsed), { contextValue: "sockeye.customer" })
    case "alert": return Object.assign(item(node, presentAlertNode(node), None), {
      contextValue: CONTEXT_VALUE.alert,
      iconPath: new vscode.ThemeIcon(node.alert.escalated ? "warning" : "bell"),
      command: { command: "sockeye.openAlert", title: "Open Alert", arguments: [node] }
    })
    case "case": return Object.assign(item(node, presentCaseNode(node), None), {
      contextValue: CONTEXT_VALUE.case,
      iconPath: new vscode.ThemeIcon("briefcase"),
      command: { command: "sockeye.openCase", title: "Open Case", arguments: [node] }
    })
    case "job": return Object.assign(item(node, presentJobNode(node), None), { contextValue: CONTEXT_VALUE.job, iconPath: new vscode.ThemeIcon("clock") })
    case "more": return Object.assign(item(node, node.key === "more:cases" ? presentCaseNode(node as CaseNode) : presentAlertNode(node as AlertNode), None), {
      contextValue: "sockeye.more",
      command: { command: "sockeye.loadMore", title: "Load More", arguments: [node] }
    })
  }
}

/** Shows an error in the tree's place instead of failing the view. */
const guarded = async <T>(session: Session, read: () => Promise<Array<T>>): Promise<Array<T>> => {
  if (session.state.kind !== "connected") return []
  try {
    return await read()
  } catch (error) {
    void vscode.window.showErrorMessage(`Sockeye: ${error instanceof Error ? error.message : String(error)}`)
    return []
  }
}

abstract class Provider<N extends AnyNode> implements vscode.TreeDataProvider<N> {
  private readonly emitter = new vscode.EventEmitter<N | undefined>()
  readonly onDidChangeTreeData = this.emitter.event
  constructor(protected readonly session: Session) {}
  getTreeItem(node: N): vscode.TreeItem { return treeItemOf(node) }
  abstract getChildren(node?: N): Promise<Array<N>>
  /** Re-reads the whole view (labels carry counts, so a change anywhere changes the roots). */
  refresh(): void { this.emitter.fire(undefined) }
  dispose(): void { this.emitter.dispose() }
}

export class AlertsProvider extends Provider<AlertNode> {
  constructor(session: Session, readonly tree: AlertTree) { super(session) }
  getChildren(node?: AlertNode) { return guarded(this.session, () => (node ? this.tree.children(node) : this.tree.roots())) }
}

export class CasesProvider extends Provider<CaseNode> {
  constructor(session: Session, readonly tree: CaseTree) { super(session) }
  getChildren(node?: CaseNode) { return guarded(this.session, async () => (node ? [] : this.tree.roots())) }
}

export class JobsProvider extends Provider<JobNode> {
  getChildren(node?: JobNode) { return guarded(this.session, async () => (node ? [] : jobNodes(this.session.require()))) }
}
