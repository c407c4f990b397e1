import { Effect, Exit, Runtime } from "effect"
import type { Readable, Writable } from "node:stream"
import { McpServer, type McpBackend, type Outcome } from "@sockeye/protocol"
import { DaemonConfig } from "../DaemonConfig.js"
import { VERSION } from "../lib/packageInfo.js"
import { decodedValue } from "../rpc/Encoded.js"
import { toWireError } from "../rpc/ErrorMapping.js"
import { Router } from "../rpc/Router.js"
import { Session } from "../rpc/Session.js"

export interface McpOptions {
  /** SOCKEYE_TOKEN: the session authenticates with it; without one, as the --trust-local user. */
  readonly token?: string | undefined
  /** SOCKEYE_ON_BEHALF_OF: the session's onBehalfOf note, recorded with every mutation. */
  readonly onBehalfOf?: string | undefined
  readonly input?: Readable
  readonly output?: Writable
}

/**
 * `sockeyed --mcp`: the MCP face on stdin/stdout. Every tool call runs through the same Router
 * as the JSON-RPC transports, in one local Session opened at MCP `initialize`; a refused
 * credential fails that `initialize` with -32001, so the agent learns it before any tool call.
 * Serves until stdin ends, then answers what is in flight.
 */
export const serveMcp = (options: McpOptions = {}) =>
  Effect.gen(function*() {
    const router = yield* Router
    const config = yield* DaemonConfig
    const runtime = yield* Effect.runtime<never>()
    const session = new Session("local", "mcp")
    const log = (message: string) => Runtime.runFork(runtime)(Effect.logInfo(message))

    const run = (method: string, params: unknown, signal?: AbortSignal): Promise<Outcome> => {
      const fiber = router.fork(session, method, params)
      const cancel = () => fiber.unsafeInterruptAsFork(fiber.id())
      signal?.addEventListener("abort", cancel, { once: true })
      return new Promise<Exit.Exit<unknown, unknown>>((resolve) => fiber.addObserver(resolve)).then((exit) => {
        signal?.removeEventListener("abort", cancel)
        if (Exit.isSuccess(exit)) return { ok: true, value: decodedValue(exit.value) } as const
        return Runtime.runPromise(runtime)(toWireError(method, exit.cause)).then((error) => ({ ok: false, error }) as const)
      })
    }

    const backend: McpBackend = {
      open: async (clientInfo) => {
        const opened = await run("initialize", {
          protocolVersion: "1",
          clientInfo,
          ...(options.token ? { credentials: { token: options.token } } : {}),
          ...(options.onBehalfOf ? { onBehalfOf: options.onBehalfOf } : {})
        })
        if (!opened.ok) throw opened.error
        return { methods: router.methodNames, version: VERSION }
      },
      call: run
    }
    const output = options.output ?? process.stdout
    const server = new McpServer({
      backend,
      name: "sockeyed",
      write: (message) => void output.write(`${JSON.stringify(message)}\n`),
      log
    })
    log("mcp: serving MCP on stdio")
    yield* Effect.promise(() => server.serve(options.input ?? process.stdin, config.maxMessageBytes))
    // Answers written before the process ends: stdout may be a pipe that drains asynchronously.
    yield* Effect.async<void>((resume) => void output.write("", () => resume(Effect.void)))
    log("mcp: stdin closed")
  }).pipe(Effect.withLogSpan("mcp"))
