import type { Writable } from "node:stream"
import { AbstractMessageWriter, type Message, type MessageWriter } from "vscode-jsonrpc/node"

/**
 * Writes each message as one chunk, its Content-Length header and its body together.
 * vscode-jsonrpc's StreamMessageWriter writes the header, waits for that write's callback, then
 * writes the body: two syscalls a request, and the daemon woke twice for each, the first time to
 * read a header it could do nothing with (seen in `perf sched` traces of the bench).
 */
export class SingleWriteMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errorCount = 0

  constructor(private readonly stream: Writable) {
    super()
    stream.on("error", (error: Error) => this.fireError(error))
    stream.on("close", () => this.fireClose())
  }

  write(message: Message): Promise<void> {
    const json = JSON.stringify(message)
    const length = Buffer.byteLength(json, "utf8")
    const header = `Content-Length: ${length}\r\n\r\n`
    const frame = Buffer.allocUnsafe(header.length + length)
    frame.write(header, 0, "ascii")
    frame.write(json, header.length, "utf8")
    return new Promise((resolve, reject) => {
      this.stream.write(frame, (error) => {
        if (!error) return resolve()
        this.errorCount++
        this.fireError(error, message, this.errorCount)
        reject(error)
      })
    })
  }

  end(): void {
    this.stream.end()
  }
}
