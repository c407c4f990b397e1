import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
// "vscode" is the hand-written fake (vitest.config.ts aliases it): VS Code cannot run here.
import * as vscodeFake from "vscode"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { Alerts, Cases, Users } from "@sockeye/protocol"
import { seedAlerts, seedSiemDocument, startSoc, type TestSoc } from "../../daemon/test/fixtures/Soc.js"
import { activate, deactivate } from "../src/extension.js"
import { COMMANDS, MCP_PROVIDER_ID, VIEWS } from "../src/logic/contributions.js"
import { SETTINGS } from "../src/logic/settings.js"

const fake = vscodeFake as unknown as typeof import("./fake-vscode.js")
const { recorded } = fake
const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

let soc: TestSoc
let ids: Array<number>
let context: ReturnType<typeof fake.extensionContext>

const alertsProvider = () => recorded.treeViews.get("sockeye.alerts")!.provider
const statusBar = () => recorded.statusBarItems[0]!
const lastMessage = () => recorded.messages.at(-1)
const login = async (username: string, password = "password1") => {
  recorded.answers.push("Username and password", username, password)
  await fake.commands.executeCommand("sockeye.login")
  await vi.waitFor(() => expect(statusBar().tooltip).toContain(`Sockeye: ${username} `))
}
const labelsOf = async (node?: unknown) => {
  const provider = alertsProvider()
  return (await provider.getChildren(node)).map((n: unknown) => provider.getTreeItem(n).label)
}
const alertNode = async (id: number) => {
  const provider = alertsProvider()
  for (const status of await provider.getChildren()) {
    for (const customer of await provider.getChildren(status)) {
      // Pages of one alert (sockeye.pageSize 1): "Load more…" until the alert shows or the group ends.
      for (;;) {
        const children = await provider.getChildren(customer)
        const found = children.find((n: any) => n.kind === "alert" && n.alert.id === id)
        if (found) return found
        const more = children.find((n: any) => n.kind === "more")
        if (!more) break
        await fake.commands.executeCommand(provider.getTreeItem(more).command.command, ...provider.getTreeItem(more).command.arguments)
      }
    }
  }
  throw new Error(`alert ${id} is not in the tree`)
}

beforeAll(async () => {
  soc = await startSoc("vscode_glue")
  ids = await seedAlerts(soc.admin, [
    { name: "ssh brute force", customerCode: "ACME" },
    { name: "malware beacon", customerCode: "ACME", assets: [{ name: "web-01", indexName: "wazuh-alerts-1", indexId: "doc-1" }] },
    { name: "odd login", customerCode: "GLOBEX" }
  ])
  await seedSiemDocument(soc.url, "wazuh-alerts-1", "doc-1", { rule: { description: "beacon" } })
  const carol = (await soc.admin.call(Users.UsersList, {})).find((u) => u.username === "carol")!
  await soc.admin.call(Users.CustomerAccessSet, { userId: carol.id, customerCodes: ["ACME"] })
  fake.reset()
  recorded.configuration.set(SETTINGS.connection, "socket")
  recorded.configuration.set(SETTINGS.socketPath, soc.daemon.socketPath!)
  recorded.configuration.set(SETTINGS.pageSize, 1)
  context = fake.extensionContext(extensionDir)
  activate(context as never)
})

afterAll(async () => {
  for (const d of context?.subscriptions ?? []) await d.dispose()
  await deactivate()
  await soc?.stop()
})

describe("activation", () => {
  it("registers exactly the commands and views of the tables, the sockeye: file system, the status bar and the MCP provider", async () => {
    expect([...recorded.commands.keys()].sort()).toEqual(COMMANDS.map((c) => c.id).sort())
    expect([...recorded.treeViews.keys()]).toEqual(VIEWS.map((v) => v.id))
    expect(recorded.fileSystems.has("sockeye")).toBe(true)
    expect([...recorded.mcpProviders.keys()]).toEqual([MCP_PROVIDER_ID])
    expect(statusBar()).toMatchObject({ command: "sockeye.alerts.focus", visible: true })
    // No credentials and no trusted local user: the connection is refused and the user is told.
    await expect.poll(() => recorded.messages.map((m) => m.text).join("\n")).toContain("not connected: credentials are required")
    expect(statusBar().text).toBe("$(debug-disconnect) Sockeye")
    expect(await labelsOf()).toEqual([])
  })
})

describe("as alice", () => {
  beforeAll(() => login("alice"))

  it("the Alerts view groups by status and customer with counts; the status bar counts her open alerts", async () => {
    expect(await labelsOf()).toEqual(["Open (3)", "In progress (0)", "Closed (0)"])
    const [open] = await alertsProvider().getChildren()
    const [acme] = await alertsProvider().getChildren(open)
    expect(await labelsOf(open)).toEqual(["ACME (2)", "GLOBEX (1)"])
    expect(await labelsOf(acme)).toEqual([`#${ids[1]} malware beacon`, "Load more…"])
    await alertNode(ids[0]!)
    expect(await labelsOf(acme)).toEqual([`#${ids[1]} malware beacon`, `#${ids[0]} ssh brute force`])
    const jobs = recorded.treeViews.get("sockeye.jobs")!.provider
    expect((await jobs.getChildren()).length).toBeGreaterThan(0)
    const item = alertsProvider().getTreeItem(await alertNode(ids[0]!))
    expect(item).toMatchObject({ contextValue: "sockeye.alert", command: { command: "sockeye.openAlert" } })
    expect(statusBar().text).toBe("$(shield) 0 open")
  })

  it("assign to me from the context menu updates the daemon, the tree and the status bar", async () => {
    await fake.commands.executeCommand("sockeye.assignToMe", await alertNode(ids[0]!))
    expect(lastMessage()).toEqual({ level: "info", text: `Sockeye: Assigned alert #${ids[0]} to alice (1 updated)` })
    expect((await soc.admin.call(Alerts.AlertsGet, { id: ids[0]! })).assignedTo).toBe("alice")
    await expect.poll(() => statusBar().text).toBe("$(shield) 1 open")
  })

  it("live: another user's change refreshes the tree", async () => {
    let fired = 0
    alertsProvider().onDidChangeTreeData(() => fired++)
    await soc.admin.call(Alerts.AlertsUpdate, { ids: [ids[2]!], set: { status: "CLOSED" } })
    await expect.poll(() => fired).toBeGreaterThan(0)
    expect(await labelsOf()).toEqual(["Open (2)", "In progress (0)", "Closed (1)"])
  })

  it("opens an alert as Markdown; saving the edited block applies it and the document shows the daemon's state", async () => {
    await fake.commands.executeCommand("sockeye.openAlert", await alertNode(ids[1]!))
    const doc = fake.window.activeTextEditor!.document
    expect(doc.uri.toString()).toBe(`sockeye:/alerts/${ids[1]}.md`)
    expect(doc.getText()).toContain(`# Alert #${ids[1]}: malware beacon`)
    const reloaded = new Promise((done) => fake.reloads.event(done))
    await fake.workspace.save(doc, doc.getText().replace("status: OPEN", "status: IN_PROGRESS").replace("tags: ", "tags: beacon"))
    await reloaded
    const after = await soc.admin.call(Alerts.AlertsGet, { id: ids[1]! })
    expect(after.status).toBe("IN_PROGRESS")
    expect(after.tags.map((t) => t.tag)).toEqual(["beacon"])
    // Live notifications reload it too, between the calls: the last reload shows everything applied.
    await expect.poll(() => doc.getText()).toContain("status: IN_PROGRESS\nassignee: \ntags: beacon\n")
  })

  it("a malformed block is refused with the reason, and the document reverts", async () => {
    const doc = fake.window.activeTextEditor!.document
    const reloaded = new Promise((done) => fake.reloads.event(done))
    await fake.workspace.save(doc, doc.getText().replace("status: IN_PROGRESS", "status: DONE"))
    await reloaded
    expect(lastMessage()!.level).toBe("error")
    expect(lastMessage()!.text).toContain("status must be OPEN, IN_PROGRESS or CLOSED")
    expect(doc.getText()).toContain("status: IN_PROGRESS")
  })

  it("live: a comment by someone else reloads the open document", async () => {
    const doc = fake.window.activeTextEditor!.document
    await soc.admin.call(Alerts.AlertsCommentsAdd, { alertId: ids[1]!, comment: "seen on web-01 too" })
    await expect.poll(() => doc.getText()).toContain("**admin**")
  })

  it("opens the SIEM document as read-only JSON", async () => {
    await fake.commands.executeCommand("sockeye.openSiemDocument", await alertNode(ids[1]!))
    const doc = fake.window.activeTextEditor!.document
    expect(JSON.parse(doc.getText())).toMatchObject({ _index: "wazuh-alerts-1", _id: "doc-1", _source: { rule: { description: "beacon" } } })
    await expect(fake.workspace.save(doc, "{}")).rejects.toMatchObject({ code: "NoPermissions" })
  })

  it("palette commands act on the open document: comment, add tag, set status, escalate", async () => {
    await fake.commands.executeCommand("sockeye.openAlert", await alertNode(ids[0]!))
    recorded.answers.push("first look")
    await fake.commands.executeCommand("sockeye.comment")
    recorded.answers.push("ssh")
    await fake.commands.executeCommand("sockeye.addTag")
    recorded.answers.push("In progress")
    await fake.commands.executeCommand("sockeye.setStatus")
    await fake.commands.executeCommand("sockeye.escalate")
    const a = await soc.admin.call(Alerts.AlertsGet, { id: ids[0]! })
    expect(a).toMatchObject({ status: "IN_PROGRESS", escalated: true })
    expect(a.comments.map((c) => c.comment)).toEqual(["first look"])
    expect(a.tags.map((t) => t.tag)).toEqual(["ssh"])
  })

  it("creates a case from the selected alerts and links another to it", async () => {
    const selected = [await alertNode(ids[0]!), await alertNode(ids[1]!)]
    recorded.answers.push("web intrusion", "two alerts on ACME")
    await fake.commands.executeCommand("sockeye.createCase", selected[0], selected)
    const doc = fake.window.activeTextEditor!.document
    const caseId = Number(/^\/cases\/(\d+)\.md$/.exec(doc.uri.path)![1])
    expect(doc.getText()).toContain(`# Case #${caseId}: web intrusion`)
    const created = await soc.admin.call(Cases.CasesGet, { id: caseId })
    expect(created.customerCode).toBe("ACME")
    recorded.answers.push(`#${caseId} `)
    await fake.commands.executeCommand("sockeye.linkToCase", await alertNode(ids[2]!))
    expect((await soc.admin.call(Cases.CasesGet, { id: caseId })).alerts.map((a) => a.id).sort()).toEqual([...ids].sort())
    const cases = recorded.treeViews.get("sockeye.cases")!.provider
    await expect.poll(async () => (await cases.getChildren()).map((n: any) => cases.getTreeItem(n).label)).toContain(`#${caseId} web intrusion`)
  })

  it("a command the daemon refuses shows its error", async () => {
    await fake.commands.executeCommand("sockeye.assignToMe", { kind: "alert", key: "alert:999999", alert: { id: 999_999 } })
    expect(lastMessage()).toEqual({ level: "error", text: "Sockeye: alert 999999 not found (-32004)" })
  })

  it("the MCP server definition runs the bundled proxy as alice: agents see her alerts", async () => {
    // A bundle of its own: the manifest test may be rewriting dist/ at the same time.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-mcp-"))
    execFileSync(process.execPath, [path.join(extensionDir, "scripts/bundle.mjs"), out])
    const provider = recorded.mcpProviders.get(MCP_PROVIDER_ID)
    const [definition] = await provider.provideMcpServerDefinitions()
    expect(definition).toMatchObject({ label: "Sockeye", command: process.execPath, args: [path.join(extensionDir, "dist", "mcp.cjs")] })
    const resolved = await provider.resolveMcpServerDefinition(definition)
    expect(resolved.env).toMatchObject({ SOCKEYE_USER: "alice", SOCKEYE_PASSWORD: "password1", SOCKEYE_TOKEN: null })
    const env = Object.fromEntries(Object.entries({ PATH: process.env["PATH"]!, ...resolved.env }).filter(([, v]) => v !== null)) as Record<string, string>
    const client = new Client({ name: "vscode-chat-test", version: "1.0.0" })
    await client.connect(new StdioClientTransport({ command: resolved.command, args: [path.join(out, "mcp.cjs")], env, stderr: "pipe" }))
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("alerts_list")
      const who = await client.callTool({ name: "auth_whoami", arguments: {} })
      expect(who.structuredContent).toMatchObject({ username: "alice" })
    } finally {
      await client.close()
      fs.rmSync(out, { recursive: true, force: true })
    }
  })
})

describe("as carol (a customer user: reads ACME, may not write)", () => {
  beforeAll(() => login("carol"))

  it("a save the daemon refuses shows the daemon's error and the document reverts", async () => {
    await fake.commands.executeCommand("sockeye.openAlert", await alertNode(ids[1]!))
    const doc = fake.window.activeTextEditor!.document
    const reloaded = new Promise((done) => fake.reloads.event(done))
    await fake.workspace.save(doc, doc.getText().replace("status: IN_PROGRESS", "status: CLOSED"))
    await reloaded
    expect(lastMessage()!.level).toBe("error")
    expect(lastMessage()!.text).toMatch(new RegExp(`saving alert #${ids[1]} was refused: .*\\(-32003\\)`))
    expect(doc.getText()).toContain("status: IN_PROGRESS")
    expect((await soc.admin.call(Alerts.AlertsGet, { id: ids[1]! })).status).toBe("IN_PROGRESS")
  })

  it("changing the connection settings reconnects; a bad one says why", async () => {
    fake.changeSetting(SETTINGS.tcp, "no-port")
    fake.changeSetting(SETTINGS.connection, "tcp")
    await expect.poll(() => recorded.messages.map((m) => m.text).join("\n")).toContain("sockeye.tcp must be HOST:PORT")
    fake.changeSetting(SETTINGS.connection, "socket")
    await expect.poll(() => statusBar().tooltip).toContain("Sockeye: carol ")
  })

  it("disconnect empties the views and the status bar says so", async () => {
    await fake.commands.executeCommand("sockeye.disconnect")
    expect(statusBar().text).toBe("$(debug-disconnect) Sockeye")
    expect(await labelsOf()).toEqual([])
  })
})
