import type { Writable } from "node:stream"
import { AbstractMessageWriter, type Message, type MessageWriter } from "vscode-jsonrpc/node"
import { Encoded } from "../rpc/Encoded.js"

/** A response whose result is already JSON text gets it spliced in; anything else is stringified. */
const serialize = (message: Message): string => {
  const { result, id } = message as { result?: unknown; id?: unknown }
  return result instanceof Encoded
    ? `{"jsonrpc":"2.0","id":${JSON.stringify(id ?? null)},"result":${result.json}}`
    : JSON.stringify(message)
}

/**
 * Content-Length framing in one write per message (vscode-jsonrpc's writer makes two, behind a
 * semaphore and an async encoder), and a record of writes still on their way so that closing
 * does not cut off an answer.
 */
export class FrameWriter extends AbstractMessageWriter implements MessageWriter {
  private readonly pending = new Set<Promise<void>>()
  private errors = 0

  constructor(private readonly output: Writable) {
    super()
    output.on("error", (error: Error) => this.fireError(error))
    output.on("close", () => this.fireClose())
  }

  write(message: Message): Promise<void> {
    const body = Buffer.from(serialize(message), "utf8")
    const frame = Buffer.concat([Buffer.from(`Content-Length: ${body.byteLength}\r\n\r\n`, "ascii"), body])
    const written = new Promise<void>((resolve, reject) => {
      if (this.output.destroyed || this.output.writableEnded) return reject(new Error("the connection is closed"))
      this.output.write(frame, (error) => {
        if (!error) return resolve()
        this.fireError(error, message, ++this.errors)
        reject(error)
      })
    })
    this.pending.add(written)
    const settle = () => { this.pending.delete(written) }
    written.then(settle, settle)
    return written
  }

  end(): void {
    this.output.end()
  }

  /** Resolves when every write issued so far has reached the stream (or failed). */
  flushed(): Promise<void> {
    return Promise.allSettled([...this.pending]).then(() => undefined)
  }
}
