import { PassThrough, Writable } from "node:stream"
import { describe, expect, it } from "vitest"
import { StreamMessageReader, type Message } from "vscode-jsonrpc/node"
import { SingleWriteMessageWriter } from "../src/messageWriter.js"

describe("SingleWriteMessageWriter", () => {
  it("writes each message as one chunk, header and body, that vscode-jsonrpc's reader parses back", async () => {
    const output = new PassThrough()
    const chunks: Array<Buffer> = []
    const writes: Array<number> = []
    const spy = new Writable({
      write(chunk: Buffer, _encoding, done) {
        writes.push(chunk.length)
        output.write(chunk, done)
      }
    })
    output.on("data", (chunk: Buffer) => chunks.push(chunk))
    const read: Array<Message> = []
    new StreamMessageReader(output).listen((message) => read.push(message))
    const writer = new SingleWriteMessageWriter(spy)
    const messages = [
      { jsonrpc: "2.0", id: 1, method: "alerts/list", params: { filter: { text: "Überwachung — 监控 🐟" } } },
      { jsonrpc: "2.0", method: "initialized", params: {} },
      { jsonrpc: "2.0", id: 2, method: "auth/whoami", params: {} }
    ]
    for (const message of messages) await writer.write(message as Message)
    await new Promise((done) => setImmediate(done))

    expect(writes).toHaveLength(3)
    expect(read).toEqual(messages)
    const first = Buffer.concat(chunks).subarray(0, writes[0])
    const text = first.toString("utf8")
    const body = text.slice(text.indexOf("\r\n\r\n") + 4)
    expect(text).toBe(`Content-Length: ${Buffer.byteLength(body, "utf8")}\r\n\r\n${JSON.stringify(messages[0])}`)
  })

  it("a failed write rejects and is reported with its message and count; close is reported", async () => {
    const broken = new Writable({ write(_chunk, _encoding, done) { done(new Error("EPIPE")) } })
    broken.on("error", () => undefined)
    const writer = new SingleWriteMessageWriter(broken)
    const errors: Array<[Error, Message | undefined, number | undefined]> = []
    writer.onError((e) => errors.push(e))
    let closed = false
    writer.onClose(() => { closed = true })
    const message = { jsonrpc: "2.0", id: 9, method: "auth/whoami" } as Message
    await expect(writer.write(message)).rejects.toThrow("EPIPE")
    expect(errors.find(([, m]) => m === message)).toEqual([expect.objectContaining({ message: "EPIPE" }), message, 1])
    broken.destroy()
    await new Promise((done) => setImmediate(done))
    expect(closed).toBe(true)
  })
})
