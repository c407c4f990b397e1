import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

/**
 * patches/ink+6.8.0.patch makes Ink's Output keep rendered rows between frames. This compares the
 * patched Output with Ink's own (the patch applied in reverse) on random frames: styled, wide and
 * multi-line text, clipping, transformers, writes off the edges, each frame drawn twice so the
 * second comes from the row cache.
 */
const inkBuild = path.dirname(createRequire(import.meta.url).resolve("ink"))
const patchFile = path.resolve(inkBuild, "../../../patches/ink+6.8.0.patch")
// Beside the original, so that its imports of Ink's dependencies resolve as Ink's do.
const stockFile = path.join(inkBuild, `output.stock-${process.pid}.js`)

interface Output { write(x: number, y: number, text: string, o: { transformers: Array<(s: string, i: number) => string> }): void
  clip(c: Record<string, number>): void; unclip(): void; get(): { output: string; height: number } }
type OutputClass = new (o: { width: number; height: number }) => Output
let Patched: OutputClass
let Stock: OutputClass

beforeAll(async () => {
  execFileSync("patch", ["--silent", "--reject-file=-", "-R", "-o", stockFile, path.join(inkBuild, "output.js"), patchFile])
  Patched = (await import(pathToFileURL(path.join(inkBuild, "output.js")).href)).default
  Stock = (await import(pathToFileURL(stockFile).href)).default
})
afterAll(() => fs.rmSync(stockFile, { force: true }))

const SGR = ["", "\x1b[31m", "\x1b[1m\x1b[7m", "\x1b[44m\x1b[4m", "\x1b[38;2;136;170;255m"]
const WORDS = ["a", "hello", "世界", "😀", "é", "  ", "longer text here", "▸", "●"]

describe("Ink's Output with the row cache", () => {
  it("is patched (the cache is in place)", () => {
    expect(fs.readFileSync(path.join(inkBuild, "output.js"), "utf8")).toContain("rowCache")
    expect(fs.readFileSync(stockFile, "utf8")).not.toContain("rowCache")
  })

  it("draws every frame exactly as stock Ink does, the first time and from the cache", () => {
    let seed = 42
    const rnd = (n: number) => {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5
      return (seed >>> 0) % n
    }
    const text = () => {
      let t = ""
      for (let i = 0, n = 1 + rnd(4); i < n; i++) {
        const style = SGR[rnd(SGR.length)]!
        t += `${style}${WORDS[rnd(WORDS.length)]}${style ? "\x1b[0m" : ""}${rnd(6) === 0 ? "\n" : ""}`
      }
      return t
    }
    let drawn = 0
    for (let c = 0; c < 3000; c++) {
      const width = rnd(30)
      const height = rnd(8)
      const ops: Array<(o: Output) => void> = []
      for (let i = 0, n = rnd(10); i < n; i++) {
        const kind = rnd(8)
        if (kind === 0) { const clip = { x1: rnd(10), x2: rnd(30), y1: rnd(4), y2: rnd(8) }; ops.push((o) => o.clip(clip)) }
        else if (kind === 1) { const clip = { x1: rnd(10), x2: rnd(30) }; ops.push((o) => o.clip(clip)) }
        else if (kind === 2) ops.push((o) => o.unclip())
        else {
          const [x, y, t, numbered] = [rnd(width + 3) - 1, rnd(height + 2) - 1, text(), rnd(3) === 0]
          ops.push((o) => o.write(x, y, t, { transformers: numbered ? [(line, index) => `${index}${line}`] : [] }))
        }
      }
      const draw = (C: OutputClass) => {
        const o = new C({ width, height })
        for (const op of ops) op(o)
        return o.get()
      }
      const stock = draw(Stock)
      if (stock.output.trim() !== "") drawn++
      expect(draw(Patched)).toEqual(stock)
      expect(draw(Patched)).toEqual(stock)
    }
    // The frames were not all blank: most drew something.
    expect(drawn).toBeGreaterThan(1000)
  })
})
