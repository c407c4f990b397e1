import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Alerts, Cases, Siem } from "@sockeye/protocol"
import type { DaemonClient } from "@sockeye/client"
import { query } from "../../daemon/test/fixtures/Postgres.js"
import { connectClient, createCase, seedAlerts, seedSiemDocument, startSoc, type TestSoc } from "../../daemon/test/fixtures/Soc.js"
import { AlertTree, presentAlertNode, type AlertNode } from "../src/logic/alertTree.js"
import { CaseTree } from "../src/logic/caseTree.js"
import { applyAlertDocument, applyCaseDocument, EditError, parseEditBlock, planAlert } from "../src/logic/edits.js"
import * as flows from "../src/logic/flows.js"
import { jobNodes, presentJobNode } from "../src/logic/jobTree.js"
import { renderAlert, renderCase, renderSiem } from "../src/logic/render.js"
import { refOf, pathOf } from "../src/logic/documentPath.js"
import { Session, type SessionState } from "../src/logic/session.js"
import { targetOf, SettingsError } from "../src/logic/settings.js"
import { statusText } from "../src/logic/statusText.js"

// The extension's logic against a real daemon on real PostgreSQL (no vscode import anywhere here).
let soc: TestSoc
let alice: DaemonClient
let ids: Array<number>

beforeAll(async () => {
  soc = await startSoc("vscode_logic")
  ids = await seedAlerts(soc.admin, [
    { name: "ssh brute force", customerCode: "ACME", tags: ["bruteforce"] },
    { name: "malware beacon", customerCode: "ACME", assets: [{ name: "web-01", indexName: "wazuh-alerts-1", indexId: "doc-1" }] },
    { name: "odd login", customerCode: "GLOBEX" },
    { name: "port scan", customerCode: "ACME" },
    { name: "dns tunnel", customerCode: "ACME" }
  ])
  await seedSiemDocument(soc.url, "wazuh-alerts-1", "doc-1", { rule: { description: "beacon" }, agent: { name: "web-01" } })
  alice = await connectClient(soc.daemon, "alice")
})

afterAll(async () => {
  await alice?.close()
  await soc?.stop()
})

const labels = (nodes: ReadonlyArray<AlertNode>) => nodes.map((n) => presentAlertNode(n).label)

describe("alert tree", () => {
  it("groups by status then customer with counts, and pages with load more", async () => {
    const tree = new AlertTree(() => alice, 2)
    const roots = await tree.roots()
    expect(labels(roots)).toEqual(["Open (5)", "In progress (0)", "Closed (0)"])
    const customers = await tree.children(roots[0]!)
    expect(labels(customers)).toEqual(["ACME (4)", "GLOBEX (1)"])
    const acme = await tree.children(customers[0]!)
    // Newest first, two a page, then "load more".
    expect(acme.map((n) => n.kind)).toEqual(["alert", "alert", "more"])
    expect(labels(acme).slice(0, 2)).toEqual([`#${ids[4]} dns tunnel`, `#${ids[3]} port scan`])
    const more = acme[2]!
    if (more.kind !== "more") throw new Error("expected a load-more node")
    await tree.loadMore(more.group)
    const paged = await tree.children(customers[0]!)
    expect(paged.filter((n) => n.kind === "alert")).toHaveLength(4)
    expect(paged.at(-1)!.kind).toBe("alert")
  })

  it("applies a live change: in place when the group stays, moved when the status changes", async () => {
    const tree = new AlertTree(() => alice, 50)
    const [open] = await tree.roots()
    const [acmeOpen] = await tree.children(open!)
    await tree.children(acmeOpen!)
    await soc.admin.call(Alerts.AlertsUpdate, { ids: [ids[0]!], set: { assignedTo: "bob" } })
    expect([...await tree.applyChange({ ids: [ids[0]!], kind: "updated" })]).toEqual(["OPEN/ACME"])
    const after = await tree.children(acmeOpen!)
    const moved = after.find((n) => n.kind === "alert" && n.alert.id === ids[0])
    expect(moved && presentAlertNode(moved).description).toContain("bob")

    await soc.admin.call(Alerts.AlertsUpdate, { ids: [ids[3]!], set: { status: "IN_PROGRESS" } })
    const touched = await tree.applyChange({ ids: [ids[3]!], kind: "updated" })
    expect([...touched]).toEqual(["OPEN/ACME"])
    expect((await tree.children(acmeOpen!)).some((n) => n.kind === "alert" && n.alert.id === ids[3])).toBe(false)
    expect(labels(await tree.roots())).toEqual(["Open (4)", "In progress (1)", "Closed (0)"])
    await soc.admin.call(Alerts.AlertsUpdate, { ids: [ids[3]!, ids[0]!], set: { status: "OPEN", assignedTo: null } })
  })

  it("refuses nothing and shows nothing when the user may see nothing", async () => {
    const carol = await connectClient(soc.daemon, "carol")
    try {
      const roots = await new AlertTree(() => carol).roots()
      expect(labels(roots)).toEqual(["Open (0)", "In progress (0)", "Closed (0)"])
    } finally {
      await carol.close()
    }
  })
})

describe("documents", () => {
  it("renders an alert with its editable block, and a case, and the SIEM document", async () => {
    const alert = await alice.call(Alerts.AlertsGet, { id: ids[1]! })
    const text = renderAlert(alert)
    expect(text.startsWith("---\n")).toBe(true)
    expect(text).toContain("status: OPEN\nassignee: \ntags: \n---")
    expect(text).toContain(`# Alert #${ids[1]}: malware beacon`)
    expect(text).toContain("web-01 — `wazuh-alerts-1/doc-1`")
    expect(parseEditBlock(text, "alert")).toEqual({ status: "OPEN", assignee: null, tags: [] })
    const siem = renderSiem(await alice.call(Siem.AlertsEvent, { alertId: ids[1]! }))
    expect(JSON.parse(siem)).toMatchObject({ _index: "wazuh-alerts-1", _id: "doc-1", _source: { agent: { name: "web-01" } } })
    const created = await createCase(soc.admin, "beacon case", [ids[1]!])
    const caseText = renderCase(await alice.call(Cases.CasesGet, { id: created.id }))
    expect(caseText).toContain(`# Case #${created.id}: beacon case`)
    expect(caseText).toContain(`- #${ids[1]} malware beacon (OPEN, ACME)`)
    expect(parseEditBlock(caseText, "case")).toEqual({ status: "OPEN", assignee: null })
  })

  it("parses edited blocks and refuses malformed ones precisely", () => {
    expect(parseEditBlock("---\nstatus: in progress\nassignee: bob\ntags: a, b ,a\n---\nbody", "alert"))
      .toEqual({ status: "IN_PROGRESS", assignee: "bob", tags: ["a", "b"] })
    expect(() => parseEditBlock("# no block", "alert")).toThrow(EditError)
    expect(() => parseEditBlock("---\nstatus: DONE\n---", "alert")).toThrow(/line 2: status must be OPEN, IN_PROGRESS or CLOSED/)
    expect(() => parseEditBlock("---\ntags: x\n---", "case")).toThrow(/expected one of status:, assignee:/)
    expect(() => parseEditBlock("---\nstatus: OPEN\nstatus: OPEN\n---", "alert")).toThrow(/given twice/)
    expect(() => parseEditBlock("---\nstatus: OPEN\n", "alert")).toThrow(/no closing/)
    expect(planAlert({ status: "OPEN", assignedTo: null, tags: [{ id: 1, tag: "old" }] }, { status: "OPEN", assignee: "me", tags: ["new"] }))
      .toEqual({ set: { assignedTo: "me" }, addTags: ["new"], removeTags: [{ id: 1, tag: "old" }] })
  })

  it("applies a saved alert document through the daemon: status, assignee, tags added and removed", async () => {
    const before = renderAlert(await alice.call(Alerts.AlertsGet, { id: ids[0]! }))
    const edited = before.replace("status: OPEN", "status: IN_PROGRESS").replace("assignee: ", "assignee: alice").replace("tags: bruteforce", "tags: triaged, ssh")
    const plan = await applyAlertDocument(alice, ids[0]!, edited)
    expect(plan.addTags).toEqual(["triaged", "ssh"])
    const after = await alice.call(Alerts.AlertsGet, { id: ids[0]! })
    expect(after.status).toBe("IN_PROGRESS")
    expect(after.assignedTo).toBe("alice")
    expect(after.tags.map((t) => t.tag).sort()).toEqual(["ssh", "triaged"])
    // Saving the same text again changes nothing.
    const again = await applyAlertDocument(alice, ids[0]!, renderAlert(after))
    expect(again).toEqual({ set: {}, addTags: [], removeTags: [] })
  })

  it("a refused save rejects with the daemon's error and changes nothing", async () => {
    const carol = await connectClient(soc.daemon, "carol")
    try {
      const text = renderAlert(await alice.call(Alerts.AlertsGet, { id: ids[2]! })).replace("status: OPEN", "status: CLOSED")
      await expect(applyAlertDocument(carol, ids[2]!, text)).rejects.toMatchObject({ _tag: "NotFound" })
      expect((await alice.call(Alerts.AlertsGet, { id: ids[2]! })).status).toBe("OPEN")
    } finally {
      await carol.close()
    }
    const longName = "x".repeat(51)
    const text = renderAlert(await alice.call(Alerts.AlertsGet, { id: ids[2]! })).replace("assignee: ", `assignee: ${longName}`)
    await expect(applyAlertDocument(alice, ids[2]!, text)).rejects.toMatchObject({ _tag: "InvalidParams" })
  })

  it("applies a saved case document", async () => {
    const created = await createCase(soc.admin, "case to edit", [ids[2]!])
    const text = renderCase(await alice.call(Cases.CasesGet, { id: created.id })).replace("assignee: ", "assignee: alice")
    expect(await applyCaseDocument(alice, created.id, text)).toEqual({ assignedTo: "alice" })
    expect((await alice.call(Cases.CasesGet, { id: created.id })).assignedTo).toBe("alice")
    // CoPilot stores a case's status as free text: an untouched lowercase status is not a change.
    await query(soc.url, "update incident_management_case set case_status = 'open' where id = $1", [created.id])
    const lower = renderCase(await alice.call(Cases.CasesGet, { id: created.id }))
    expect(lower).toContain("status: open\n")
    expect(await applyCaseDocument(alice, created.id, lower)).toEqual({})
  })

  it("names documents by path and nothing else", () => {
    expect(refOf(pathOf({ kind: "siem", alertId: 7 }))).toEqual({ kind: "siem", alertId: 7 })
    expect(refOf("/alerts/0.md")).toBeUndefined()
    expect(refOf("/alerts/7.md/../x")).toBeUndefined()
  })
})

describe("command flows", () => {
  it("assign to me, set status, escalate, add tag, comment", async () => {
    const s = { kind: "alert", ids: [ids[4]!] } as const
    expect(await flows.assignToMe(alice, s)).toBe(`Assigned alert #${ids[4]} to alice (1 updated)`)
    await flows.setStatus(alice, s, "IN_PROGRESS")
    await flows.escalate(alice, s)
    await flows.addTag(alice, s.ids, "dns")
    await flows.comment(alice, s, "looks like iodine")
    const a = await alice.call(Alerts.AlertsGet, { id: ids[4]! })
    expect(a).toMatchObject({ assignedTo: "alice", status: "IN_PROGRESS", escalated: true })
    expect(a.tags.map((t) => t.tag)).toContain("dns")
    expect(a.comments.map((c) => [c.userName, c.comment])).toEqual([["alice", "looks like iodine"]])
    expect(await flows.myOpenAlerts(alice)).toBeGreaterThanOrEqual(1)
  })

  it("creates a case from alerts of one customer, and links another alert to it", async () => {
    const alerts = await flows.alertsOf(alice, [ids[3]!, ids[4]!])
    const created = await flows.createCase(alice, alerts, "dns and scans", "from the editor")
    expect(created.customerCode).toBe("ACME")
    expect(await flows.linkToCase(alice, created.id, [ids[0]!])).toBe(`Linked 1 alert(s) to case #${created.id}`)
    expect((await alice.call(Cases.CasesGet, { id: created.id })).alerts.map((a) => a.id).sort()).toEqual([ids[0]!, ids[3]!, ids[4]!].sort())
    expect((await flows.linkableCases(alice)).map((c) => c.id)).toContain(created.id)
    const tree = new CaseTree(() => alice, 1)
    const roots = await tree.roots()
    expect(roots.map((n) => n.kind)).toEqual(["case", "more"])
    await tree.loadMore()
    expect((await tree.roots()).filter((n) => n.kind === "case").length).toBeGreaterThanOrEqual(2)
  })

  it("a refused command rejects with the protocol error (not found for an alert the user cannot see)", async () => {
    await expect(flows.assignToMe(alice, { kind: "alert", ids: [999_999] })).rejects.toMatchObject({ _tag: "NotFound" })
  })

  it("lists jobs", async () => {
    const nodes = await jobNodes(alice)
    expect(nodes.length).toBeGreaterThan(0)
    expect(presentJobNode(nodes[0]!).description).toMatch(/every \d+ min/)
  })
})

describe("session and settings", () => {
  it("connects, reports its state and forwards alerts/changed; refused credentials reject", async () => {
    const states: Array<SessionState["kind"]> = []
    const changes: Array<ReadonlyArray<number>> = []
    const session = new Session()
    session.listen({ onState: (s) => states.push(s.kind), onAlertsChanged: (c) => changes.push(c.ids) })
    const target = targetOf({ connection: "socket", socketPath: soc.daemon.socketPath!, command: [], tcp: "" })
    await session.connect(target, { username: "alice", password: "password1" })
    expect(session.state).toMatchObject({ kind: "connected", user: { username: "alice" } })
    expect(statusText(session.state, 3).text).toBe("$(shield) 3 open")
    await soc.admin.call(Alerts.AlertsUpdate, { ids: [ids[2]!], set: { escalated: true } })
    await expect.poll(() => changes.flat()).toContain(ids[2]!)
    await session.disconnect()
    expect(states).toEqual(["connecting", "connected", "disconnected"])
    await expect(session.connect(target, { username: "alice", password: "wrong" })).rejects.toMatchObject({ _tag: "Unauthenticated" })
    expect(session.state.kind).toBe("disconnected")
    expect(() => session.require()).toThrow(/not connected/)
  })

  it("maps every connection setting to a client target", () => {
    expect(targetOf({ connection: "tcp", socketPath: "", command: [], tcp: "db.example:7000" })).toEqual({ kind: "tcp", host: "db.example", port: 7000 })
    expect(() => targetOf({ connection: "tcp", socketPath: "", command: [], tcp: "nope" })).toThrow(SettingsError)
    expect(targetOf({ connection: "spawn", socketPath: "", command: ["node", "sockeyed.js"], tcp: "" }, {})).toMatchObject({ kind: "stdio", command: ["node", "sockeyed.js"] })
    expect(targetOf({ connection: "auto", socketPath: "/run/s.sock", command: [], tcp: "" }, {})).toMatchObject({ kind: "auto", path: "/run/s.sock", command: ["sockeyed"] })
  })
})
