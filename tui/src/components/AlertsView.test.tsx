import { Alerts } from "@sockeye/protocol"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { connectUi, seedAlerts, startSoc, type TestSoc } from "../test-utils/daemon.js"
import { KEY, lineWith, renderApp, selectedLine, type RenderedApp } from "../test-utils/render.js"

let soc: TestSoc
let ids: Array<number>
const opened: Array<{ unmount: () => void; close: () => Promise<void> }> = []

beforeAll(async () => {
  soc = await startSoc("tui_alerts")
  ids = await seedAlerts(soc.admin, [
    { name: "Brute force on vpn", tags: ["identity"], iocs: [{ value: "203.0.113.7", type: "IP" }], assets: [{ name: "vpn-01" }] },
    { name: "Phishing mail reported", customerCode: "GLOBEX", source: "graylog", tags: ["email"] },
    { name: "Malware beacon", tags: ["network", "malware"], iocs: [{ value: "evil.example", type: "DOMAIN" }] },
    { name: "Port scan from internal host", customerCode: "GLOBEX", tags: ["network"], assets: [{ name: "ws-17" }] },
    { name: "Suspicious powershell", assets: [{ name: "fs-02" }] }
  ])
})
afterEach(async () => {
  for (const o of opened.splice(0)) {
    o.unmount()
    await o.close()
  }
})
afterAll(async () => soc?.stop())

const open = async (options: Parameters<typeof renderApp>[1] = {}, user = "alice"): Promise<RenderedApp> => {
  const session = await connectUi(soc.daemon, user)
  const app = await renderApp(session, options)
  opened.push({ unmount: app.unmount, close: () => session.client.close() })
  await app.waitFor("Suspicious powershell")
  return app
}

describe("alerts view", () => {
  it("opens on the newest alerts with counts by status, and the status bar", async () => {
    const app = await open()
    const frame = await app.waitFor("OPEN 5")
    expect(frame).toContain("IN_PROGRESS 0")
    expect(frame).toMatch(/ID\s+AGE▼\s+NAME/)
    expect(selectedLine(frame)).toContain("Suspicious powershell")
    expect(lineWith(frame, "Malware beacon")).toMatch(/OPEN\s+ACME\s+-\s+malware,n/)
    expect(frame).toMatch(/alice\(analyst\) │ sockeyed \S+ socket sockeyed\.sock │ ● connected │ LIVE/)
    // Newest first: the order the daemon sorted.
    expect(frame.indexOf("Suspicious powershell")).toBeLessThan(frame.indexOf("Brute force on vpn"))
  })

  it("moves with j/k, G/g and arrows; Enter opens the alert and Esc comes back to the same row", async () => {
    const app = await open()
    await app.press("j", "j")
    expect(selectedLine(app.frame())).toContain("Malware beacon")
    await app.press("G")
    expect(selectedLine(app.frame())).toContain("Brute force on vpn")
    await app.press("g", KEY.down)
    expect(selectedLine(app.frame())).toContain("Port scan")
    await app.press(KEY.enter)
    const detail = await app.waitFor("DESCRIPTION")
    expect(detail).toContain(`alerts › alert ${ids[3]}`)
    expect(detail).toContain("ws-17")
    await app.press(KEY.escape)
    await app.waitFor((f) => !f.includes("DESCRIPTION"))
    expect(selectedLine(app.frame())).toContain("Port scan")
  })

  it("/ filters through the daemon (name, asset, IoC), /! asks it for the others, Esc clears", async () => {
    const app = await open()
    await app.press("/")
    await app.paste("evil.example")
    await app.press(KEY.enter)
    let frame = await app.waitFor("alerts(/evil.example)")
    frame = await app.waitFor((f) => !f.includes("Suspicious powershell") && f.includes("Malware beacon"))
    expect(frame).toContain("1 rows")

    await app.press(KEY.escape)
    await app.waitFor("Suspicious powershell")
    await app.press("/", "v", "p", "n", "-", "0", "1", KEY.enter)
    frame = await app.waitFor((f) => f.includes("Brute force") && !f.includes("Malware beacon"))

    await app.press(KEY.escape, "/")
    await app.paste("!FS-02")
    await app.press(KEY.enter)
    // Only an asset of "Suspicious powershell" carries fs-02: the daemon matched it, case-blind.
    frame = await app.waitFor((f) => f.includes("alerts(/!FS-02)") && f.includes("4 rows"))
    expect(frame).not.toContain("Suspicious powershell")
    for (const name of ["Brute force", "Phishing mail", "Malware beacon", "Port scan"]) expect(frame).toContain(name)
  })

  it("sorts by a column, and reverses", async () => {
    const app = await open()
    await app.press("o", "n")
    let frame = await app.waitFor("NAME▲")
    expect(selectedLine(frame)).toContain("Brute force on vpn")
    await app.press("O")
    frame = await app.waitFor("NAME▼")
    expect(selectedLine(frame)).toContain("Suspicious powershell")
  })

  it(": runs commands with aliases and completion", async () => {
    const app = await open()
    await app.press(":")
    await app.paste("alerts sta")
    await app.waitFor(": alerts sta")
    expect(app.frame()).toContain("status=")
    await app.press(KEY.tab)
    await app.paste("op")
    await app.press(KEY.tab)
    await app.paste("tag=netw")
    // Tag names come from tags/list: wait for the suggestion before taking it.
    await app.waitFor(": alerts status=open tag=netw  tag=network")
    await app.press(KEY.tab)
    await app.paste("customer=acme")
    await app.waitFor(": alerts status=open tag=network customer=acme")
    await app.press(KEY.enter)
    const frame = await app.waitFor("alerts(status=open tag=network customer=acme)")
    await app.waitFor((f) => f.includes("Malware beacon") && !f.includes("Port scan") && !f.includes("Suspicious"))
    expect(frame).not.toContain("Phishing")

    await app.press(":")
    await app.paste(`alert ${ids[0]}`)
    await app.press(KEY.enter)
    await app.waitFor(`alert ${ids[0]}`)
    await app.waitFor("vpn-01")

    await app.press(":")
    await app.paste("alerts tag=nosuchtag")
    await app.press(KEY.enter)
    await app.waitFor('unknown tag "nosuchtag"')
  })

  it("a chunk of keys after : goes to the command line, not to the verbs", async () => {
    const app = await open()
    await app.paste(":alerts source=graylog\r")
    await app.waitFor((f) => f.includes("Phishing mail") && !f.includes("Malware beacon"))
    const alert = await soc.admin.call(Alerts.AlertsGet, { id: ids[4]! })
    expect(alert.assignedTo).toBeNull()
  })

  it("shows a live update from a second client: new rows appear, changed rows change, the cursor stays on its row", async () => {
    const app = await open()
    await app.press("j", "j")
    expect(selectedLine(app.frame())).toContain("Malware beacon")
    const bob = await connectUi(soc.daemon, "bob")
    try {
      const [created] = await seedAlerts(bob.client, [{ name: "Ransomware note dropped", customerCode: "GLOBEX" }])
      const frame = await app.waitFor("Ransomware note dropped")
      // The new row went on top; the cursor followed its row down.
      expect(selectedLine(frame)).toContain("Malware beacon")
      await app.waitFor("OPEN 6")
      await bob.client.call(Alerts.AlertsUpdate, { ids: [ids[2]!], set: { status: "IN_PROGRESS", assignedTo: "bob" } })
      const changed = await app.waitFor((f) => /Malware beacon\s+IN_PROG\w*\s+ACME\s+bob/.test(f))
      expect(selectedLine(changed)).toContain("Malware beacon")
      await app.waitFor("IN_PROGRESS 1")
      await bob.client.call(Alerts.AlertsUpdate, { ids: [created!], set: { status: "CLOSED" } })
    } finally {
      await bob.client.close()
    }
  })

  it("fits 80x24 and follows a resize", async () => {
    const app = await open({ columns: 80, rows: 24 })
    let lines = app.frame().split("\n")
    expect(lines.length).toBeLessThanOrEqual(24)
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80)
    expect(lines[lines.length - 1]).toContain("alice(analyst)")
    await app.resize(200, 50)
    const wide = await app.waitFor("SOURCE")
    lines = wide.split("\n")
    expect(lines.length).toBeLessThanOrEqual(50)
    expect(lineWith(wide, "Phishing mail")).toMatch(/GLOBEX\s+graylog/)
  })
})
