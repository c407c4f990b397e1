import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { connectUi, createCase, seedAlerts, seedSiemDocument, startSoc, type TestSoc } from "../test-utils/daemon.js"
import { KEY, renderApp, selectedLine, type RenderedApp } from "../test-utils/render.js"

let soc: TestSoc
let ids: Array<number>
let caseId: number
const opened: Array<{ unmount: () => void; close: () => Promise<void> }> = []

const INDEX = "wazuh-alerts-4.x-2026.11.03"

beforeAll(async () => {
  soc = await startSoc("tui_detail")
  await seedSiemDocument(soc.url, INDEX, "doc-vpn-1", {
    timestamp: "2026-11-03T10:00:00Z",
    agent: { name: "vpn-01", id: "007" },
    rule: { id: "5712", level: 10, description: "sshd: brute force trying to get access to the system" },
    data: { srcip: "203.0.113.7", srcuser: "root" },
    full_log: Array.from({ length: 40 }, (_, i) => `line ${i}`).join(" | ")
  })
  await seedSiemDocument(soc.url, INDEX, "doc-vpn-2", { rule: { description: "second asset document" } })
  ids = await seedAlerts(soc.admin, [
    { name: "Earlier hit from the same IP", customerCode: "GLOBEX", iocs: [{ value: "203.0.113.7", type: "IP" }] },
    { name: "Unrelated alert" },
    {
      name: "Brute force on vpn",
      description: "Many failed logins for root from one address, then a success.",
      tags: ["identity", "critical"],
      iocs: [{ value: "203.0.113.7", type: "IP" }],
      assets: [{ name: "vpn-01", indexName: INDEX, indexId: "doc-vpn-1" }, { name: "vpn-02", indexName: INDEX, indexId: "doc-vpn-2" }]
    }
  ])
  caseId = (await createCase(soc.admin, "VPN intrusion", [ids[2]!])).id
})
afterEach(async () => {
  for (const o of opened.splice(0)) {
    o.unmount()
    await o.close()
  }
})
afterAll(async () => soc?.stop())

const openAlert = async (id: number): Promise<RenderedApp> => {
  const session = await connectUi(soc.daemon, "alice")
  const app = await renderApp(session, { initial: { kind: "alert", id }, columns: 120, rows: 40 })
  opened.push({ unmount: app.unmount, close: () => session.client.close() })
  await app.waitFor("DESCRIPTION")
  return app
}

describe("alert detail", () => {
  it("shows description, assets with index_name/index_id, IoCs, tags, cases, comments and context", async () => {
    const app = await openAlert(ids[2]!)
    const frame = app.frame()
    expect(frame).toContain(`#${ids[2]} Brute force on vpn`)
    expect(frame).toMatch(/OPEN · customer ACME · source wazuh · assignee -/)
    expect(frame).toContain("Many failed logins for root from one address")
    expect(frame).toContain(`▸ vpn-01  agent -  index_name ${INDEX}  index_id doc-vpn-1`)
    expect(frame).toContain("▸ 203.0.113.7  IP")
    expect(frame).toMatch(/TAGS {2}(critical, identity|identity, critical)/)
    expect(frame).toContain(`▸ #${caseId} VPN intrusion  OPEN`)
    expect(frame).toContain("COMMENTS (0)")
    expect(frame).toContain("CONTEXT")
  })

  it("y shows the SIEM document as JSON: scrollable and searchable", async () => {
    const app = await openAlert(ids[2]!)
    await app.press("y")
    let frame = await app.waitFor(`index_name ${INDEX}  index_id doc-vpn-1`)
    expect(frame).toContain(`alert ${ids[2]} › event ${ids[2]}`)
    expect(frame).toContain('"srcip": "203.0.113.7"')
    await app.press("/")
    await app.paste("level")
    await app.press(KEY.enter)
    frame = await app.waitFor((f) => selectedLine(f).includes('"level": 10'))
    await app.press("n")
    frame = await app.waitFor("match 1 of 1")
    // The prompt starts from the last search: ctrl+u clears it.
    await app.press("/", KEY.ctrl("u"))
    await app.paste("nothing-like-this")
    await app.press(KEY.enter)
    await app.waitFor('no match for "nothing-like-this"')
    // Long lines scroll sideways.
    await app.press("G")
    await app.press("l", "l")
    await app.press(KEY.escape, KEY.escape)
    await app.waitFor("DESCRIPTION")
  })

  it("Enter on an asset shows that asset's document; on an IoC, the other alerts with it; on a case, the case", async () => {
    const app = await openAlert(ids[2]!)
    // Tab walks the links: the assets first.
    await app.press(KEY.tab, KEY.tab)
    expect(selectedLine(app.frame())).toContain("vpn-02")
    await app.press(KEY.enter)
    await app.waitFor("second asset document")
    expect(app.frame()).toContain(`event ${ids[2]} vpn-02`)
    await app.press(KEY.escape)
    await app.waitFor("DESCRIPTION")

    await app.press(KEY.tab)
    expect(selectedLine(app.frame())).toContain("203.0.113.7")
    await app.press(KEY.enter)
    let frame = await app.waitFor("alerts(ioc=203.0.113.7)")
    frame = await app.waitFor((f) => f.includes("Earlier hit from the same IP") && f.includes("Brute force on vpn"))
    expect(frame).not.toContain("Unrelated alert")
    await app.press(KEY.escape)
    await app.waitFor("DESCRIPTION")

    await app.press(KEY.tab)
    expect(selectedLine(app.frame())).toContain("VPN intrusion")
    await app.press(KEY.enter)
    frame = await app.waitFor(`case #${caseId} VPN intrusion`)
    expect(frame).toContain(`alert ${ids[2]} › case ${caseId}`)
    expect(frame).toContain(`▸ #${ids[2]} Brute force on vpn`)
  })

  it("a missing alert is the daemon's not-found", async () => {
    const session = await connectUi(soc.daemon, "alice")
    const app = await renderApp(session, { initial: { kind: "alert", id: 987654 } })
    opened.push({ unmount: app.unmount, close: () => session.client.close() })
    await app.waitFor(/alerts\/get failed: .*987654.*\(-32004\)/)
  })
})
