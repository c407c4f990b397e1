import { EventEmitter } from "node:events"
import { describe, expect, it } from "vitest"
import { Screen } from "./Screen.js"

class FakeTerminal extends EventEmitter {
  columns = 20
  rows = 4
  written: Array<string> = []
  write(data: string) {
    this.written.push(data)
    return true
  }
}

const rowsWritten = (data: string) => [...data.matchAll(/\x1b\[(\d+);1H([^\x1b]*)/g)].map((m) => [Number(m[1]), m[2]])

describe("Screen", () => {
  it("writes only the rows that changed, by position, in one synchronized update", () => {
    const term = new FakeTerminal()
    const screen = new Screen(term as unknown as NodeJS.WriteStream)
    screen.write("one\ntwo\nthree")
    expect(rowsWritten(term.written.at(-1)!)).toEqual([[1, "one"], [2, "two"], [3, "three"]])
    screen.write("one\nTWO\nthree")
    const update = term.written.at(-1)!
    expect(rowsWritten(update)).toEqual([[2, "TWO"]])
    expect(update.startsWith("\x1b[?2026h") && update.endsWith("\x1b[?2026l")).toBe(true)
    // Nothing changed: nothing written.
    const count = term.written.length
    screen.write("one\nTWO\nthree")
    expect(term.written.length).toBe(count)
    // A shorter frame clears the rows it no longer uses.
    screen.write("one")
    expect(rowsWritten(term.written.at(-1)!)).toEqual([[2, ""], [3, ""]])
  })

  it("never writes below the terminal's last row, and redraws everything after a resize", () => {
    const term = new FakeTerminal()
    const screen = new Screen(term as unknown as NodeJS.WriteStream)
    let resized = 0
    screen.on("resize", () => resized++)
    screen.write("1\n2\n3\n4\n5\n6")
    expect(rowsWritten(term.written.at(-1)!).map(([row]) => row)).toEqual([1, 2, 3, 4])
    term.rows = 5
    term.emit("resize")
    expect(resized).toBe(1)
    expect(screen.rows).toBe(5)
    screen.write("1\n2\n3\n4\n5\n6")
    expect(rowsWritten(term.written.at(-1)!).map(([row]) => row)).toEqual([1, 2, 3, 4, 5])
  })

  it("enters and leaves the alternate screen", () => {
    const term = new FakeTerminal()
    const screen = new Screen(term as unknown as NodeJS.WriteStream)
    screen.enter()
    screen.leave()
    expect(term.written.join("")).toBe("\x1b[?1049h\x1b[2J\x1b[H\x1b[?25l\x1b[?25h\x1b[?1049l")
  })
})
