import { connect, type DaemonClient, type Target } from "@sockeye/client"
import { render } from "ink"
import React from "react"
import { App } from "../App.js"
import { credentialsOf, targetOf, type ConnectionFlags } from "../connection.js"
import { ConnectionStore } from "../contexts/ClientContext.js"
import type { Io } from "../io.js"
import { loadKeyBindings } from "../key/keyConfig.js"
import { Screen } from "../terminal/Screen.js"

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

const describe = (target: Target): string =>
  target.kind === "socket" ? `the daemon at ${target.path}` : target.kind === "tcp" ? `${target.host}:${target.port}`
    : target.kind === "stdio" ? "a private daemon (stdio)" : "the shared daemon"

const silenceConsole = (): (() => void) => {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug }
  const none = () => undefined
  Object.assign(console, { log: none, info: none, warn: none, error: none, debug: none })
  return () => void Object.assign(console, saved)
}

/**
 * `sockeye` with no command: the full-screen terminal UI. It needs a terminal; it enters the
 * alternate screen, renders until q, then restores the screen and closes the session.
 */
export const ui = async (args: UiArgs, io: Io): Promise<number> => {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    io.stderr("sockeye: the terminal UI needs a terminal; for scripts use 'sockeye call' (see sockeye --help)\n")
    return 2
  }
  const target = withDemo(targetOf(args.flags, io.env), args.demo)
  if (args.demo && (target.kind === "socket" || target.kind === "tcp")) {
    io.stderr("sockeye: --demo applies to a daemon sockeye starts (auto or --stdio), not to --socket or --connect\n")
  }
  const credentials = credentialsOf(args.flags, io.env)
  const keys = loadKeyBindings(io.env)
  const connection = new ConnectionStore()
  let client: DaemonClient | undefined
  const open = async () => {
    client = await connect(target, {
      clientInfo: args.clientInfo,
      onStateChange: connection.update,
      ...(credentials ? { credentials } : {})
    })
    return client
  }

  // No full-screen option in Ink: the alternate screen is ours to enter and to leave, even on a crash.
  const screen = new Screen(process.stdout)
  let left = false
  const leave = () => {
    if (left) return
    left = true
    screen.leave()
  }
  process.once("exit", leave)
  // Anything printed while the UI runs would tear the screen; it is dropped (React's warnings included).
  const quiet = silenceConsole()
  screen.enter()
  try {
    const instance = render(
      <App connect={open} connection={connection} target={describe(target)} bindings={keys.config}
        options={{ readonly: args.readonly, warnings: keys.warnings }} />,
      { stdout: screen as unknown as NodeJS.WriteStream, debug: true, exitOnCtrlC: false, patchConsole: false }
    )
    await instance.waitUntilExit()
  } finally {
    leave()
    quiet()
    process.off("exit", leave)
    await client?.close()
  }
  return 0
}
