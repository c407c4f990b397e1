import { Effect } from "effect"
import type { Principal } from "../domain/Principal.js"
import type { Origin } from "../domain/auth/Auth.js"

/** One connection's state: created by the transport, read and advanced by the router. */
export class Session {
  phase: "new" | "ready" | "closing" = "new"
  principal: Principal | undefined = undefined
  /** Sends a server notification to this connection; the transport sets it, and unsets it at close. */
  notify: (method: string, params: unknown) => void = () => undefined

  constructor(
    /** Local transports (stdio, unix socket) may be trusted without credentials; TCP never is. */
    readonly origin: Origin,
    /** For logs: "stdio", "socket", "tcp 127.0.0.1:5555". */
    readonly transport: string,
    /** Waits for the connection's other in-flight requests, for `shutdown`. */
    readonly drain: Effect.Effect<void> = Effect.void,
    /** Where failed sign-ins are counted: the TCP peer's address; every local connection is "local". */
    readonly peer: string = origin
  ) {}
}
