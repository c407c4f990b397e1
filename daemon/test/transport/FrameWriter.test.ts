import { PassThrough } from "node:stream"
import { describe, expect, it } from "vitest"
import { Encoded } from "../../src/rpc/Encoded.js"
import { FrameWriter } from "../../src/transport/FrameWriter.js"
import { FrameCollector } from "../fixtures/RawFrames.js"

/** The raw bytes a writer produced, and the messages a Content-Length reader finds in them. */
const capture = () => {
  const output = new PassThrough()
  const chunks: Array<Buffer> = []
  output.on("data", (chunk: Buffer) => chunks.push(chunk))
  const collector = new FrameCollector(output)
  return { writer: new FrameWriter(output), bytes: () => Buffer.concat(chunks), collector }
}

describe("FrameWriter", () => {
  it("splices an Encoded result's pieces into the response, the length counting UTF-8 bytes", async () => {
    const { writer, bytes, collector } = capture()
    const items = JSON.stringify([{ id: 1, name: "Überwachung — 监控 🐟" }])
    await writer.write({ jsonrpc: "2.0", id: 7, result: new Encoded(`{"items":`, items, `,"nextCursor":null}`) } as never)
    expect(await collector.next()).toEqual({ jsonrpc: "2.0", id: 7, result: { items: JSON.parse(items), nextCursor: null } })
    const text = bytes().toString("utf8")
    const body = text.slice(text.indexOf("\r\n\r\n") + 4)
    expect(text.startsWith(`Content-Length: ${Buffer.byteLength(body, "utf8")}\r\n\r\n`)).toBe(true)
  })

  it("writes other messages as JSON, one frame each, in order", async () => {
    const { writer, collector } = capture()
    await Promise.all([
      writer.write({ jsonrpc: "2.0", id: 1, result: { text: "é" } } as never),
      writer.write({ jsonrpc: "2.0", method: "alerts/changed", params: { ids: [1, 2] } } as never),
      writer.write({ jsonrpc: "2.0", id: 2, result: new Encoded("[]") } as never)
    ])
    expect(await collector.next()).toEqual({ jsonrpc: "2.0", id: 1, result: { text: "é" } })
    expect(await collector.next()).toEqual({ jsonrpc: "2.0", method: "alerts/changed", params: { ids: [1, 2] } })
    expect(await collector.next()).toEqual({ jsonrpc: "2.0", id: 2, result: [] })
  })

  it("refuses to write once the stream has ended", async () => {
    const { writer } = capture()
    writer.end()
    await expect(writer.write({ jsonrpc: "2.0", id: 1, result: null } as never)).rejects.toThrow(/closed/)
  })

  it("Encoded keeps its pieces and joins them for consumers that need one string", () => {
    expect(new Encoded<unknown>("[", "1,2", "]").json).toBe("[1,2]")
  })
})
