import { Data, Effect, FiberSet } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import type { Origin } from "../domain/auth/Auth.js"
import * as Connection from "./Connection.js"

/** The address is taken or not allowed: the operator's problem, not a bug, so it is logged without a stack. */
export class ListenError extends Data.TaggedError("ListenError")<{ readonly message: string; readonly cause?: unknown }> {
  constructor(args: { readonly message: string; readonly cause?: unknown }) {
    super(args)
    this.stack = `ListenError: ${args.message}`
  }
}

/** Is something answering on this unix socket? A file left by a crashed daemon does not answer. */
const socketAnswers = (socketPath: string) =>
  Effect.async<boolean>((resume) => {
    const probe = net.connect(socketPath)
    probe.once("connect", () => { probe.destroy(); resume(Effect.succeed(true)) })
    probe.once("error", () => resume(Effect.succeed(false)))
  })

/** Unix socket: mode 0600 in a 0700 directory; a stale socket file is reclaimed, a live one refused. */
export const prepareSocketPath = (socketPath: string) =>
  Effect.gen(function*() {
    const dir = path.dirname(socketPath)
    const mode = yield* Effect.try({
      try: () => {
        // Created here: private from the start. An existing folder is never re-permissioned: it may be /tmp.
        if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
        return fs.statSync(dir).mode & 0o777
      },
      catch: (cause) => new ListenError({ message: `cannot create ${dir}`, cause })
    })
    if ((mode & 0o077) !== 0) {
      return yield* new ListenError({
        message: `the socket's folder ${dir} is open to others (mode ${mode.toString(8)}); use a folder of its own with mode 0700`
      })
    }
    if (fs.existsSync(socketPath)) {
      if (yield* socketAnswers(socketPath)) {
        return yield* new ListenError({ message: `another daemon is already listening on ${socketPath}` })
      }
      yield* Effect.logWarning(`reclaiming stale socket ${socketPath}`)
      fs.rmSync(socketPath, { force: true })
    }
  })

export type Address = { readonly kind: "socket"; readonly path: string } | { readonly kind: "tcp"; readonly host: string; readonly port: number }

/**
 * Listens on a unix socket or TCP address and serves each connection in its own fiber until the
 * scope closes. TCP connections are `remote`: they always need credentials.
 */
export const listen = (address: Address) =>
  Effect.gen(function*() {
    if (address.kind === "socket") yield* prepareSocketPath(address.path)
    const origin: Origin = address.kind === "socket" ? "local" : "remote"
    const sockets = new Set<net.Socket>()
    const server = net.createServer((socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
      if (address.kind === "tcp") socket.setNoDelay(true)
      const name = address.kind === "socket" ? "socket" : `tcp ${socket.remoteAddress}:${socket.remotePort}`
      const peer = address.kind === "tcp" ? socket.remoteAddress ?? "remote" : origin
      run(Connection.serve({ input: socket, output: socket, origin, transport: name, peer }).pipe(
        Effect.ensuring(Effect.sync(() => socket.destroy()))
      ))
    })
    const bound = yield* Effect.acquireRelease(
      Effect.async<string, ListenError>((resume) => {
        server.once("error", (cause) => resume(Effect.fail(new ListenError({ message: `cannot listen: ${cause.message}`, cause }))))
        const onListening = () => {
          if (address.kind === "socket") fs.chmodSync(address.path, 0o600)
          const a = server.address()
          resume(Effect.succeed(typeof a === "string" ? a : `${a?.address}:${a?.port}`))
        }
        if (address.kind === "socket") server.listen(address.path, onListening)
        else server.listen(address.port, address.host, onListening)
      }),
      () => Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
        if (address.kind === "socket") fs.rmSync(address.path, { force: true })
      })
    )
    // Made after the server so it is released before it: connections drain, then the server closes.
    const run = yield* FiberSet.makeRuntime<Connection.ConnectionRequirements>()
    return bound
  })
