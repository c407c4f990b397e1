import * as vscode from "vscode"
import { myOpenAlerts } from "../logic/flows.js"
import type { Session } from "../logic/session.js"
import { statusText } from "../logic/statusText.js"

/** The status bar item: connection state and the user's open alerts; a click opens the Alerts view. */
export class StatusBar {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50)
  private count: number | undefined
  private generation = 0

  constructor(private readonly session: Session) {
    this.item.name = "Sockeye"
    this.item.command = "sockeye.alerts.focus"
    this.render()
    this.item.show()
  }

  private render() {
    const { text, tooltip } = statusText(this.session.state, this.count)
    this.item.text = text
    this.item.tooltip = tooltip
  }

  /** Re-reads the count when connected; shows the state at once either way. */
  async update(): Promise<void> {
    const generation = ++this.generation
    if (this.session.state.kind !== "connected") this.count = undefined
    this.render()
    if (this.session.state.kind !== "connected") return
    try {
      const count = await myOpenAlerts(this.session.require())
      if (generation !== this.generation) return
      this.count = count
    } catch {
      this.count = undefined
    }
    this.render()
  }

  dispose(): void { this.item.dispose() }
}
