import { Cases } from "@sockeye/protocol"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { connectUi, createCase, seedAlerts, startSoc, type TestSoc } from "../test-utils/daemon.js"
import { KEY, lineWith, renderApp, selectedLine, type RenderedApp } from "../test-utils/render.js"

let soc: TestSoc
let alertIds: Array<number>
let phishing: number
let ransomware: number
const opened: Array<{ unmount: () => void; close: () => Promise<void> }> = []

beforeAll(async () => {
  soc = await startSoc("tui_cases")
  alertIds = await seedAlerts(soc.admin, [
    { name: "Phishing link clicked", customerCode: "GLOBEX" },
    { name: "Credential reuse", customerCode: "GLOBEX" },
    { name: "Ransom note on share" }
  ])
  phishing = (await createCase(soc.admin, "Phishing wave at Globex", [alertIds[0]!, alertIds[1]!])).id
  ransomware = (await createCase(soc.admin, "Ransomware on file server", [alertIds[2]!])).id
})
afterEach(async () => {
  for (const o of opened.splice(0)) {
    o.unmount()
    await o.close()
  }
})
afterAll(async () => soc?.stop())

const openCases = async (command = "cases"): Promise<RenderedApp> => {
  const session = await connectUi(soc.daemon, "alice")
  const app = await renderApp(session, { columns: 120, rows: 30 })
  opened.push({ unmount: app.unmount, close: () => session.client.close() })
  await app.waitFor("OPEN")
  await app.press(":")
  await app.paste(command)
  await app.press(KEY.enter)
  await app.waitFor(command.startsWith("cases") ? " CASES  │" : "ALERTS (")
  return app
}

describe("cases", () => {
  it(":cases lists the cases; Enter opens one with its linked alerts, comments and files", async () => {
    const app = await openCases()
    let frame = await app.waitFor("Ransomware on file server")
    expect(lineWith(frame, "Phishing wave at Globex")).toMatch(/OPEN\s+GLOBEX\s+-\s+2/)
    expect(selectedLine(frame)).toContain("Ransomware on file server")
    await app.press("j", KEY.enter)
    frame = await app.waitFor(`case #${phishing} Phishing wave at Globex`)
    expect(frame).toContain("alerts › cases › case")
    expect(frame).toContain("ALERTS (2)")
    expect(frame).toContain(`▸ #${alertIds[0]} Phishing link clicked  OPEN`)
    expect(frame).toContain("COMMENTS (0)")
    expect(frame).toContain("FILES (0)")
    await app.press(KEY.tab, KEY.enter)
    await app.waitFor(`#${alertIds[0]} Phishing link clicked`)
    await app.waitFor("DESCRIPTION")
    await app.press(KEY.escape)
    await app.waitFor("ALERTS (2)")
  })

  it("comments on a case and closes it; the daemon closes its alerts too", async () => {
    const app = await openCases(`case ${ransomware}`)
    await app.waitFor("ALERTS (1)")
    await app.press("c")
    await app.paste("isolated the file server")
    await app.press(KEY.enter)
    await app.waitFor("COMMENTS (1)")
    await app.waitFor("isolated the file server")
    await app.press("s", "c")
    await app.waitFor(`set case ${ransomware} to CLOSED?`)
    await app.press("y")
    const frame = await app.waitFor((f) => /case #\d+ Ransomware/.test(f) && / CLOSED · customer/.test(f) && f.includes("Ransom note on share  CLOSED"))
    expect(frame).toContain("alice")
    expect((await soc.admin.call(Cases.CasesGet, { id: ransomware })).status).toBe("CLOSED")
  })

  it(":cases takes filters; / filters by text", async () => {
    const app = await openCases("cases status=open customer=globex")
    let frame = await app.waitFor("Phishing wave at Globex")
    expect(frame).not.toContain("Ransomware")
    expect(frame).toContain("cases(status=open customer=globex)")
    await app.press(":")
    await app.paste("cases")
    await app.press(KEY.enter, "/")
    await app.paste("ransom")
    await app.press(KEY.enter)
    frame = await app.waitFor((f) => f.includes("cases(/ransom)") && f.includes("Ransomware") && !f.includes("Phishing wave"))
  })
})
