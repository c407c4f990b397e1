import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { applyOverrides } from "../key/keyConfig.js"
import { connectUi, seedAlerts, startSoc, type TestSoc } from "../test-utils/daemon.js"
import { KEY, renderApp, selectedLine, type RenderedApp } from "../test-utils/render.js"

let soc: TestSoc
const opened: Array<{ unmount: () => void; close: () => Promise<void> }> = []

beforeAll(async () => {
  soc = await startSoc("tui_help")
  await seedAlerts(soc.admin, [{ name: "first alert" }, { name: "second alert" }, { name: "third alert" }])
})
afterEach(async () => {
  for (const o of opened.splice(0)) {
    o.unmount()
    await o.close()
  }
})
afterAll(async () => soc?.stop())

const open = async (options: Parameters<typeof renderApp>[1] = {}): Promise<RenderedApp> => {
  const session = await connectUi(soc.daemon, "alice")
  const app = await renderApp(session, { columns: 140, rows: 60, ...options })
  opened.push({ unmount: app.unmount, close: () => session.client.close() })
  await app.waitFor("third alert")
  return app
}

describe("help", () => {
  it("? lists every key of the current view, verbs included; Esc closes it", async () => {
    const app = await open()
    await app.press("?")
    const frame = await app.waitFor("Keys of the alerts view")
    expect(frame).toContain("alerts › help")
    for (const [keys, id] of [["j, down", "nav.down"], [":", "app.command"], ["space", "mark.toggle"], ["a", "verb.assignMe"], ["A", "verb.assignTo"],
      ["s", "verb.status"], ["e", "verb.escalate"], ["t", "verb.tagAdd"], ["T", "verb.tagRemove"], ["c", "verb.comment"], ["n", "verb.newCase"],
      ["l", "verb.linkCase"], ["y", "alert.event"], ["r, ctrl+r", "app.refresh"], ["q, ctrl+c", "app.quit"], ["o", "sort.choose"]] as const) {
      expect(frame).toMatch(new RegExp(`^ ${keys.replace(/[+]/g, "\\+")}\\s+${id.replace(".", "\\.")} `, "m"))
    }
    expect(frame).toContain("/!text asks for the others")
    await app.press(KEY.escape)
    await app.waitFor((f) => !f.includes("Keys of the alerts view") && f.includes("third alert"))
    await app.press(KEY.enter, "y")
    await app.waitFor("event")
    await app.press("?")
    const event = await app.waitFor("Keys of the event view")
    expect(event).toMatch(/^ n\s+search\.next/m)
    expect(event).not.toContain("verb.")
  })

  it("keys.json rebinds commands; help shows the new keys", async () => {
    const { config, warnings } = applyOverrides({ "nav.down": ["ctrl+n", "down"], "verb.assignMe": "m", "no.such": "x" })
    expect(warnings).toEqual(['keys.json: unknown command "no.such"'])
    const app = await open({ bindings: config })
    await app.press("j")
    expect(selectedLine(app.frame())).toContain("third alert")
    await app.press(KEY.ctrl("n"))
    expect(selectedLine(app.frame())).toContain("second alert")
    await app.press("m")
    await app.waitFor("assign alert")
    await app.press("?")
    const frame = await app.waitFor("Keys of the alerts view")
    expect(frame).toMatch(/^ ctrl\+n, down\s+nav\.down/m)
    expect(frame).toMatch(/^ m\s+verb\.assignMe/m)
  })
})
