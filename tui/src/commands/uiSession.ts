import { connect, type DaemonClient, type Target } from "@sockeye/client"
import { credentialsOf, targetOf, type ConnectionFlags } from "../connection.js"
import { ConnectionStore } from "../contexts/ClientContext.js"
import type { Io } from "../io.js"
import { mark } from "../trace.js"

export interface UiArgs {
  readonly flags: ConnectionFlags
  readonly readonly: boolean
  /** Start the daemon (auto or --stdio) with demo data: `serve --demo`. */
  readonly demo: boolean
  readonly clientInfo: { readonly name: string; readonly version: string }
}

/** `--demo` passes through to the daemon this command starts; a running daemon is used as it is. */
export const withDemo = (target: Target, demo: boolean): Target => {
  if (!demo) return target
  if (target.kind === "auto") return { ...target, command: [...target.command, "serve", "--demo"] }
  if (target.kind === "stdio") return { ...target, args: [...(target.args ?? []), "--demo"] }
  return target
}

/** The UI's link to the daemon, opening: the store gets its state changes, `client` it once open. */
export interface UiSession {
  readonly target: Target
  readonly connection: ConnectionStore
  /** Settles with the client; the App shows the failure if it rejects. */
  readonly opening: Promise<DaemonClient>
  readonly client: () => DaemonClient | undefined
}

/**
 * Starts connecting and initializing. The UI's modules (React, Ink, Yoga) take longer to load
 * than the daemon takes to answer, so `sockeye` opens the session first and loads them while
 * the answer travels; `opened` resolves once the event loop has had a turn to send the request.
 */
export const openSession = (args: UiArgs, io: Io): { readonly session: UiSession; readonly opened: Promise<void> } => {
  const target = withDemo(targetOf(args.flags, io.env), args.demo)
  if (args.demo && (target.kind === "socket" || target.kind === "tcp")) {
    io.stderr("sockeye: --demo applies to a daemon sockeye starts (auto or --stdio), not to --socket or --connect\n")
  }
  const credentials = credentialsOf(args.flags, io.env)
  const connection = new ConnectionStore()
  let client: DaemonClient | undefined
  mark("connect")
  const opening = connect(target, {
    clientInfo: args.clientInfo,
    onStateChange: connection.update,
    ...(credentials ? { credentials } : {})
  }).then((opened) => {
    mark("initialized")
    return (client = opened)
  })
  // Handled here too: the App subscribes only once it renders, and a failure must not crash before.
  opening.catch(() => undefined)
  const opened = new Promise<void>((resolve) => setImmediate(resolve))
  return { session: { target, connection, opening, client: () => client }, opened }
}
