import type { Writable } from "node:stream"
import { AbstractMessageWriter, type Message, type MessageWriter } from "vscode-jsonrpc/node"
import { Encoded } from "../rpc/Encoded.js"

/**
 * The body as the pieces to write: a response whose result is already JSON text gets its pieces
 * spliced in; anything else is stringified.
 */
const bodyParts = (message: Message): ReadonlyArray<string> => {
  const { result, id } = message as { result?: unknown; id?: unknown }
  return result instanceof Encoded
    ? [`{"jsonrpc":"2.0","id":${JSON.stringify(id ?? null)},"result":`, ...result.parts, "}"]
    : [JSON.stringify(message)]
}

/**
 * Content-Length framing in one corked write per message (vscode-jsonrpc's writer makes two, behind
 * a semaphore and an async encoder), and a record of writes still on their way so that closing
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
    const parts = bodyParts(message)
    let length = 0
    for (const part of parts) length += Buffer.byteLength(part, "utf8")
    const written = new Promise<void>((resolve, reject) => {
      const output = this.output
      if (output.destroyed || output.writableEnded) return reject(new Error("the connection is closed"))
      // One writev of header and pieces, each encoded by the stream as it goes out: no joined copy.
      output.cork()
      output.write(`Content-Length: ${length}\r\n\r\n`, "ascii")
      for (let i = 0; i < parts.length - 1; i++) output.write(parts[i]!, "utf8")
      // A stream calls back in order, so the last piece's callback settles the whole frame.
      output.write(parts[parts.length - 1]!, "utf8", (error) => {
        if (!error) return resolve()
        this.fireError(error, message, ++this.errors)
        reject(error)
      })
      output.uncork()
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
