import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { BUNDLE_PREFIX, BUNDLE_SUFFIX, cacheDir, runBundle } from "./codeCache.js"

let dir: string
const ran: Array<unknown> = []
const bundle = (name: string, source: string) => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, `${BUNDLE_PREFIX}\n${source}${BUNDLE_SUFFIX}\n`)
  return file
}
// A bundle that reports what it saw: its CommonJS parameters and the URL esbuild's define points at.
const probe = (tag: string) =>
  `globalThis.__codeCacheTest.push({ tag: ${JSON.stringify(tag)}, file: __filename, url: __sockeyeUrl, require: typeof require("node:path").join, line: new Error().stack.split("\\n")[1] });\nfunction more(a) { return a * 2 }\nmore(2)\n`
const caches = () => fs.readdirSync(path.join(dir, "cache")).filter((f) => f.endsWith(".v8cache"))

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-code-cache-"))
  ran.length = 0
  ;(globalThis as { __codeCacheTest?: Array<unknown> }).__codeCacheTest = ran
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe("runBundle", () => {
  it("runs the bundle as CommonJS with its own URL; the first run saves a cache that the next one takes", () => {
    const file = bundle("a.cjs", probe("a"))
    let save = () => {}
    expect(runBundle(file, (s) => { save = s }, path.join(dir, "cache"))).toBe(false)
    expect(ran).toEqual([{ tag: "a", file, url: `file://${file}`, require: "function", line: expect.stringContaining(`${file}:2:`) }])
    save()
    expect(caches()).toHaveLength(1)
    expect(runBundle(file, () => {}, path.join(dir, "cache"))).toBe(true)
    expect(ran).toHaveLength(2)
  })

  it("ignores a torn or foreign cache file and a stale one never matches", () => {
    const file = bundle("a.cjs", probe("a"))
    let save = () => {}
    runBundle(file, (s) => { save = s }, path.join(dir, "cache"))
    save()
    const [name] = caches()
    const cacheFile = path.join(dir, "cache", name!)
    const good = fs.readFileSync(cacheFile)
    // Same digest header, payload changed: not handed to V8.
    const torn = Buffer.from(good)
    torn[torn.length - 1] = torn[torn.length - 1]! ^ 0xff
    fs.writeFileSync(cacheFile, torn)
    expect(runBundle(file, () => {}, path.join(dir, "cache"))).toBe(false)
    fs.writeFileSync(cacheFile, "not a cache")
    expect(runBundle(file, () => {}, path.join(dir, "cache"))).toBe(false)
    // A changed bundle of the same length looks for another file and, saving, removes the old one.
    fs.writeFileSync(cacheFile, good)
    const changed = bundle("a.cjs", probe("b"))
    let saveChanged = () => {}
    expect(runBundle(changed, (s) => { saveChanged = s }, path.join(dir, "cache"))).toBe(false)
    saveChanged()
    expect(caches()).toHaveLength(1)
    expect(caches()[0]).not.toBe(name)
    expect(ran.map((r) => (r as { tag: string }).tag)).toEqual(["a", "a", "a", "b"])
  })

  it("still runs when the cache directory cannot be written", () => {
    const file = bundle("a.cjs", probe("a"))
    fs.writeFileSync(path.join(dir, "cache"), "a file where the directory would be")
    let save = () => {}
    expect(runBundle(file, (s) => { save = s }, path.join(dir, "cache"))).toBe(false)
    expect(() => save()).not.toThrow()
    expect(ran).toHaveLength(1)
  })
})

describe("cacheDir", () => {
  it("is SOCKEYE_CACHE_DIR, else under XDG_CACHE_HOME, else ~/.cache", () => {
    expect(cacheDir({ SOCKEYE_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x" })).toBe("/c")
    expect(cacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/sockeye")
    expect(cacheDir({})).toBe(path.join(os.homedir(), ".cache", "sockeye"))
  })
})
