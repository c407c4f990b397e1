import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { connectUi, seedAlerts, startSoc, type TestSoc } from "../test-utils/daemon.js"
import { KEY, renderApp, selectedLine, type RenderedApp } from "../test-utils/render.js"

let soc: TestSoc
const opened: Array<{ unmount: () => void; close: () => Promise<void> }> = []

beforeAll(async () => {
  soc = await startSoc("tui_paging")
  // 60 alerts: a page of 50 and one of 10, newest first ("alert 60" on top).
  await seedAlerts(soc.admin, Array.from({ length: 60 }, (_, i) => ({ name: `paged alert ${String(i + 1).padStart(2, "0")}` })))
})
afterEach(async () => {
  for (const o of opened.splice(0)) {
    o.unmount()
    await o.close()
  }
})
afterAll(async () => soc?.stop())

const open = async (): Promise<RenderedApp> => {
  const session = await connectUi(soc.daemon, "alice")
  const app = await renderApp(session, { columns: 100, rows: 24 })
  opened.push({ unmount: app.unmount, close: () => session.client.close() })
  await app.waitFor("paged alert 60")
  return app
}

describe("keyset paging", () => {
  it("> and < walk the pages with the daemon's cursors; PgDn past the last row reads the next page", async () => {
    const app = await open()
    expect(app.frame()).toContain("page 1+ · 50 rows")
    await app.press(">")
    let frame = await app.waitFor("page 2 · 10 rows")
    expect(selectedLine(frame)).toContain("paged alert 10")
    await app.press(">")
    await app.waitFor("this is the last page")
    await app.press("<")
    frame = await app.waitFor("page 1+ · 50 rows")
    expect(selectedLine(frame)).toContain("paged alert 60")

    await app.press("G")
    expect(selectedLine(app.frame())).toContain("paged alert 11")
    await app.press(KEY.pageDown)
    frame = await app.waitFor("page 2 · 10 rows")
    expect(selectedLine(frame)).toContain("paged alert 10")
  })

  it("the window follows the cursor down a page longer than the screen", async () => {
    const app = await open()
    for (let i = 0; i < 30; i++) await app.press("j")
    const frame = app.frame()
    expect(selectedLine(frame)).toContain("paged alert 30")
    expect(frame).not.toContain("paged alert 60")
    expect(frame.split("\n").length).toBeLessThanOrEqual(24)
    await app.press("g")
    expect(app.frame()).toContain("paged alert 60")
  })
})
