import type { Readable } from "node:stream"
import { AbstractMessageReader, type DataCallback, type Disposable, type Message } from "vscode-jsonrpc/node"

/** A frame the reader refused: the connection answers it with this error and keeps reading. */
export interface Rejection {
  readonly code: number
  readonly message: string
  readonly id: string | number | null
}

const HEADER_END = Buffer.from("\r\n\r\n")
const MAX_HEADER_BYTES = 8192
const CONTENT_LENGTH = /content-length:/i
const CONTENT_LENGTH_TAIL = "content-length:".length - 1

/**
 * Content-Length framing with the checks vscode-jsonrpc's own reader lacks: a size limit
 * (oversized bodies are skipped as they stream in, never buffered), broken headers, invalid
 * UTF-8 and JSON, and messages that are not JSON-RPC 2.0. Each is reported through
 * `onReject` so the connection can answer it; the stream stays in sync and reading goes on.
 */
export class FrameReader extends AbstractMessageReader {
  private buffer: Buffer = Buffer.alloc(0)
  private parts: Array<Buffer> = []
  private partsLength = 0
  private bodyLength = -1
  private skipping = 0
  /** After a broken header block: the length of what follows is unknown, so look for the next frame. */
  private resyncing = false
  private callback: DataCallback | undefined
  private readonly decoder = new TextDecoder("utf-8", { fatal: true })

  constructor(
    private readonly readable: Readable,
    private readonly maxBytes: number,
    private readonly onReject: (rejection: Rejection) => void
  ) {
    super()
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback
    const onData = (chunk: Buffer) => this.onData(chunk)
    const onError = (error: Error) => this.fireError(error)
    const onClose = () => this.fireClose()
    this.readable.on("data", onData)
    this.readable.on("error", onError)
    this.readable.on("end", onClose)
    this.readable.on("close", onClose)
    return {
      dispose: () => {
        this.readable.off("data", onData)
        this.readable.off("error", onError)
        this.readable.off("end", onClose)
        this.readable.off("close", onClose)
      }
    }
  }

  private onData(chunk: Buffer) {
    if (this.skipping > 0) {
      const skipped = Math.min(this.skipping, chunk.length)
      this.skipping -= skipped
      chunk = chunk.subarray(skipped)
      if (chunk.length === 0) return
    }
    // While a body is incomplete its chunks wait in a list and are joined once: joining each one
    // as it came copied the growing body again per chunk (a 5.6 MB upload chunk: ~85 copies).
    this.parts.push(chunk)
    this.partsLength += chunk.length
    if (this.bodyLength >= 0 && this.buffer.length + this.partsLength < this.bodyLength) return
    this.buffer = this.buffer.length === 0 && this.parts.length === 1 ? chunk : Buffer.concat([this.buffer, ...this.parts])
    this.parts = []
    this.partsLength = 0
    while (this.step()) { /* keep going while whole frames are buffered */ }
  }

  /** Consumes one header block or one body; false when more bytes are needed. */
  private step(): boolean {
    if (this.bodyLength < 0) return this.readHeaders()
    if (this.buffer.length < this.bodyLength) return false
    const body = this.buffer.subarray(0, this.bodyLength)
    this.buffer = this.buffer.subarray(this.bodyLength)
    this.bodyLength = -1
    this.deliver(body)
    return true
  }

  /**
   * The body after a broken header block has no known length. Rather than read it as the next
   * header block (which would refuse the following, valid frame too), drop bytes up to the next
   * `Content-Length:`, where the next frame starts. Keeps a tail in case the name is split.
   */
  private resync(): boolean {
    const at = this.buffer.toString("latin1").search(CONTENT_LENGTH)
    if (at < 0) {
      this.buffer = this.buffer.subarray(Math.max(0, this.buffer.length - CONTENT_LENGTH_TAIL))
      return false
    }
    this.buffer = this.buffer.subarray(at)
    this.resyncing = false
    return true
  }

  private refuseHeaders(message: string) {
    this.resyncing = true
    this.onReject({ code: -32700, message, id: null })
  }

  private readHeaders(): boolean {
    if (this.resyncing && !this.resync()) return false
    const end = this.buffer.indexOf(HEADER_END)
    if (end < 0) {
      if (this.buffer.length > MAX_HEADER_BYTES) {
        this.buffer = Buffer.alloc(0)
        this.refuseHeaders("header block too long or missing its blank line")
      }
      return false
    }
    const headers = this.buffer.subarray(0, end).toString("latin1")
    this.buffer = this.buffer.subarray(end + HEADER_END.length)
    const match = /(?:^|\r\n)content-length:[ \t]*([^\r\n]*)/i.exec(headers)
    const raw = match?.[1]?.trim() ?? ""
    if (!/^\d{1,15}$/.test(raw)) {
      this.refuseHeaders(match ? `invalid Content-Length: ${JSON.stringify(raw.slice(0, 40))}` : "missing Content-Length header")
      return true
    }
    const length = Number(raw)
    if (length > this.maxBytes) {
      this.onReject({ code: -32013, message: `message of ${length} bytes exceeds the limit of ${this.maxBytes} bytes`, id: null })
      const buffered = Math.min(length, this.buffer.length)
      this.buffer = this.buffer.subarray(buffered)
      this.skipping = length - buffered
      return this.buffer.length > 0
    }
    this.bodyLength = length
    return true
  }

  private deliver(body: Buffer) {
    let text: string
    try {
      text = this.decoder.decode(body)
    } catch {
      return this.onReject({ code: -32700, message: "message body is not valid UTF-8", id: null })
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      return this.onReject({ code: -32700, message: `invalid JSON: ${(error as Error).message.slice(0, 200)}`, id: null })
    }
    const problem = invalidMessage(value)
    if (problem) return this.onReject({ code: -32600, message: problem, id: idOf(value) })
    if (isBadCancel(value)) {
      return this.onReject({ code: -32602, message: '$/cancelRequest needs params {id}: the id of a request', id: null })
    }
    try {
      this.callback?.(value as Message)
    } catch {
      // A throw here would escape the stream's "data" handler and stop the whole daemon.
      this.onReject({ code: -32603, message: "internal error while reading the message", id: idOf(value) })
    }
  }
}

const idOf = (value: unknown): string | number | null => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null
  const id = (value as { id?: unknown }).id
  return typeof id === "string" || typeof id === "number" ? id : null
}

/** Why a parsed value is not a JSON-RPC 2.0 request, notification or response; undefined if it is one. */
const invalidMessage = (value: unknown): string | undefined => {
  if (Array.isArray(value)) return "batch requests are not supported: send one message per frame"
  if (typeof value !== "object" || value === null) return "a message must be a JSON object"
  const message = value as Record<string, unknown>
  if (message["jsonrpc"] !== "2.0") return 'the "jsonrpc" member must be "2.0"'
  const hasId = "id" in message
  if (hasId && typeof message["id"] !== "string" && typeof message["id"] !== "number" && message["id"] !== null) {
    return '"id" must be a string, a number or null'
  }
  if ("method" in message) {
    if (typeof message["method"] !== "string") return '"method" must be a string'
    if (hasId && message["id"] === null) return 'a request\'s "id" must not be null'
    // Params of any other shape go on to the router, which answers -32602 with the issues.
    return undefined
  }
  if (hasId && ("result" in message || "error" in message)) return undefined
  return 'a message needs "method" (request or notification) or "result"/"error" (response)'
}

/** vscode-jsonrpc reads `params.id` of `$/cancelRequest` unguarded: without it, it throws. */
const isBadCancel = (value: unknown): boolean => {
  const message = value as { method?: unknown; params?: unknown }
  if (message.method !== "$/cancelRequest") return false
  const id = (message.params as { id?: unknown } | null | undefined)?.id
  return typeof message.params !== "object" || (typeof id !== "string" && typeof id !== "number")
}
