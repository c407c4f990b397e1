import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { keysOf } from "./Key.js"
import { defaultKeyBindings } from "./keyBindings.js"
import { applyOverrides, keysPath, loadKeyBindings, parseKeySpec } from "./keyConfig.js"
import { createKeyMatchers } from "./keyMatchers.js"

const ink = (over: Record<string, boolean> = {}) => ({
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false, ...over
})

describe("keys", () => {
  it("reads key specs", () => {
    expect(parseKeySpec("j")).toEqual({ key: "j" })
    expect(parseKeySpec("J")).toEqual({ key: "J" })
    expect(parseKeySpec("ctrl+F")).toEqual({ key: "f", ctrl: true })
    expect(parseKeySpec("shift+tab")).toEqual({ key: "tab", shift: true })
    expect(parseKeySpec("alt+x")).toEqual({ key: "x", meta: true })
    expect(parseKeySpec("Enter")).toEqual({ key: "return" })
    expect(parseKeySpec("PgDn")).toEqual({ key: "pagedown" })
    expect(parseKeySpec("+")).toEqual({ key: "+" })
    expect(parseKeySpec("hyper+k")).toBe('unknown modifier "hyper" in "hyper+k"')
    expect(parseKeySpec("banana")).toBe('unknown key "banana" in "banana"')
  })

  it("turns terminal input into keys, one per character of a chunk", () => {
    expect(keysOf("jk", ink()).map((k) => k.name)).toEqual(["j", "k"])
    expect(keysOf(":a b\r", ink()).map((k) => k.name)).toEqual([":", "a", "space", "b", "return"])
    expect(keysOf("", ink({ downArrow: true }))[0]).toMatchObject({ name: "down" })
    expect(keysOf("", ink({ escape: true, meta: true }))[0]).toMatchObject({ name: "escape", meta: false })
    expect(keysOf("", ink({ delete: true }))[0]).toMatchObject({ name: "backspace" })
    expect(keysOf("c", ink({ ctrl: true }))[0]).toMatchObject({ name: "c", ctrl: true })
    expect(keysOf("G", ink({ shift: true }))[0]).toMatchObject({ name: "G", text: "G" })
  })

  it("matches keys through the bindings, rebinding by command id", () => {
    const { config, warnings } = applyOverrides({ "nav.down": ["ctrl+n"], "verb.assignMe": "m", "nav.up": 3 })
    expect(warnings).toEqual(['keys.json: "nav.up" takes a key or a list of keys'])
    const m = createKeyMatchers(config)
    expect(m["nav.down"](keysOf("n", ink({ ctrl: true }))[0]!)).toBe(true)
    expect(m["nav.down"](keysOf("j", ink())[0]!)).toBe(false)
    expect(m["verb.assignMe"](keysOf("m", ink())[0]!)).toBe(true)
    expect(m["nav.up"](keysOf("k", ink())[0]!)).toBe(true)
    expect(m["nav.prevItem"](keysOf("", ink({ tab: true, shift: true }))[0]!)).toBe(true)
    expect(m["nav.nextItem"](keysOf("", ink({ tab: true, shift: true }))[0]!)).toBe(false)
  })

  it("loads keys.json from $SOCKEYE_CONFIG_DIR, else ~/.config/sockeye, and reports a broken file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-keys-"))
    const env = { SOCKEYE_CONFIG_DIR: dir, HOME: dir }
    expect(keysPath(env)).toBe(path.join(dir, "keys.json"))
    expect(keysPath({ HOME: "/home/x", XDG_CONFIG_HOME: "" })).toMatch(/\.config\/sockeye\/keys\.json$/)
    expect(loadKeyBindings(env)).toEqual({ config: defaultKeyBindings, source: undefined, warnings: [] })
    fs.writeFileSync(path.join(dir, "keys.json"), JSON.stringify({ "app.quit": ["Q"] }))
    const loaded = loadKeyBindings(env)
    expect(loaded.source).toBe(path.join(dir, "keys.json"))
    expect(loaded.config["app.quit"]).toEqual([{ key: "Q" }])
    fs.writeFileSync(path.join(dir, "keys.json"), "{ not json")
    expect(loadKeyBindings(env).warnings[0]).toMatch(/keys\.json: /)
  })
})
