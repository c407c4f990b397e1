import { spawn, type ChildProcess } from "node:child_process"
import * as net from "node:net"
import type { Readable, Writable } from "node:stream"

/** A byte stream pair to a daemon, and how to close it. */
export interface Link {
  readonly input: Readable
  readonly output: Writable
  readonly describe: string
  readonly close: () => void
  /** Resolves when the link is gone (peer closed, process exited). */
  readonly closed: Promise<void>
}

export const socketLink = (socketPath: string): Promise<Link> => streamLink(() => net.connect(socketPath), `unix socket ${socketPath}`)

export const tcpLink = (host: string, port: number): Promise<Link> =>
  streamLink(() => {
    const socket = net.connect({ host, port })
    // Without this each small message waits for the peer's delayed ACK (~40-90 ms a round trip).
    socket.setNoDelay(true)
    return socket
  }, `tcp ${host}:${port}`)

const streamLink = (open: () => net.Socket, describe: string) =>
  new Promise<Link>((resolve, reject) => {
    const socket = open()
    socket.once("error", reject)
    socket.once("connect", () => {
      socket.off("error", reject)
      // Errors after connect surface as a close; the client reconnects or reports it.
      socket.on("error", () => undefined)
      const closed = new Promise<void>((done) => socket.once("close", () => done()))
      resolve({ input: socket, output: socket, describe, close: () => socket.destroy(), closed })
    })
  })

export interface SpawnOptions {
  /** The daemon command and its leading args, e.g. ["sockeyed"] or [process.execPath, "/path/sockeyed.js"]. */
  readonly command: ReadonlyArray<string>
  /** Extra args after `--stdio`. */
  readonly args?: ReadonlyArray<string>
  readonly env?: NodeJS.ProcessEnv
  /** Where the daemon's stderr goes: "inherit", "ignore", or a callback per chunk. */
  readonly stderr?: "inherit" | "ignore" | ((chunk: string) => void)
}

/** Spawns `sockeyed --stdio` and talks over its stdin/stdout. */
export const stdioLink = (options: SpawnOptions): Promise<Link> =>
  new Promise<Link>((resolve, reject) => {
    const [file, ...lead] = options.command
    if (!file) return reject(new Error("empty daemon command"))
    const stderr = options.stderr ?? "inherit"
    const child: ChildProcess = spawn(file, [...lead, "--stdio", ...(options.args ?? [])], {
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", typeof stderr === "function" ? "pipe" : stderr]
    })
    if (typeof stderr === "function") child.stderr?.on("data", (chunk: Buffer) => stderr(chunk.toString("utf8")))
    child.once("error", reject)
    child.once("spawn", () => {
      const closed = new Promise<void>((done) => child.once("exit", () => done()))
      resolve({
        input: child.stdout!,
        output: child.stdin!,
        describe: `stdio (pid ${child.pid})`,
        close: () => { child.stdin?.end() },
        closed
      })
    })
  })
