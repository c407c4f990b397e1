import type { DaemonClient } from "@sockeye/client"
import { render as inkRender } from "ink-testing-library"
import React from "react"
import { expect } from "vitest"
import { App } from "../App.js"
import type { AppOptions } from "../AppContainer.js"
import type { ConnectionStore } from "../contexts/ClientContext.js"
import type { KeyBindingConfig } from "../key/keyBindings.js"

/** Terminal input for keys, as a terminal sends them. */
export const KEY = {
  enter: "\r",
  escape: "\x1b",
  tab: "\t",
  backspace: "\x7f",
  space: " ",
  up: "\x1b[A",
  down: "\x1b[B",
  right: "\x1b[C",
  left: "\x1b[D",
  pageUp: "\x1b[5~",
  pageDown: "\x1b[6~",
  ctrl: (letter: string) => String.fromCharCode(letter.toLowerCase().charCodeAt(0) - 96)
} as const

/** Lets Ink and React settle: the keypress queue hops a microtask and two macrotasks per key. */
export const tick = async (times = 4) => {
  for (let i = 0; i < times; i++) await new Promise((r) => setImmediate(r))
}

export interface RenderedApp {
  readonly frame: () => string
  /** Types keys one by one (a string is one key per character, unless it is a KEY escape). */
  readonly press: (...keys: ReadonlyArray<string>) => Promise<void>
  /** Types text as one chunk, as a paste or tmux send-keys delivers it. */
  readonly paste: (text: string) => Promise<void>
  /** Waits until the screen shows `what` (text, a pattern, or a predicate on the frame). */
  readonly waitFor: (what: string | RegExp | ((frame: string) => boolean), timeoutMs?: number) => Promise<string>
  readonly resize: (columns: number, rows: number) => Promise<void>
  readonly unmount: () => void
}

const matches = (frame: string, what: string | RegExp | ((frame: string) => boolean)) =>
  typeof what === "string" ? frame.includes(what) : what instanceof RegExp ? what.test(frame) : what(frame)

// Frames carry colours; assertions read text as the analyst does.
const plain = (frame: string | undefined) => (frame ?? "").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")

/**
 * Renders the whole app (splash, providers, AppContainer) with ink-testing-library, sized like a
 * terminal (default 100x30), on a real daemon client. Keys go in through stdin.
 */
export const renderApp = async (session: { client: DaemonClient; connection: ConnectionStore }, options: Partial<AppOptions> & {
  readonly columns?: number
  readonly rows?: number
  readonly bindings?: KeyBindingConfig
} = {}): Promise<RenderedApp> => {
  const size = { columns: options.columns ?? 100, rows: options.rows ?? 30 }
  const r = inkRender(
    <App connect={async () => session.client} connection={session.connection} bindings={options.bindings}
      options={{ readonly: options.readonly ?? false, ...(options.initial ? { initial: options.initial } : {}) }} />
  )
  // ink-testing-library's stdout is 100 columns and has no rows: give it a terminal's size.
  Object.defineProperty(r.stdout, "columns", { get: () => size.columns, configurable: true })
  Object.defineProperty(r.stdout, "rows", { get: () => size.rows, configurable: true })
  r.stdout.emit("resize")
  await tick()
  const frame = () => plain(r.lastFrame())
  const waitFor: RenderedApp["waitFor"] = async (what, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const f = frame()
      if (matches(f, what)) return f
      await new Promise((res) => setTimeout(res, 20))
    }
    expect(frame(), `waiting for ${String(what)}`).toSatisfy((f: string) => matches(f, what))
    return frame()
  }
  return {
    frame,
    press: async (...keys) => {
      for (const key of keys) {
        const parts = key.startsWith("\x1b") || key.length === 1 ? [key] : [...key]
        for (const part of parts) {
          r.stdin.write(part)
          await tick()
        }
      }
    },
    paste: async (text) => {
      r.stdin.write(text)
      await tick(4 * [...text].length)
    },
    waitFor,
    resize: async (columns, rows) => {
      size.columns = columns
      size.rows = rows
      r.stdout.emit("resize")
      await tick()
    },
    unmount: () => r.unmount()
  }
}

/** The line of the frame that contains `text` (the row of an alert, say). */
export const lineWith = (frame: string, text: string | RegExp): string =>
  frame.split("\n").find((l) => (typeof text === "string" ? l.includes(text) : text.test(l))) ?? ""

/** The selected row: the one with the cursor mark. */
export const selectedLine = (frame: string): string => lineWith(frame, /^▸/)
