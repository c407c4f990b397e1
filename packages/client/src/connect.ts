import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { defaultSocketPath } from "@sockeye/protocol"
import { DaemonClient, type ClientOptions } from "./DaemonClient.js"
import { socketLink, stdioLink, tcpLink, type Link, type SpawnOptions } from "./transports.js"

export type Target =
  | ({ readonly kind: "stdio" } & SpawnOptions)
  | { readonly kind: "socket"; readonly path: string }
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | {
    readonly kind: "auto"
    /** The shared socket; default `$XDG_RUNTIME_DIR/sockeye/sockeyed.sock`. */
    readonly path?: string
    /** How to start a shared daemon when none answers, e.g. ["sockeyed"]. */
    readonly command: ReadonlyArray<string>
    readonly env?: NodeJS.ProcessEnv
    /** How long to wait for a started daemon to answer. */
    readonly startTimeoutMs?: number
  }

export const sharedSocketPath = (): string => defaultSocketPath(process.env, process.getuid?.() ?? 0, os.tmpdir())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Connects to the shared daemon socket; if nothing answers, starts `command --socket PATH`
 * detached (it outlives this client and serves every later one), then connects.
 */
export const autoLink = async (target: Extract<Target, { kind: "auto" }>): Promise<Link> => {
  const socketPath = target.path ?? sharedSocketPath()
  try {
    return await socketLink(socketPath)
  } catch {
    // Nothing answers: start a shared daemon below.
  }
  const [file, ...lead] = target.command
  if (!file) throw new Error("auto: empty daemon command")
  const dir = path.dirname(socketPath)
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const logPath = path.join(dir, "sockeyed.log")
  const log = fs.openSync(logPath, "a", 0o600)
  const logStart = fs.fstatSync(log).size
  const child = spawn(file, [...lead, "--socket", socketPath], {
    detached: true,
    stdio: ["ignore", log, log],
    env: target.env ?? process.env
  })
  child.unref()
  fs.closeSync(log)
  let exitedAt: number | undefined
  let how = "exited"
  child.once("exit", (code, signal) => { exitedAt = Date.now(); how = signal ? `was killed by ${signal}` : `exited with code ${code}` })
  child.once("error", (error) => { exitedAt ??= Date.now(); how = `could not be started (${error.message})` })
  const timeoutMs = target.startTimeoutMs ?? 60_000
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    await sleep(100)
    try {
      return await socketLink(socketPath)
    } catch {
      // Another client may have started a daemon first: ours then exits once that one listens, and
      // its socket answers soon. Ours gone with no socket left behind is a failed start: say why.
      if (exitedAt !== undefined && Date.now() - exitedAt > EXITED_GRACE_MS && !fs.existsSync(socketPath)) {
        const started = [file, ...lead].map((arg) => path.basename(arg)).join(" ")
        throw new Error(`the daemon it started (${started}) ${how} before ${socketPath} answered:\n${logTail(logPath, logStart)}`)
      }
    }
  }
  throw new Error(`started ${file} but ${socketPath} did not answer within ${Math.round(timeoutMs / 1000)} s; see ${logPath}`)
}

/** How long after our daemon exited the socket may still come to answer (another client's daemon). */
const EXITED_GRACE_MS = 1500

/** What the daemon wrote to its log since `from`, its last lines, for the error of a failed start. */
const logTail = (logPath: string, from: number): string => {
  try {
    const text = fs.readFileSync(logPath).subarray(from).toString("utf8").trim()
    if (text === "") return `(nothing in ${logPath})`
    const lines = text.split("\n").slice(-12).map((line) => line.length > 2000 ? `${line.slice(0, 2000)}…` : line)
    return `${lines.join("\n")}\n(from ${logPath})`
  } catch (error) {
    return `(cannot read ${logPath}: ${(error as Error).message})`
  }
}

export const opener = (target: Target): (() => Promise<Link>) => {
  switch (target.kind) {
    case "stdio": return () => stdioLink(target)
    case "socket": return () => socketLink(target.path)
    case "tcp": return () => tcpLink(target.host, target.port)
    case "auto": return () => autoLink(target)
  }
}

/** Connects and initializes; socket, TCP and auto links reconnect by themselves after a drop. */
export const connect = (target: Target, options: Omit<ClientOptions, "open" | "reconnect"> & { readonly reconnect?: boolean }) =>
  DaemonClient.connect({ reconnect: target.kind !== "stdio", ...options, open: opener(target) })
