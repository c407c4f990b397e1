import type { Target } from "@sockeye/client"
import { render } from "ink"
import React from "react"
import { App } from "../App.js"
import type { Io } from "../io.js"
import { loadKeyBindings } from "../key/keyConfig.js"
import { Screen } from "../terminal/Screen.js"
import { saveCodeCache } from "../launch/codeCacheHook.js"
import { mark } from "../trace.js"
import type { UiSession } from "./uiSession.js"

const describe = (target: Target): string =>
  target.kind === "socket" ? `the daemon at ${target.path}` : target.kind === "tcp" ? `${target.host}:${target.port}`
    : target.kind === "stdio" ? "a private daemon (stdio)" : "the shared daemon"

// A table's cursor row: the first frame with one is the end of start-up.
const CURSOR_ROW = /^(?:\x1b\[[0-9;]*m)*\u25b8/m

/** Once the first rows are on screen, V8 has compiled what a start needs: the time to save the code cache. */
const onFirstRows = (screen: Screen, then: () => void) => {
  const onFrame = (frame: string) => {
    if (!CURSOR_ROW.test(frame)) return
    screen.off("frame", onFrame)
    then()
  }
  screen.on("frame", onFrame)
}

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
export const ui = async (session: UiSession, args: { readonly readonly: boolean }, io: Io): Promise<number> => {
  mark("ui")
  const keys = loadKeyBindings(io.env)
  const open = () => session.opening

  // No full-screen option in Ink: the alternate screen is ours to enter and to leave, even on a crash.
  const screen = new Screen(process.stdout)
  let left = false
  const leave = () => {
    if (left) return
    left = true
    screen.leave()
  }
  process.once("exit", leave)
  onFirstRows(screen, () => {
    mark("first rows")
    // After this frame is out, not in the middle of writing it.
    setImmediate(() => {
      saveCodeCache()
      mark("code cache saved (if there was none)")
    })
  })
  // Anything printed while the UI runs would tear the screen; it is dropped (React's warnings included).
  const quiet = silenceConsole()
  screen.enter()
  try {
    mark("render")
    const instance = render(
      <App connect={open} connection={session.connection} target={describe(session.target)} bindings={keys.config}
        options={{ readonly: args.readonly, warnings: keys.warnings }} />,
      { stdout: screen as unknown as NodeJS.WriteStream, debug: true, exitOnCtrlC: false, patchConsole: false }
    )
    await instance.waitUntilExit()
  } finally {
    leave()
    quiet()
    process.off("exit", leave)
    await session.client()?.close()
  }
  return 0
}
