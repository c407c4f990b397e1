import * as vscode from "vscode"
import type { AlertSummary } from "@sockeye/protocol"
import { refOf, SCHEME } from "../logic/documentPath.js"
import type { Subject } from "../logic/flows.js"
import type { AnyNode } from "./trees.js"

/**
 * What a command acts on. From a context menu VS Code passes the clicked node and the selected
 * nodes; from the palette, the open sockeye: document, else the Alerts or Cases view selection.
 */
export const subjectOf = (
  clicked: unknown,
  selected: unknown,
  views: { readonly alerts: ReadonlyArray<AnyNode>; readonly cases: ReadonlyArray<AnyNode> }
): Subject | undefined => {
  const nodes: Array<AnyNode> = Array.isArray(selected) && selected.length > 0 ? selected : isNode(clicked) ? [clicked] : []
  const fromNodes = subjectOfNodes(nodes)
  if (fromNodes) return fromNodes
  const uri = vscode.window.activeTextEditor?.document.uri
  if (uri?.scheme === SCHEME) {
    const ref = refOf(uri.path)
    if (ref?.kind === "alert" || ref?.kind === "case") return { kind: ref.kind, ids: [ref.id] }
    if (ref?.kind === "siem") return { kind: "alert", ids: [ref.alertId] }
  }
  return subjectOfNodes([...views.alerts]) ?? subjectOfNodes([...views.cases])
}

const isNode = (u: unknown): u is AnyNode => typeof u === "object" && u !== null && "kind" in u && "key" in u

const subjectOfNodes = (nodes: ReadonlyArray<AnyNode>): Subject | undefined => {
  const alerts = nodes.flatMap((n) => (n.kind === "alert" ? [n.alert.id] : []))
  if (alerts.length > 0) return { kind: "alert", ids: alerts }
  const cases = nodes.flatMap((n) => (n.kind === "case" ? [n.case.id] : []))
  if (cases.length > 0) return { kind: "case", ids: cases }
  return undefined
}

/** The alert summaries among the nodes (createCase wants their customers without a round trip). */
export const alertSummaries = (nodes: ReadonlyArray<AnyNode>): Array<AlertSummary> =>
  nodes.flatMap((n) => (n.kind === "alert" ? [n.alert] : []))
