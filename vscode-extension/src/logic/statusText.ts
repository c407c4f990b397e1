import type { SessionState } from "./session.js"

/** The status bar item: the connection, and the user's open alerts when connected. */
export const statusText = (state: SessionState, openAlerts: number | undefined): { text: string; tooltip: string } => {
  switch (state.kind) {
    case "connected":
      return {
        text: `$(shield) ${openAlerts ?? "…"} open`,
        tooltip: `Sockeye: ${state.user.username} (${state.user.role}) over ${state.transport}; ${openAlerts ?? "?"} open or in-progress alerts assigned to you. Click to open the Alerts view.`
      }
    case "connecting": return { text: "$(sync~spin) Sockeye", tooltip: "Sockeye: connecting…" }
    case "reconnecting": return { text: "$(sync~spin) Sockeye", tooltip: `Sockeye: reconnecting${state.detail ? ` (${state.detail})` : ""}` }
    case "disconnected": return { text: "$(debug-disconnect) Sockeye", tooltip: `Sockeye: disconnected${state.detail ? ` (${state.detail})` : ""}. Click to open the Alerts view.` }
  }
}
