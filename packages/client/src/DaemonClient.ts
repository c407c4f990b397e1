import { Effect, ParseResult, Schema } from "effect"
import {
  Lifecycle, Notifications, fromWire, Unavailable, type DryRunPreview, type Method, type Notification, type ParamsOf,
  type ProtocolError, type ResultOf, type RpcError, type User
} from "@sockeye/protocol"
import {
  createMessageConnection, ResponseError, StreamMessageReader, type MessageConnection
} from "vscode-jsonrpc/node"
import type { Link } from "./transports.js"
import { SingleWriteMessageWriter } from "./messageWriter.js"
import { decoderFor, optionDecoderFor } from "./compiledDecoder.js"

type Credentials = typeof Lifecycle.Credentials.Type
type InitializeResult = typeof Lifecycle.InitializeResult.Type

export type ClientError = RpcError | ProtocolError

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "closed"

export interface ClientOptions {
  readonly clientInfo: { readonly name: string; readonly version?: string }
  readonly credentials?: Credentials
  /** Whom this connection acts for; recorded in the audit entry of every mutation it makes. */
  readonly onBehalfOf?: string
  /** Opens a fresh link; called again after a drop when `reconnect` is on. */
  readonly open: () => Promise<Link>
  /** Reconnect with backoff after the link drops (socket and TCP). */
  readonly reconnect?: boolean
  readonly onStateChange?: (state: ConnectionState, detail?: string) => void
}

export interface CallOptions {
  /**
   * Asks the daemon for `$/progress` reports of this call (a fresh progressToken is sent). Reports
   * may go on after the result (jobs/run); they stop at `kind: "end"`, a failed call, or close.
   */
  readonly onProgress?: (value: Notifications.ProgressValue) => void
}

let progressTokens = 0

const toClientError = (error: unknown): ClientError => {
  if (error instanceof ResponseError) return fromWire(error.code, error.message, error.data)
  return new Unavailable({ message: error instanceof Error ? error.message : String(error) })
}

/**
 * A typed connection to sockeyed. `call` encodes params and decodes results with the method's
 * schemas and rejects with the protocol's tagged errors, so callers can switch on `_tag`.
 */
export class DaemonClient {
  private connection: MessageConnection | undefined
  private link: Link | undefined
  private handlers = new Map<string, Set<(params: any) => void>>()
  private closedByUser = false
  private stateValue: ConnectionState = "connecting"
  /** The initialize result of the current link. */
  info: InitializeResult | undefined

  private constructor(private readonly options: ClientOptions) {}

  static async connect(options: ClientOptions): Promise<DaemonClient> {
    const client = new DaemonClient(options)
    await client.open()
    return client
  }

  get state(): ConnectionState { return this.stateValue }
  get user(): User | undefined { return this.info?.user }
  get transport(): string | undefined { return this.link?.describe }

  private setState(state: ConnectionState, detail?: string) {
    this.stateValue = state
    this.options.onStateChange?.(state, detail)
  }

  private async open(): Promise<void> {
    const link = await this.options.open()
    const connection = createMessageConnection(new StreamMessageReader(link.input), new SingleWriteMessageWriter(link.output))
    connection.onNotification((method: string, params: unknown) => {
      for (const handler of this.handlers.get(method) ?? []) handler(params)
    })
    // vscode-jsonrpc keeps $/progress from onNotification (it routes it by token to onProgress
    // handlers); every token here is unregistered with it, so all of them arrive as "unhandled".
    connection.onUnhandledProgress((params) => {
      for (const handler of this.handlers.get(Notifications.Progress.method) ?? []) handler(params)
    })
    connection.listen()
    this.link = link
    this.connection = connection
    try {
      const params = Schema.encodeSync(Lifecycle.InitializeParams)({
        protocolVersion: Lifecycle.PROTOCOL_VERSION,
        clientInfo: this.options.clientInfo,
        ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
        ...(this.options.onBehalfOf !== undefined ? { onBehalfOf: this.options.onBehalfOf } : {})
      })
      const raw = await connection.sendRequest("initialize", params)
      this.info = decoderFor(Lifecycle.InitializeResult)(raw)
      connection.sendNotification("initialized", {}).catch(() => undefined)
    } catch (error) {
      connection.dispose()
      link.close()
      throw toClientError(error)
    }
    this.setState("connected", link.describe)
    void link.closed.then(() => this.onDrop(connection))
  }

  private async onDrop(connection: MessageConnection) {
    connection.dispose()
    if (this.closedByUser || this.connection !== connection) return
    this.connection = undefined
    if (!this.options.reconnect) return this.setState("closed", "the daemon closed the connection")
    for (let attempt = 0; !this.closedByUser; attempt++) {
      const delay = Math.min(5000, 100 * 2 ** attempt)
      this.setState("reconnecting", `attempt ${attempt + 1} in ${delay} ms`)
      await new Promise((r) => setTimeout(r, delay))
      if (this.closedByUser) return
      try {
        await this.open()
        return
      } catch {
        // The daemon may still be starting; keep backing off.
      }
    }
  }

  /** Calls a method; rejects with a tagged protocol error. A dry run goes through `preview`. */
  async call<M extends Method>(method: M, params: ParamsOf<M>, options: CallOptions = {}): Promise<ResultOf<M>> {
    if ((params as { dryRun?: unknown } | undefined)?.dryRun === true) {
      throw fromWire(-32602, `${method.method}: call answers results; use preview() for a dry run`, { issues: [{ path: ["dryRun"], message: "use preview()" }] })
    }
    return decoderFor(method.result)(await this.send(method, params, options)) as ResultOf<M>
  }

  /** Calls a mutation with `dryRun: true`: what it would change, and what it would answer. */
  async preview<M extends Method>(method: M, params: ParamsOf<M>, options: CallOptions = {}): Promise<DryRunPreview<ResultOf<M>>> {
    if (!method.dryRun) throw fromWire(-32602, `${method.method} changes nothing; it has no dry run`, { issues: [{ path: ["dryRun"], message: "not a mutation" }] })
    const raw = await this.send(method, { ...params, dryRun: true }, options)
    return decoderFor(method.dryRun.preview)(raw) as DryRunPreview<ResultOf<M>>
  }

  private async send<M extends Method>(method: M, params: ParamsOf<M>, options: CallOptions): Promise<unknown> {
    const connection = this.connection
    if (!connection) throw new Unavailable({ message: `not connected (${this.stateValue})` })
    const encoded = Schema.encodeEither(method.params)(params)
    if (encoded._tag === "Left") {
      throw fromWire(-32602, ParseResult.TreeFormatter.formatErrorSync(encoded.left), {
        issues: ParseResult.ArrayFormatter.formatErrorSync(encoded.left)
      })
    }
    let wire = encoded.right as object
    let stopProgress = () => {}
    const onProgress = options.onProgress
    if (onProgress) {
      const token = `${process.pid}-${++progressTokens}`
      wire = { ...wire, progressToken: token }
      stopProgress = this.on(Notifications.Progress, (progress) => {
        if (progress.token !== token) return
        if (progress.value.kind === "end") stopProgress()
        onProgress(progress.value)
      })
    }
    let raw: unknown
    try {
      raw = await connection.sendRequest(method.method, wire)
    } catch (error) {
      stopProgress()
      throw toClientError(error)
    }
    return raw
  }

  /** `call` as an Effect, failing with the tagged error. */
  callEffect<M extends Method>(method: M, params: ParamsOf<M>): Effect.Effect<ResultOf<M>, ClientError> {
    return Effect.tryPromise({ try: () => this.call(method, params), catch: (e) => e as ClientError })
  }

  /** Sends a request by name with raw params: for tools that pass JSON through (sockeye call). */
  async raw(method: string, params: unknown): Promise<unknown> {
    const connection = this.connection
    if (!connection) throw new Unavailable({ message: `not connected (${this.stateValue})` })
    try {
      return await connection.sendRequest(method, params as object)
    } catch (error) {
      throw toClientError(error)
    }
  }

  /** Subscribes to a server notification; returns the unsubscribe function. */
  on<P>(notification: Notification<P>, handler: (params: P) => void): () => void {
    const decode = optionDecoderFor(notification.params)
    const wrapped = (raw: unknown) => {
      const decoded = decode(raw)
      if (decoded._tag === "Some") handler(decoded.value)
    }
    const set = this.handlers.get(notification.method) ?? new Set()
    set.add(wrapped)
    this.handlers.set(notification.method, set)
    return () => set.delete(wrapped)
  }

  /** shutdown, exit, and close the link. */
  async close(): Promise<void> {
    this.closedByUser = true
    const connection = this.connection
    this.connection = undefined
    if (connection) {
      await Promise.race([
        connection.sendRequest("shutdown", {}).then(() => connection.sendNotification("exit", {})),
        new Promise((r) => setTimeout(r, 2000))
      ]).catch(() => undefined)
      connection.dispose()
    }
    this.link?.close()
    this.setState("closed")
  }
}
