/**
 * Every command, view and setting the extension registers. extension.ts registers from these
 * tables and the manifest test checks package.json `contributes` against them, both ways.
 */

/** Where a command shows in tree context menus: on alert items, case items, or both. */
export type On = "alert" | "case" | "job"

export interface CommandSpec {
  readonly id: string
  readonly title: string
  /** Tree item context menus it belongs to. */
  readonly on: ReadonlyArray<On>
  /** False: only tree items invoke it (hidden from the palette). */
  readonly palette: boolean
}

export const COMMANDS = [
  { id: "sockeye.connect", title: "Connect", on: [], palette: true },
  { id: "sockeye.disconnect", title: "Disconnect", on: [], palette: true },
  { id: "sockeye.login", title: "Log In", on: [], palette: true },
  { id: "sockeye.logout", title: "Log Out (forget stored credentials)", on: [], palette: true },
  { id: "sockeye.refresh", title: "Refresh", on: [], palette: true },
  { id: "sockeye.openAlert", title: "Open Alert", on: ["alert"], palette: true },
  { id: "sockeye.openCase", title: "Open Case", on: ["case"], palette: true },
  { id: "sockeye.openSiemDocument", title: "Open SIEM Document", on: ["alert"], palette: true },
  { id: "sockeye.assignToMe", title: "Assign to Me", on: ["alert", "case"], palette: true },
  { id: "sockeye.setStatus", title: "Set Status…", on: ["alert", "case"], palette: true },
  { id: "sockeye.escalate", title: "Escalate", on: ["alert", "case"], palette: true },
  { id: "sockeye.addTag", title: "Add Tag…", on: ["alert"], palette: true },
  { id: "sockeye.comment", title: "Comment…", on: ["alert", "case"], palette: true },
  { id: "sockeye.createCase", title: "Create Case from Selected Alerts…", on: ["alert"], palette: true },
  { id: "sockeye.linkToCase", title: "Link to Case…", on: ["alert"], palette: true },
  { id: "sockeye.loadMore", title: "Load More", on: [], palette: false }
] as const satisfies ReadonlyArray<CommandSpec>

export type CommandId = (typeof COMMANDS)[number]["id"]

export const CONTAINER = "sockeye"

export const VIEWS = [
  { id: "sockeye.alerts", name: "Alerts" },
  { id: "sockeye.cases", name: "Cases" },
  { id: "sockeye.jobs", name: "Jobs" }
] as const

/** The tree item contextValue of each node kind, for menus' `when` clauses. */
export const CONTEXT_VALUE: Record<On, string> = { alert: "sockeye.alert", case: "sockeye.case", job: "sockeye.job" }

export const MCP_PROVIDER_ID = "sockeye.mcp"
