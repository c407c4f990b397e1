import { connect, type ConnectionState, type DaemonClient, type Target } from "@sockeye/client"
import { Notifications, type Lifecycle, type User } from "@sockeye/protocol"

export type Credentials = typeof Lifecycle.Credentials.Type

export interface SessionEvents {
  readonly onState?: (state: SessionState) => void
  readonly onAlertsChanged?: (change: typeof Notifications.AlertsChanged.params.Type) => void
  readonly onCasesChanged?: (change: typeof Notifications.CasesChanged.params.Type) => void
  readonly onJobsChanged?: (change: typeof Notifications.JobsChanged.params.Type) => void
}

export type SessionState =
  | { readonly kind: "disconnected"; readonly detail?: string }
  | { readonly kind: "connecting" }
  | { readonly kind: "connected"; readonly user: User; readonly transport: string }
  | { readonly kind: "reconnecting"; readonly detail?: string }

/**
 * The editor's one connection to sockeyed: connect, disconnect, its state, and the daemon's
 * change notifications forwarded to whoever listens (trees, documents, status bar).
 */
export class Session {
  private clientValue: DaemonClient | undefined
  private stateValue: SessionState = { kind: "disconnected" }
  /** Bumped by every connect and disconnect: a connect that finishes after a newer one is dropped. */
  private generation = 0

  private events: SessionEvents = {}

  constructor(private readonly clientName = "sockeye-vscode") {}

  /** Who hears state changes and the daemon's change notifications (one listener set: the editor's). */
  listen(events: SessionEvents): void {
    this.events = events
  }

  get state(): SessionState { return this.stateValue }
  get client(): DaemonClient | undefined { return this.clientValue }

  /** The connected client, or an error that says how to get one. */
  require(): DaemonClient {
    if (!this.clientValue || this.stateValue.kind !== "connected") throw new Error("Sockeye is not connected: run \"Sockeye: Connect\"")
    return this.clientValue
  }

  private setState(state: SessionState) {
    this.stateValue = state
    this.events.onState?.(state)
  }

  private fromClient(client: DaemonClient, state: ConnectionState, detail?: string): SessionState {
    switch (state) {
      case "connected": return { kind: "connected", user: client.user!, transport: client.transport ?? "" }
      case "connecting": return { kind: "connecting" }
      case "reconnecting": return detail ? { kind: "reconnecting", detail } : { kind: "reconnecting" }
      case "closed": return detail ? { kind: "disconnected", detail } : { kind: "disconnected" }
    }
  }

  /** Replaces any current connection; rejects with the daemon's error (e.g. refused credentials). */
  async connect(target: Target, credentials: Credentials | undefined): Promise<void> {
    await this.disconnect()
    const generation = ++this.generation
    this.setState({ kind: "connecting" })
    let client: DaemonClient | undefined
    try {
      client = await connect(target, {
        clientInfo: { name: this.clientName },
        ...(credentials ? { credentials } : {}),
        onStateChange: (state, detail) => {
          if (client && this.clientValue === client) this.setState(this.fromClient(client, state, detail))
        }
      })
    } catch (error) {
      if (generation === this.generation) this.setState({ kind: "disconnected", detail: error instanceof Error ? error.message : String(error) })
      throw error
    }
    if (generation !== this.generation) {
      await client.close()
      return
    }
    this.clientValue = client
    client.on(Notifications.AlertsChanged, (change) => this.events.onAlertsChanged?.(change))
    client.on(Notifications.CasesChanged, (change) => this.events.onCasesChanged?.(change))
    client.on(Notifications.JobsChanged, (change) => this.events.onJobsChanged?.(change))
    this.setState(this.fromClient(client, "connected"))
  }

  async disconnect(): Promise<void> {
    this.generation++
    const client = this.clientValue
    this.clientValue = undefined
    if (client) await client.close()
    if (this.stateValue.kind !== "disconnected") this.setState({ kind: "disconnected" })
  }
}
