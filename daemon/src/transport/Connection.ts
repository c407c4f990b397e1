import { Deferred, Effect, Equal, Exit, Fiber, Runtime } from "effect"
import type { Readable, Writable } from "node:stream"
import {
  createMessageConnection, ResponseError, type CancellationToken, type MessageConnection
} from "vscode-jsonrpc/node"
import { DaemonConfig } from "../DaemonConfig.js"
import type { Origin } from "../domain/auth/Auth.js"
import { toWireError } from "../rpc/ErrorMapping.js"
import { Router } from "../rpc/Router.js"
import { Session } from "../rpc/Session.js"
import { FrameReader } from "./FrameReader.js"
import { FrameWriter } from "./FrameWriter.js"
import { LiveUpdates } from "../rpc/LiveUpdates.js"

export type ConnectionRequirements = Router | LiveUpdates | DaemonConfig

export interface ConnectionOptions {
  readonly input: Readable
  readonly output: Writable
  readonly origin: Origin
  readonly transport: string
  /** The remote address of a TCP connection, where failed sign-ins are counted; default the origin. */
  readonly peer?: string
}

/** How long closing waits for answers already computed to be written. */
const FLUSH_MS = 2000

/**
 * Serves one JSON-RPC connection until the peer closes it or sends `exit`. Each request runs
 * in its own fiber; `$/cancelRequest` interrupts it (-32800). When the scope closes, in-flight
 * requests get the configured grace period to finish, then are interrupted.
 */
export const serve = (options: ConnectionOptions) =>
  Effect.gen(function*() {
    const router = yield* Router
    const live = yield* LiveUpdates
    const config = yield* DaemonConfig
    const runtime = yield* Effect.runtime<never>()
    const closed = yield* Deferred.make<void>()
    const inFlight = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
    // What each request handler returned to vscode-jsonrpc, which writes the answer once it settles.
    const answers = new Set<Promise<unknown>>()
    const log = (message: string) => Runtime.runFork(runtime)(Effect.logInfo(`${options.transport}: ${message}`))

    // `shutdown` waits for every request but itself.
    const drain = Effect.flatMap(Effect.fiberId, (self) => {
      const others = [...inFlight].filter((f) => !Equal.equals(f.id(), self))
      return Fiber.awaitAll(others).pipe(Effect.timeout(config.shutdownGraceMs), Effect.ignore)
    })
    const session = new Session(options.origin, options.transport, drain, options.peer ?? options.origin)

    const writer = new FrameWriter(options.output)
    const reader = new FrameReader(options.input, config.maxMessageBytes, (rejection) => {
      log(`refused a message: ${rejection.message}`)
      void writer.write({ jsonrpc: "2.0", id: rejection.id, error: { code: rejection.code, message: rejection.message } } as never)
        .catch(() => undefined)
    })
    const connection: MessageConnection = createMessageConnection(reader, writer, {
      error: (m: string) => log(`jsonrpc error: ${m}`),
      warn: (m: string) => log(`jsonrpc warning: ${m}`),
      info: () => undefined,
      log: () => undefined
    })

    session.notify = (method, params) => void connection.sendNotification(method, params).catch(() => undefined)
    connection.onRequest((method: string, params: unknown, token: CancellationToken) => {
      const fiber = router.fork(session, method, params)
      inFlight.add(fiber)
      const cancel = token.onCancellationRequested(() => fiber.unsafeInterruptAsFork(fiber.id()))
      const exited = new Promise<Exit.Exit<unknown, unknown>>((resolve) => fiber.addObserver(resolve))
      const answer: Promise<unknown> = exited.then((exit) => {
        inFlight.delete(fiber)
        cancel.dispose()
        if (Exit.isSuccess(exit)) return exit.value
        return Runtime.runPromise(runtime)(toWireError(method, exit.cause)).then((error) => {
          if (error.code !== -32800) log(`${method} -> ${error.code} ${error.message}`)
          return new ResponseError(error.code, error.message, error.data)
        })
      }).finally(() => answers.delete(answer))
      answers.add(answer)
      return answer
    })
    connection.onNotification((method: string) => {
      if (method === "exit") Runtime.runSync(runtime)(Deferred.succeed(closed, undefined))
    })
    connection.onClose(() => Runtime.runSync(runtime)(Deferred.succeed(closed, undefined)))
    connection.onError(([error]: [Error, unknown, unknown]) => log(`connection error: ${error.message}`))

    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        session.phase = "closing"
        session.notify = () => undefined
        if (inFlight.size > 0) log(`closing: waiting for ${inFlight.size} in-flight request(s)`)
        yield* Fiber.awaitAll([...inFlight]).pipe(Effect.timeout(config.shutdownGraceMs), Effect.ignore)
        yield* Fiber.interruptAll([...inFlight])
        // A finished request is not answered yet: vscode-jsonrpc writes the answer a tick after its
        // promise settles. Disposing (and the transport destroying the socket) before that lost it.
        yield* Effect.promise(() =>
          Promise.allSettled([...answers])
            .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
            .then(() => writer.flushed())
        ).pipe(Effect.timeout(FLUSH_MS), Effect.ignore)
        connection.dispose()
        reader.dispose()
        log("closed")
      }))
    connection.listen()
    log("connected")
    yield* live.attach(session)
    yield* Deferred.await(closed)
    log("disconnected")
  }).pipe(Effect.scoped)
