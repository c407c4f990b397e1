import { Alerts, Cases, Users } from "@sockeye/protocol"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { connectUi, seedAlerts, startSoc, type TestSoc } from "../test-utils/daemon.js"
import { KEY, lineWith, renderApp, selectedLine, type RenderedApp } from "../test-utils/render.js"

let soc: TestSoc
const opened: Array<{ unmount: () => void; close: () => Promise<void> }> = []

beforeAll(async () => {
  soc = await startSoc("tui_verbs")
})
afterEach(async () => {
  for (const o of opened.splice(0)) {
    o.unmount()
    await o.close()
  }
})
afterAll(async () => soc?.stop())

/** The app as `user`, on the alerts whose name contains `text` (the daemon's filter). */
const openOn = async (text: string, options: { readonly?: boolean; user?: string } = {}): Promise<RenderedApp> => {
  const session = await connectUi(soc.daemon, options.user ?? "alice")
  const app = await renderApp(session, { readonly: options.readonly ?? false, columns: 120, rows: 30 })
  opened.push({ unmount: app.unmount, close: () => session.client.close() })
  await app.waitFor("OPEN")
  await app.press("/")
  await app.paste(text)
  await app.press(KEY.enter)
  await app.waitFor((f) => f.includes(`alerts(/${text})`) && f.includes(text) && !f.includes("loading"))
  return app
}

const get = (id: number) => soc.admin.call(Alerts.AlertsGet, { id })

describe("verbs", () => {
  it("marks rows with space and assigns them to me in bulk, after asking", async () => {
    const ids = await seedAlerts(soc.admin, [{ name: "bulk-a one" }, { name: "bulk-a two" }, { name: "bulk-a three" }])
    const app = await openOn("bulk-a")
    await app.press(KEY.space, KEY.space)
    let frame = await app.waitFor("2 marked")
    expect(lineWith(frame, "bulk-a three")).toContain("●")
    expect(lineWith(frame, "bulk-a two")).toContain("●")
    expect(lineWith(frame, "bulk-a one")).not.toContain("●")
    await app.press("a")
    await app.waitFor("assign 2 alerts to alice? yes / no")
    await app.press("y")
    frame = await app.waitFor("assign 2 alerts to alice: 2 updated")
    frame = await app.waitFor((f) => /bulk-a two\s+OPEN\s+ACME\s+alice/.test(f) && !f.includes("marked"))
    expect(lineWith(frame, "bulk-a one")).toMatch(/ACME\s+-/)
    expect((await get(ids[2]!)).assignedTo).toBe("alice")
    expect((await get(ids[1]!)).assignedTo).toBe("alice")
    expect((await get(ids[0]!)).assignedTo).toBeNull()
  })

  it("assigns to another user (A), sets status (s), toggles escalation (e) on the current row", async () => {
    const [id] = await seedAlerts(soc.admin, [{ name: "single-b" }])
    const app = await openOn("single-b")
    await app.press("A")
    await app.waitFor("assign alert")
    await app.paste("bob")
    await app.press(KEY.enter)
    await app.waitFor((f) => /single-b\s+OPEN\s+ACME\s+bob/.test(f))
    await app.press("s")
    await app.waitFor("status of alert")
    await app.press("i")
    await app.waitFor((f) => /single-b\s+IN_PROGRESS/.test(f))
    expect((await get(id!)).status).toBe("IN_PROGRESS")

    // Closing is destructive: it asks, and "n" leaves the alert as it was.
    await app.press("s", "c")
    await app.waitFor("set alert")
    await app.press("n")
    await app.waitFor("cancelled")
    expect((await get(id!)).status).toBe("IN_PROGRESS")
    await app.press("s", "c", "y")
    await app.waitFor((f) => /single-b\s+CLOSED/.test(f))

    await app.press("e")
    await app.waitFor("! single-b")
    expect((await get(id!)).escalated).toBe(true)
    await app.press("e")
    await app.waitFor((f) => !f.includes("! single-b") && f.includes("de-escalate"))
  })

  it("adds a tag (t, with completion) and removes it (T, after asking)", async () => {
    const [id] = await seedAlerts(soc.admin, [{ name: "tagged-c", tags: ["phishing"] }])
    const app = await openOn("tagged-c")
    await app.press("t")
    await app.paste("urgent-c")
    await app.press(KEY.enter)
    await app.waitFor((f) => /tagged-c.*phishing,urgent-c|tagged-c.*urgent-c,phishing/.test(f))
    expect((await get(id!)).tags.map((t) => t.tag).sort()).toEqual(["phishing", "urgent-c"])
    await app.press("T")
    await app.paste("urg")
    await app.waitFor("urgent-c")
    await app.press(KEY.tab)
    await app.press(KEY.enter)
    await app.waitFor("remove tag urgent-c from alert")
    await app.press("y")
    await app.waitFor("removed urgent-c from 1")
    expect((await get(id!)).tags.map((t) => t.tag)).toEqual(["phishing"])
  })

  it("comments (c) on the marked alerts in one call", async () => {
    const ids = await seedAlerts(soc.admin, [{ name: "comment-d one" }, { name: "comment-d two" }])
    const app = await openOn("comment-d")
    await app.press(KEY.ctrl("a"))
    await app.waitFor("2 marked")
    await app.press("c")
    await app.paste("checked the proxy logs")
    await app.press(KEY.enter)
    await app.waitFor("commented on 2 alerts")
    for (const id of ids) {
      const alert = await get(id)
      expect(alert.comments.map((c) => [c.userName, c.comment])).toEqual([["alice", "checked the proxy logs"]])
    }
    // The detail view shows it.
    await app.press(KEY.enter)
    await app.waitFor("checked the proxy logs")
  })

  it("a bulk comment is all or nothing: one marked alert deleted meanwhile leaves the other uncommented", async () => {
    const [one, two] = await seedAlerts(soc.admin, [{ name: "atomic-i one" }, { name: "atomic-i two" }])
    const app = await openOn("atomic-i")
    // Newest first: "two" is marked first, "one" second, so a call per row would comment on "two" before failing.
    expect(selectedLine(app.frame())).toContain("atomic-i two")
    await app.press(KEY.space, KEY.space)
    await app.waitFor("2 marked")
    await soc.admin.call(Alerts.AlertsDelete, { ids: [one!] })
    await app.press("c")
    await app.paste("both or neither")
    await app.press(KEY.enter)
    await app.waitFor(`comment on 2 alerts failed: alert ${one} not found (-32004)`)
    expect((await get(two!)).comments).toEqual([])
  })

  it("opens a new case from the marked alerts (n) and links another alert to it (l)", async () => {
    const ids = await seedAlerts(soc.admin, [{ name: "case-e one" }, { name: "case-e two" }, { name: "case-e three" }])
    const app = await openOn("case-e")
    await app.press(KEY.space, KEY.space, "n")
    await app.waitFor("new case from 2 alerts, named:")
    await app.paste("Lateral movement at Acme")
    await app.press(KEY.enter)
    const frame = await app.waitFor(/case \d+ created with 2 alert\(s\)/)
    const caseId = Number(/case (\d+) created/.exec(frame)![1])
    await app.waitFor((f) => lineWith(f, "case-e two").includes(`#${caseId}`))
    await app.press("G")
    expect(selectedLine(app.frame())).toContain("case-e one")
    await app.press("l")
    await app.waitFor("link alert")
    await app.paste(String(caseId))
    await app.press(KEY.enter)
    await app.waitFor(`linked 1 alert(s) to case ${caseId}`)
    await app.waitFor((f) => lineWith(f, "case-e one").includes(`#${caseId}`))
    const linked = await soc.admin.call(Cases.CasesGet, { id: caseId })
    expect(linked.alerts.map((a) => a.id).sort()).toEqual([...ids].sort())
  })

  it("shows the daemon's error in the status line and the status bar", async () => {
    await seedAlerts(soc.admin, [{ name: "error-f" }])
    const app = await openOn("error-f")
    await app.press("l")
    await app.paste("999999")
    await app.press(KEY.enter)
    const frame = await app.waitFor("failed:")
    expect(frame).toMatch(/✗ link alert \d+ to case 999999 failed: .*\(-32004\)/)
    // The status bar cuts its last item to the terminal's width: a live update's clock beside it takes room.
    expect(frame.split("\n").at(-1)).toMatch(/✗ link alert \d+ to case 999999/)
  })

  it("--readonly hides the verbs", async () => {
    const [id] = await seedAlerts(soc.admin, [{ name: "readonly-g" }])
    const app = await openOn("readonly-g", { readonly: true })
    expect(app.frame()).toContain("[read-only]")
    await app.press("a", "e", "s")
    await new Promise((r) => setTimeout(r, 200))
    expect(app.frame()).not.toContain("status of")
    expect(await get(id!)).toMatchObject({ assignedTo: null, escalated: false })
    await app.press("?")
    const help = await app.waitFor("Keys of the alerts view")
    expect(help).not.toContain("verb.assignMe")
    expect(help).toContain("nav.down")
  })

  it("a customer user's write is refused by the daemon, and the UI says so", async () => {
    // Analysts write; a customer user only reads: the daemon decides, the UI reports.
    const users = await soc.admin.call(Users.UsersList, {})
    await soc.admin.call(Users.CustomerAccessSet, { userId: users.find((u) => u.username === "carol")!.id, customerCodes: ["ACME"] })
    await seedAlerts(soc.admin, [{ name: "refused-h" }])
    const app = await openOn("refused-h", { user: "carol" })
    await app.press("a")
    await app.waitFor(/assign alert \d+ to carol failed: .*\(-32003\)/)
  })
})
