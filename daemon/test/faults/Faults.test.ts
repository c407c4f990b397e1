import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Redacted } from "effect"
import { connect, type DaemonClient } from "@sockeye/client"
import { Alerts } from "@sockeye/protocol"
import * as Embedded from "../../src/db/EmbeddedPostgres.js"
import { query } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"
import { hearsLiveUpdate } from "../fixtures/LiveUpdate.js"

/**
 * Faults under load, on a PostgreSQL cluster of this test's own (the embedded binaries, reached
 * through a unix socket in a temp dir), never the machine's server: restarted and killed while
 * clients work; and the daemon SIGKILLed during bulk updates, then started again on the same
 * socket path while the clients reconnect by themselves.
 */
type Cluster = Effect.Effect.Success<ReturnType<typeof Embedded.acquire>>
let home: string
let cluster: Cluster
let url: string
let daemon: RunningDaemon | undefined

const ALERTS = 300

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-faults-"))
  // The postgres user (the cluster runs as it when we are root) must reach the data directory.
  fs.chmodSync(home, 0o755)
  cluster = await Effect.runPromise(Embedded.acquire(home))
  url = Redacted.value(cluster.url)
})
afterAll(async () => {
  await daemon?.stop()
  if (cluster) await Effect.runPromise(Embedded.release(cluster)).catch(() => undefined)
  fs.rmSync(home, { recursive: true, force: true })
})

const pgCtl = (...args: Array<string>) =>
  new Promise<void>((resolve, reject) =>
    execFile(cluster.pgCtl, ["-D", cluster.dataDir, ...args], { ...cluster.ids }, (error, _out, stderr) =>
      error ? reject(new Error(`pg_ctl ${args.join(" ")}: ${stderr}`)) : resolve()))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const signIn = (socketPath: string, name: string) =>
  connect({ kind: "socket", path: socketPath }, { clientInfo: { name }, credentials: { username: "admin", password: ADMIN_PASSWORD } })

/**
 * `clients` loop over reads and writes until `stop`; each call's outcome is kept with its time,
 * so the test can tell errors during the fault from calls after it.
 */
const workload = (clients: ReadonlyArray<DaemonClient>, ids: ReadonlyArray<number>) => {
  const outcomes: Array<{ readonly at: number; readonly tag: string; readonly message: string }> = []
  let running = true
  const done = Promise.all(clients.map(async (client, c) => {
    for (let i = 0; running; i++) {
      const id = ids[(c * 37 + i) % ids.length]!
      const call = i % 3 === 0
        ? client.call(Alerts.AlertsUpdate, { ids: [id], set: { status: i % 2 ? "OPEN" : "IN_PROGRESS" } })
        : i % 3 === 1 ? client.call(Alerts.AlertsGet, { id }) : client.call(Alerts.AlertsList, { limit: 20 })
      const tag = await call.then(() => "ok", (e: { _tag?: string; message?: string }) => `${e._tag}`)
      outcomes.push({ at: Date.now(), tag, message: tag === "ok" ? "" : String((await call.catch((e) => e))?.message) })
      if (tag !== "ok") await sleep(20)
    }
  }))
  return { outcomes, stop: async () => { running = false; await done } }
}

const seedAlerts = async (client: DaemonClient) => {
  await query(url, `insert into customers (customer_code, customer_name, created_at) values ('ACME', 'Acme', now()) on conflict do nothing`)
  const ids: Array<number> = []
  for (let i = 0; i < ALERTS; i++) {
    ids.push((await client.call(Alerts.AlertsCreate, { name: `fault ${i}`, description: "", customerCode: "ACME", source: "test" })).id)
  }
  return ids
}

/** Asserts: errors only while the database was away, all -32010; everything after `recovered` succeeds. */
const judge = (outcomes: ReadonlyArray<{ at: number; tag: string; message: string }>, recovered: number) => {
  const errors = outcomes.filter((o) => o.tag !== "ok")
  const tags = [...new Set(errors.map((e) => `${e.tag}: ${e.message}`))]
  expect(errors.length, "some in-flight work saw the fault").toBeGreaterThan(0)
  expect(errors.every((e) => e.tag === "Unavailable"), tags.join("\n")).toBe(true)
  const after = outcomes.filter((o) => o.at > recovered + 2000)
  expect(after.length).toBeGreaterThan(10)
  expect(after.filter((o) => o.tag !== "ok"), "calls after recovery").toEqual([])
  return { errors: errors.length, calls: outcomes.length }
}

describe("PostgreSQL faults under load: -32010 for in-flight work, then recovery without a daemon restart", () => {
  let ids: Array<number>
  let clients: Array<DaemonClient>

  it("starts a daemon on the test's own cluster", async () => {
    daemon = await startDaemon({ databaseUrl: url, env: { SOCKEYE_SIEM: "none", SOCKEYE_DB_POOL: "8" } })
    clients = await Promise.all(Array.from({ length: 6 }, (_, i) => signIn(daemon!.socketPath!, `fault-${i}`)))
    ids = await seedAlerts(clients[0]!)
  })

  it("PostgreSQL restarted (fast shutdown) under load", async () => {
    const pid = daemon!.process.pid
    const load = workload(clients, ids)
    await sleep(1500)
    const t0 = Date.now()
    // -l: without a log file the new postmaster keeps pg_ctl's stdout open, and execFile waits on it.
    await pgCtl("-l", path.join(path.dirname(cluster.dataDir), "postgres.log"), "-m", "fast", "-w", "restart")
    const recovered = Date.now()
    process.stderr.write(`faults: pg_ctl restart took ${recovered - t0} ms\n`)
    await sleep(4000)
    process.stderr.write(`faults: stopping the load\n`)
    await load.stop()
    const figures = judge(load.outcomes, recovered)
    process.stderr.write(`faults: restart: ${figures.calls} calls, ${figures.errors} answered -32010\n`)
    expect(daemon!.process.pid).toBe(pid)
    expect(daemon!.process.exitCode).toBeNull()
  }, 60_000)

  it("PostgreSQL killed (SIGKILL to the postmaster) under load, then started again", async () => {
    const load = workload(clients, ids)
    await sleep(1500)
    const postmaster = Number(fs.readFileSync(path.join(cluster.dataDir, "postmaster.pid"), "utf8").split("\n")[0])
    process.kill(postmaster, "SIGKILL")
    await sleep(2000)
    // Down for two seconds: every call meanwhile is -32010, none hangs past the pool's connect timeout.
    await Effect.runPromise(Embedded.release(cluster)).catch(() => undefined)
    cluster = await Effect.runPromise(Embedded.acquire(home))
    const recovered = Date.now()
    await sleep(4000)
    await load.stop()
    const figures = judge(load.outcomes, recovered)
    process.stderr.write(`faults: kill: ${figures.calls} calls, ${figures.errors} answered -32010\n`)
    expect(daemon!.process.exitCode).toBeNull()
    // The daemon's change feed lost its connection too: live updates flow again.
    const update = (i: number) => clients[0]!.call(Alerts.AlertsUpdate, { ids: [ids[i]!], set: { status: "CLOSED" } }).then(() => ids[i]!)
    expect(await hearsLiveUpdate(clients[1]!, update), "a live update after the kill").toBe(true)
  }, 120_000)

  it("the daemon SIGKILLed during bulk updates: all or nothing; the stale socket is reclaimed; clients reconnect", async () => {
    const admin = clients[0]!
    const states: Array<string> = []
    const watcher = await connect({ kind: "socket", path: daemon!.socketPath! }, {
      clientInfo: { name: "reconnecting" }, credentials: { username: "admin", password: ADMIN_PASSWORD },
      onStateChange: (state) => states.push(state)
    })
    // Bulk updates of every alert, each all-or-nothing, back to back, and a bulk tag.
    let round = 0
    const bulk = (async () => {
      for (;; round++) {
        const status = round % 2 ? "OPEN" : "IN_PROGRESS"
        const ok = await admin.call(Alerts.AlertsUpdate, { ids, set: { status } }).then(() => true, () => false)
        const tagged = await admin.call(Alerts.AlertsTagsAdd, { alertIds: ids, tag: `bulk-${round}` }).then(() => true, () => false)
        if (!ok || !tagged) return
      }
    })()
    await sleep(2500)
    daemon!.process.kill("SIGKILL")
    await daemon!.exited
    await bulk
    expect(round).toBeGreaterThan(0)
    expect(fs.existsSync(daemon!.socketPath!), "a SIGKILLed daemon leaves its socket file").toBe(true)

    const statuses = await query<{ status: string; n: number }>(url,
      "select status, count(*)::int as n from incident_management_alert where id = any($1) group by status", [ids])
    expect(statuses.length, JSON.stringify(statuses)).toBe(1)
    const perTag = await query<{ tag: string; n: number }>(url, `
      select t.tag, count(*)::int as n from incident_management_alert_to_tag l join incident_management_alerttag t on t.id = l.tag_id
      where t.tag like 'bulk-%' group by t.tag`)
    for (const row of perTag) expect(row.n, `alerts tagged ${row.tag}`).toBe(ALERTS)
    const duplicates = await query(url, `select alert_id, tag_id from incident_management_alert_to_tag group by 1, 2 having count(*) > 1`)
    expect(duplicates).toEqual([])

    // Same socket path: the stale file is reclaimed, and the reconnecting client finds the new daemon.
    daemon = await startDaemon({ databaseUrl: url, socketPath: daemon!.socketPath!, env: { SOCKEYE_SIEM: "none" } })
    expect(daemon.log()).toContain("reclaiming stale socket")
    // Its backoff reaches 5 s between attempts, and signing in hashes a password.
    for (let i = 0; i < 300 && watcher.state !== "connected"; i++) await sleep(100)
    expect(states).toContain("reconnecting")
    expect(watcher.state).toBe("connected")
    expect((await watcher.call(Alerts.AlertsGet, { id: ids[0]! })).id).toBe(ids[0])
    await watcher.close()
    for (const client of clients) await client.close()
  }, 120_000)
})
