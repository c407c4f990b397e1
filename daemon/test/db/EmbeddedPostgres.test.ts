import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { connect, type DaemonClient } from "@sockeye/client"
import { Alerts, Auth, SchemaMethods, Users } from "@sockeye/protocol"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import * as Embedded from "../../src/db/EmbeddedPostgres.js"
import { startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"
import { hearsLiveUpdate } from "../fixtures/LiveUpdate.js"

// Embedded mode is the daemon without a database URL: make sure none leaks in from the outside.
delete process.env["SOCKEYE_DATABASE_URL"]

let home: string
let dataDir: string
const daemons: Array<RunningDaemon> = []

/** Every process whose command line names this data directory (the postmaster passes -D). */
const postgresProcesses = (dir: string) =>
  fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
      return args.includes(dir) ? [Number(pid)] : []
    } catch {
      return []
    }
  })

const postmasterPid = () => Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0])
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
const waitUntil = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 100))
  if (!ok()) throw new Error(`timed out waiting until ${what}`)
}

const start = async () => {
  const daemon = await startDaemon({ env: { SOCKEYE_HOME: home } })
  daemons.push(daemon)
  return daemon
}

/** Embedded mode trusts local connections as admin: no credentials. */
const serves = async (daemon: RunningDaemon) => {
  const client = await connect({ kind: "socket", path: daemon.socketPath! }, { clientInfo: { name: "embedded-test" } })
  try {
    expect(client.user).toMatchObject({ username: "admin", role: "admin" })
    expect(await client.call(Auth.Whoami, {})).toMatchObject({ username: "admin" })
    expect((await client.call(SchemaMethods.MigrationsStatus, {})).pending).toEqual([])
    expect(await client.call(SchemaMethods.DriftGet, {})).toMatchObject({ missingTables: [], extraTables: [] })
  } finally {
    await client.close()
  }
}

const kill9 = async (daemon: RunningDaemon) => {
  daemon.process.kill("SIGKILL")
  await daemon.exited
}

beforeEach(() => {
  // Under /tmp and 0755: the postgres user (the tests run as root) must reach the data directory.
  home = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-embedded-"))
  fs.chmodSync(home, 0o755)
  dataDir = path.join(home, "pg", "data")
})

afterEach(async () => {
  for (const daemon of daemons.splice(0)) {
    if (daemon.process.exitCode === null && daemon.process.signalCode === null) daemon.process.kill("SIGKILL")
  }
  // Whatever a failed test left running for this home goes too.
  for (const pid of postgresProcesses(dataDir)) {
    try {
      process.kill(pid, "SIGKILL")
    } catch { /* already gone */ }
  }
  await waitUntil("the test's postgres processes are gone", () => postgresProcesses(dataDir).length === 0)
  fs.rmSync(home, { recursive: true, force: true })
})

describe("the embedded PostgreSQL", () => {
  it("initialises, starts, serves, and stops with the daemon", async () => {
    const daemon = await start()
    expect(daemon.log()).toContain("initialising embedded PostgreSQL")
    expect(fs.existsSync(path.join(dataDir, "PG_VERSION"))).toBe(true)
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700)
    expect(postgresProcesses(dataDir)).toContain(postmasterPid())
    await serves(daemon)

    expect(await daemon.stop()).toBe(0)
    expect(daemon.log()).toContain("embedded PostgreSQL stopped")
    expect(postgresProcesses(dataDir)).toEqual([])
    expect(fs.existsSync(path.join(dataDir, "postmaster.pid"))).toBe(false)

    // And again on the initialised directory: no second initdb.
    const again = await start()
    expect(again.log()).not.toContain("initialising")
    await serves(again)
    expect(await again.stop()).toBe(0)
    expect(postgresProcesses(dataDir)).toEqual([])
  })

  it("a SIGKILLed daemon leaves PostgreSQL running; the next daemon adopts it", async () => {
    const first = await start()
    const postmaster = postmasterPid()
    await kill9(first)
    expect(alive(postmaster)).toBe(true)

    const second = await start()
    expect(second.log()).toContain("already running")
    expect(postmasterPid()).toBe(postmaster)
    await serves(second)
    expect(await second.stop()).toBe(0)
    // pg_ctl stop returns once postmaster.pid is gone, a moment before the process itself.
    await waitUntil("the adopted postmaster exits", () => !alive(postmaster))
    expect(postgresProcesses(dataDir)).toEqual([])
  })

  it("after SIGKILL of daemon and postmaster, a stale postmaster.pid does not stop the next start", async () => {
    const first = await start()
    const postmaster = postmasterPid()
    await kill9(first)
    process.kill(postmaster, "SIGKILL")
    await waitUntil("the postmaster is gone", () => !alive(postmaster))
    expect(fs.existsSync(path.join(dataDir, "postmaster.pid"))).toBe(true)

    const second = await start()
    expect(postmasterPid()).not.toBe(postmaster)
    await serves(second)
    expect(await second.stop()).toBe(0)
    expect(postgresProcesses(dataDir)).toEqual([])
  })

  it("a stale postmaster.pid naming a live process that is not our postmaster is not adopted", async () => {
    const first = await start()
    expect(await first.stop()).toBe(0)
    // Our own pid: alive, but not a postmaster of this data directory.
    fs.writeFileSync(path.join(dataDir, "postmaster.pid"), `${process.pid}\n${dataDir}\n`)
    const second = await start()
    expect(second.log()).toContain("removing stale")
    await serves(second)
    expect(await second.stop()).toBe(0)
  })

  it.each([1, 2])("two daemons on one home at once: both come up, the last one out stops PostgreSQL (round %i)", async () => {
    const [a, b] = await Promise.all([start(), start()])
    await Promise.all([serves(a!), serves(b!)])
    const postmaster = postmasterPid()

    expect(await a!.stop()).toBe(0)
    expect(a!.log()).toContain("leaving embedded PostgreSQL running")
    expect(alive(postmaster)).toBe(true)
    await serves(b!)

    expect(await b!.stop()).toBe(0)
    expect(b!.log()).toContain("embedded PostgreSQL stopped")
    expect(postgresProcesses(dataDir)).toEqual([])
    expect(fs.existsSync(path.join(dataDir, "postmaster.pid"))).toBe(false)
    // Exactly one initdb made it into place.
    expect(fs.readdirSync(path.join(home, "pg")).filter((f) => f.startsWith("data"))).toEqual(["data"])
  })

  it("a daemon started as the last one shuts down comes up and serves", async () => {
    const first = await start()
    const stopping = first.stop()
    const second = await start()
    expect(await stopping).toBe(0)
    await serves(second)
    expect(await second.stop()).toBe(0)
    expect(postgresProcesses(dataDir)).toEqual([])
  })
})

/** Embedded mode trusts local connections: a client signed in as admin without credentials. */
const client = (daemon: RunningDaemon) => connect({ kind: "socket", path: daemon.socketPath! }, { clientInfo: { name: "embedded-test" } })

/**
 * Calls alerts/list until `ok` calls in a row succeed, at most `bound` calls; every failure must
 * be -32010 (the database away). Returns the outcomes.
 */
const callThrough = async (c: DaemonClient, ok: number, bound: number) => {
  const outcomes: Array<string> = []
  let streak = 0
  for (let i = 0; i < bound && streak < ok; i++) {
    const outcome = await c.call(Alerts.AlertsList, { limit: 5 }).then(() => "ok", (e: { _tag?: string; message?: string }) => `${e._tag}: ${e.message}`)
    outcomes.push(outcome)
    streak = outcome === "ok" ? streak + 1 : 0
    if (outcome !== "ok") await new Promise((r) => setTimeout(r, 100))
  }
  return { outcomes, recovered: streak >= ok }
}

describe("the embedded PostgreSQL supervised: its postmaster SIGKILLed", () => {
  it("the daemon restarts it; calls meanwhile answer -32010; then they succeed and live updates resume, same daemon", { timeout: 120_000 }, async () => {
    const daemon = await start()
    const [caller, watcher] = await Promise.all([client(daemon), client(daemon)])
    try {
      await caller.call(Users.CustomersCreate, { customerCode: "ACME", customerName: "Acme" })
      expect(await callThrough(caller, 3, 3)).toMatchObject({ recovered: true })
      const postmaster = postmasterPid()
      process.kill(postmaster, "SIGKILL")
      const { outcomes, recovered } = await callThrough(caller, 20, 600)
      expect(outcomes.filter((o) => o !== "ok" && !o.startsWith("Unavailable:")), "errors other than -32010").toEqual([])
      expect(recovered, outcomes.join("\n")).toBe(true)
      await waitUntil("a new postmaster runs", () => alive(postmasterPid()))
      expect(postmasterPid()).not.toBe(postmaster)
      expect(daemon.log()).toContain("embedded PostgreSQL went away")
      expect(daemon.log()).toContain("embedded PostgreSQL restarted")
      const create = (i: number) => caller.call(Alerts.AlertsCreate, { name: `after ${i}`, description: "", customerCode: "ACME", source: "test" }).then((a) => a.id)
      expect(await hearsLiveUpdate(watcher, create), "a live update after the restart").toBe(true)
      expect(daemon.process.exitCode).toBeNull()
    } finally {
      await caller.close()
      await watcher.close()
    }
    // The supervisor has let go before the release: the daemon still stops its cluster.
    expect(await daemon.stop()).toBe(0)
    expect(daemon.log()).toContain("embedded PostgreSQL stopped")
    expect(postgresProcesses(dataDir)).toEqual([])
  })

  it("two daemons on the home: one restarts it, the other registers again; both serve", { timeout: 120_000 }, async () => {
    const [a, b] = await Promise.all([start(), start()])
    const clients = await Promise.all([client(a!), client(b!)])
    const postmaster = postmasterPid()
    process.kill(postmaster, "SIGKILL")
    try {
      for (const c of clients) {
        const { outcomes, recovered } = await callThrough(c, 5, 600)
        expect(outcomes.filter((o) => o !== "ok" && !o.startsWith("Unavailable:"))).toEqual([])
        expect(recovered, outcomes.join("\n")).toBe(true)
      }
      // Each daemon has registered again only once it logs so; wait for both before counting.
      await waitUntil("both daemons are back", () =>
        [a!, b!].every((d) => /embedded PostgreSQL (restarted|is back)/.test(d.log())))
      const restarts = [a!, b!].filter((d) => d.log().includes("embedded PostgreSQL restarted"))
      expect(restarts.length, "daemons that started the cluster again").toBe(1)
      // One postmaster serves the data directory (only it names the directory on its command line).
      expect(postgresProcesses(dataDir)).toEqual([postmasterPid()])
      expect(alive(postmaster)).toBe(false)
    } finally {
      for (const c of clients) await c.close()
    }
    expect(await a!.stop()).toBe(0)
    expect(a!.log()).toContain("leaving embedded PostgreSQL running")
    expect(await b!.stop()).toBe(0)
    expect(b!.log()).toContain("embedded PostgreSQL stopped")
    expect(postgresProcesses(dataDir)).toEqual([])
  })
})

describe("the embedded PostgreSQL under a directory user postgres may not enter", () => {
  // Only root runs the cluster as another user; elsewhere there is nothing to refuse.
  it.skipIf(process.getuid?.() !== 0)("refuses at once, naming the directory and what to do", async () => {
    const locked = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-locked-"))
    fs.chmodSync(locked, 0o700)
    try {
      const failure = await Effect.runPromise(Effect.flip(Embedded.acquire(path.join(locked, "home"))))
      expect(failure.message).toBe(
        `the embedded PostgreSQL runs as user postgres, which cannot enter ${locked} (mode 0700, owner uid 0) on the way to ` +
        `${path.join(locked, "home", "pg")}: allow it (chmod o+x ${locked}) or choose a SOCKEYE_HOME outside it`)
      expect(fs.existsSync(path.join(locked, "home", "pg", "data"))).toBe(false)
    } finally {
      fs.rmSync(locked, { recursive: true, force: true })
    }
  })
})
