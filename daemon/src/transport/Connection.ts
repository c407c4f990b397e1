import { Deferred, Effect, Equal, Exit, Fiber, Runtime } from "effect"
import type { Readable, Writable } from "node:stream"
import {
  createMessageConnection, ResponseError, StreamMessageWriter, type CancellationToken, type MessageConnection
} from "vscode-jsonrpc/node"
import { DaemonConfig } from "../DaemonConfig.js"
import type { Origin } from "../domain/auth/Auth.js"
import { toWireError } from "../rpc/ErrorMapping.js"
import { Router } from "../rpc/Router.js"
import { Session } from "../rpc/Session.js"
import { FrameReader } from "./FrameReader.js"

export type ConnectionRequirements = Router | DaemonConfig

export interface ConnectionOptions {
  readonly input: Readable
  readonly output: Writable
  readonly origin: Origin
  readonly transport: string
}

/**
 * Serves one JSON-RPC connection until the peer closes it or sends `exit`. Each request runs
 * in its own fiber; `$/cancelRequest` interrupts it (-32800). When the scope closes, in-flight
 * requests get the configured grace period to finish, then are interrupted.
 */
export const serve = (options: ConnectionOptions) =>
  Effect.gen(function*() {
    const router = yield* Router
    const config = yield* DaemonConfig
    const runtime = yield* Effect.runtime<never>()
    const closed = yield* Deferred.make<void>()
    const inFlight = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
    const log = (message: string) => Runtime.runFork(runtime)(Effect.logInfo(`${options.transport}: ${message}`))

    // `shutdown` waits for every request but itself.
    const drain = Effect.flatMap(Effect.fiberId, (self) => {
      const others = [...inFlight].filter((f) => !Equal.equals(f.id(), self))
      return Fiber.awaitAll(others).pipe(Effect.timeout(config.shutdownGraceMs), Effect.ignore)
    })
    const session = new Session(options.origin, options.transport, drain)

    const writer = new StreamMessageWriter(options.output)
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

    connection.onRequest((method: string, params: unknown, token: CancellationToken) => {
      const fiber = Runtime.runFork(runtime)(router.dispatch(session, method, params))
      inFlight.add(fiber)
      const cancel = token.onCancellationRequested(() => Runtime.runFork(runtime)(Fiber.interrupt(fiber)))
      return Runtime.runPromise(runtime)(Fiber.await(fiber)).then((exit) => {
        inFlight.delete(fiber)
        cancel.dispose()
        if (Exit.isSuccess(exit)) return exit.value
        return Runtime.runPromise(runtime)(toWireError(method, exit.cause)).then((error) => {
          if (error.code !== -32800) log(`${method} -> ${error.code} ${error.message}`)
          return new ResponseError(error.code, error.message, error.data)
        })
      })
    })
    connection.onNotification((method: string) => {
      if (method === "exit") Runtime.runSync(runtime)(Deferred.succeed(closed, undefined))
    })
    connection.onClose(() => Runtime.runSync(runtime)(Deferred.succeed(closed, undefined)))
    connection.onError(([error]: [Error, unknown, unknown]) => log(`connection error: ${error.message}`))

    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        session.phase = "closing"
        yield* Fiber.awaitAll([...inFlight]).pipe(Effect.timeout(config.shutdownGraceMs), Effect.ignore)
        yield* Fiber.interruptAll([...inFlight])
        connection.dispose()
        reader.dispose()
      }))
    connection.listen()
    log("connected")
    yield* Deferred.await(closed)
    log("disconnected")
  }).pipe(Effect.scoped)
