import { Alerts } from "@sockeye/protocol"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectClient, seedAlerts, startSoc, type TestSoc } from "./test-utils/daemon.js"

/**
 * `sockeye` in a real terminal: tmux runs the built CLI against a test daemon, keys go in with
 * send-keys, the screen comes back with capture-pane. .ci/run installs tmux.
 */
const SOCKEYE_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bin/sockeye.js")
const SERVER = `sockeye-e2e-${process.pid}`
// Its own code cache: the first terminal starts without one and saves it, the later ones use it.
const CACHE_DIR = path.join(os.tmpdir(), `sockeye-e2e-cache-${process.pid}`)

const tmux = (...args: ReadonlyArray<string>) => execFileSync("tmux", ["-L", SERVER, ...args], { encoding: "utf8" })

let soc: TestSoc
let ids: Array<number>

beforeAll(async () => {
  try {
    execFileSync("tmux", ["-V"])
  } catch {
    throw new Error("the terminal test needs tmux: apt-get install -y tmux")
  }
  soc = await startSoc("tui_e2e")
  ids = await seedAlerts(soc.admin, [
    { name: "Brute force on vpn gateway", tags: ["identity"], iocs: [{ value: "198.51.100.23", type: "IP" }], assets: [{ name: "vpn-gw-01" }] },
    { name: "Phishing mail with macro attachment", customerCode: "GLOBEX", source: "graylog", tags: ["email"] },
    { name: "Beacon to known C2 domain", tags: ["network", "malware"] },
    { name: "Suspicious PowerShell download cradle", assets: [{ name: "ws-finance-07" }] }
  ])
})
afterAll(async () => {
  try { tmux("kill-server") } catch { /* no server left */ }
  await soc?.stop()
  fs.rmSync(CACHE_DIR, { recursive: true, force: true })
})

/** A terminal of the given size running sockeye as alice; the shell line after it shows the exit. */
const terminal = (name: string, columns: number, rows: number) => {
  const env = Object.entries({ TERM: "xterm-256color", LANG: "C.UTF-8", SOCKEYE_CONFIG_DIR: "/nonexistent", SOCKEYE_CACHE_DIR: CACHE_DIR }).map(([k, v]) => `${k}=${v}`)
  // Ink renders nothing while it believes it runs in CI: the terminal is a real one.
  const command = `env -u CI -u CONTINUOUS_INTEGRATION ${env.join(" ")} ${process.execPath} ${SOCKEYE_BIN} --socket ${soc.daemon.socketPath} --user alice --password password1; echo "sockeye exited $?"; sleep 600`
  tmux("new-session", "-d", "-s", name, "-x", String(columns), "-y", String(rows), command)
  const capture = () => tmux("capture-pane", "-p", "-t", name)
  const lines = () => capture().replace(/\n+$/, "").split("\n")
  return {
    capture,
    lines,
    keys: async (...keys: ReadonlyArray<string>) => {
      for (const key of keys) {
        tmux("send-keys", "-t", name, ...(key.length > 1 && /^[A-Z][a-zA-Z]+$|^C-/.test(key) ? [key] : ["-l", key]))
        await new Promise((r) => setTimeout(r, 60))
      }
    },
    waitFor: async (what: string | RegExp | ((screen: string) => boolean), timeoutMs = 30_000) => {
      const ok = (s: string) => (typeof what === "string" ? s.includes(what) : what instanceof RegExp ? what.test(s) : what(s))
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const screen = capture()
        if (ok(screen)) return screen
        if (Date.now() > deadline) throw new Error(`the screen never showed ${String(what)}:\n${screen}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    alternate: () => tmux("display-message", "-p", "-t", name, "#{alternate_on}").trim() === "1",
    kill: () => tmux("kill-session", "-t", name)
  }
}

const selected = (screen: string) => screen.split("\n").find((l) => l.startsWith("▸")) ?? ""

describe("sockeye in a real terminal (tmux)", () => {
  it("80x24: the alerts table fits; navigate, open, filter, mark and assign, help, quit back to the shell", async () => {
    const t = terminal("small", 80, 24)
    try {
      let screen = await t.waitFor((s) => s.includes("Suspicious PowerShell") && s.includes("OPEN 4"))
      expect(t.alternate()).toBe(true)
      const lines = t.lines()
      expect(lines).toHaveLength(24)
      expect(lines[0]).toMatch(/^ Sockeye {2}alerts/)
      expect(lines[1]).toMatch(/OPEN 4 {2}IN_PROGRESS 0 {2}CLOSED 0/)
      expect(lines[2]).toMatch(/ID AGE▼ NAME\s+STATUS\s+CUSTOMER ASSIGNEE TAGS\s+CASE/)
      expect(lines[23]).toMatch(/^ alice\(analyst\) │ sockeyed \S+ socket sockeyed\.sock │ ● connected │ LIVE/)
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80)
      expect(selected(screen)).toContain("Suspicious PowerShell")

      await t.keys("j")
      screen = await t.waitFor((s) => selected(s).includes("Beacon to known C2"))
      await t.keys("Enter")
      screen = await t.waitFor("DESCRIPTION")
      expect(screen).toContain(`alerts › alert ${ids[2]}`)
      await t.keys("Escape")
      screen = await t.waitFor((s) => !s.includes("DESCRIPTION") && selected(s).includes("Beacon to known C2"))

      await t.keys("/", "vpn-gw", "Enter")
      screen = await t.waitFor((s) => s.includes("alerts(/vpn-gw)") && s.includes("Brute force on vpn") && !s.includes("Beacon"))
      await t.keys("Escape")
      await t.waitFor("Phishing mail")

      await t.keys(" ", " ")
      await t.waitFor("2 marked")
      await t.keys("a")
      await t.waitFor("assign 2 alerts to alice? yes / no")
      await t.keys("y")
      screen = await t.waitFor("assign 2 alerts to alice: 2 updated")
      await t.waitFor((s) => /Suspicious PowerShell.*alice/.test(s) && /Beacon to known C2.*alice/.test(s))
      expect((await soc.admin.call(Alerts.AlertsGet, { id: ids[3]! })).assignedTo).toBe("alice")

      await t.keys("?")
      screen = await t.waitFor("Keys of the alerts view")
      expect(screen).toMatch(/space\s+mark the row for bulk verbs/)
      await t.keys("Escape", "q")
      screen = await t.waitFor("sockeye exited 0")
      expect(t.alternate()).toBe(false)
      expect(screen).not.toContain("Keys of the alerts view")
    } finally {
      t.kill()
    }
  })

  it("200x50: every column; a command with completion; an update by another client appears live", async () => {
    const t = terminal("large", 200, 50)
    try {
      let screen = await t.waitFor("Suspicious PowerShell")
      const lines = t.lines()
      expect(lines).toHaveLength(50)
      expect(lines[2]).toMatch(/ID\s+AGE▼\s+NAME\s+STATUS\s+CUSTOMER\s+SOURCE\s+ASSIGNEE\s+TAGS\s+CASE/)
      expect(screen).toMatch(/Phishing mail with macro attachment\s+OPEN\s+GLOBEX\s+graylog\s+-\s+email/)
      expect(lines[49]).toContain("alice(analyst)")

      await t.keys(":", "alerts tag=net")
      await t.waitFor(": alerts tag=net  tag=network")
      await t.keys("Tab")
      await t.waitFor(": alerts tag=network")
      await t.keys("Enter")
      screen = await t.waitFor((s) => s.includes("alerts(tag=network)") && s.includes("Beacon to known C2") && !s.includes("Phishing mail with"))

      const bob = await connectClient(soc.daemon, "bob")
      try {
        await seedAlerts(bob, [{ name: "DNS tunnelling detected", tags: ["network"] }])
        screen = await t.waitFor("DNS tunnelling detected")
        expect(screen).toMatch(/DNS tunnelling detected\s+OPEN\s+ACME\s+wazuh/)
      } finally {
        await bob.close()
      }
      await t.keys("q")
      await t.waitFor("sockeye exited 0")
    } finally {
      t.kill()
    }
  })
})
