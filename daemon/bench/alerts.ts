/**
 * The incident core at 1M alerts (seedAlerts.ts): alerts/list (first page and a page 200 pages
 * deep), alerts/count by status and alerts/get, for admin and for an analyst holding 50 of 1000
 * tags with tag RBAC on. Each is timed through the real daemon over its unix socket with
 * @sockeye/client, and beside it the same SQL run directly through pg (alertsSql.ts, the floor).
 */
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { connect, type DaemonClient } from "@sockeye/client"
import { Alerts, type RoleName } from "@sockeye/protocol"
import type { CursorPayload } from "../src/domain/Cursors.js"
import type { Principal } from "../src/domain/Principal.js"
import { countSql, getSql, listSql, openFloor, sameText, visibleIdsSql, type Compiled } from "./alertsSql.js"
import type { BenchContext, BenchModule, Table } from "./index.js"
import { ensureSeeded, SEED, setPasswords, sizes } from "./seedAlerts.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const DAEMON = path.resolve(here, "../../bin/sockeyed.js")
const envInt = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
/** Timed calls per operation and side (SOCKEYE_BENCH_N), after WARMUP untimed ones. */
const N = envInt("SOCKEYE_BENCH_N", 200)
const WARMUP = 20
/** alerts/count reads every alert: fewer calls (SOCKEYE_BENCH_COUNT_N). */
const COUNT_N = envInt("SOCKEYE_BENCH_COUNT_N", 200)
const COUNT_WARMUP = 3
/** Daemon and floor alternate in chunks, so that load from elsewhere hits both alike. */
const CHUNK = 10
const DEEP = 200
const LIMIT = 50
const TARGET_P99_MS = 25
const TARGET_RATIO = 1.5

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000)
    child.once("exit", () => { clearTimeout(kill); resolve() })
    child.kill("SIGTERM")
  })

/** The real daemon on a unix socket; resolves once it listens (it has migrated by then). */
const startDaemon = (context: BenchContext, socketPath: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DAEMON, "--socket", socketPath], {
      env: { ...process.env, SOCKEYE_DATABASE_URL: context.databaseUrl, SOCKEYE_ADMIN_PASSWORD: context.adminPassword },
      stdio: ["ignore", "pipe", "pipe"]
    })
    context.defer(() => stop(child))
    let log = ""
    child.stdout?.resume()
    const timer = setTimeout(() => reject(new Error(`the daemon did not start:\n${log}`)), 300_000)
    child.stderr?.on("data", (chunk: Buffer) => {
      log = (log + chunk.toString("utf8")).slice(-16384)
      if (log.includes("listening on unix socket")) { clearTimeout(timer); resolve(child) }
    })
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`the daemon exited with ${code}:\n${log}`)) })
  })

interface Stats { readonly n: number; readonly p50: number; readonly p99: number }

/** Nearest-rank percentiles. */
const stats = (ms: Array<number>): Stats => {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!
  return { n: sorted.length, p50: at(0.5), p99: at(0.99) }
}

type Call = (i: number) => Promise<unknown>

/** Warm-up on both sides, then n timed calls each, alternating sides every CHUNK calls. */
const measure = async (daemon: Call, floor: Call, n: number, warmup: number) => {
  for (let i = 0; i < warmup; i++) { await daemon(i); await floor(i) }
  const times = { daemon: [] as Array<number>, floor: [] as Array<number> }
  for (let start = 0; start < n; start += CHUNK) {
    const sides = [["daemon", daemon], ["floor", floor]] as const
    for (const [side, call] of (start / CHUNK) % 2 === 0 ? sides : [...sides].reverse()) {
      for (let i = start; i < Math.min(n, start + CHUNK); i++) {
        const t = performance.now()
        await call(i)
        times[side].push(performance.now() - t)
      }
    }
  }
  return { daemon: stats(times.daemon), floor: stats(times.floor) }
}

const payload = (cursor: string): CursorPayload =>
  JSON.parse(Buffer.from(cursor.split(".")[0]!, "base64url").toString("utf8")) as CursorPayload

const ms = (n: number) => n.toFixed(n < 10 ? 2 : 1)

const run = async (context: BenchContext): Promise<ReadonlyArray<Table>> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-bench-alerts-"))
  context.defer(() => fs.rmSync(dir, { recursive: true, force: true }))
  const socketPath = path.join(dir, "s.sock")
  context.log("starting the daemon (it migrates the database)")
  const daemon = await startDaemon(context, socketPath)
  const seed = await ensureSeeded(context.databaseUrl, context.log)
  const analystPassword = `Analyst-${Math.random().toString(36).slice(2)}!`
  const ids = await setPasswords(context.databaseUrl, { admin: context.adminPassword, analyst: analystPassword })
  const floor = await openFloor(context.databaseUrl)
  context.defer(() => floor.close())
  const signIn = async (username: string, password: string) => {
    const client = await connect({ kind: "socket", path: socketPath },
      { clientInfo: { name: "sockeye-bench" }, credentials: { username, password } })
    context.defer(() => client.close())
    return client
  }
  const roles: ReadonlyArray<{ label: string; role: RoleName; username: string; client: DaemonClient }> = [
    { label: "admin", role: "admin", username: "admin", client: await signIn("admin", context.adminPassword) },
    { label: `analyst (${SEED.analystTags} tags)`, role: "analyst", username: SEED.analyst, client: await signIn(SEED.analyst, analystPassword) }
  ]
  const rows: Array<Array<string>> = []
  const checks: Array<string> = []
  const explain = process.env["SOCKEYE_BENCH_EXPLAIN"] !== undefined
  const check = async (label: string, ok: boolean, text: string) => {
    const same = await sameText(floor.run, daemon.pid!, text)
    checks.push(`${label}: results ${ok ? "agree" : "DIFFER"}; SQL text ${same.same ? "identical" : "DIFFERENT"} (first ${same.compared} bytes, pg_stat_activity)`)
    if (!ok || !same.same) throw new Error(`floor and daemon disagree on ${label}`)
  }
  for (const { label, role, username, client } of roles) {
    const principal: Principal = { user: { id: ids[username]!, username, email: "", role }, client: "bench", system: false }
    const add = (operation: string, result: { daemon: Stats; floor: Stats }, target: boolean) => {
      const { daemon: d, floor: f } = result
      const met = d.p99 < TARGET_P99_MS && d.p99 / f.p99 < TARGET_RATIO
      rows.push([operation, label, String(d.n), ms(d.p50), ms(d.p99), ms(f.p50), ms(f.p99),
        `${(d.p50 / f.p50).toFixed(2)}x`, `${(d.p99 / f.p99).toFixed(2)}x`, target ? (met ? "met" : "MISSED") : "–"])
      context.log(`${label} ${operation}: daemon p50 ${ms(d.p50)} p99 ${ms(d.p99)}, floor p50 ${ms(f.p50)} p99 ${ms(f.p99)} ms`)
    }
    const plan = async (what: string, [text, params]: Compiled) => {
      if (!explain) return
      const lines = await floor.run([`explain (analyze, buffers) ${text}`, params])
      context.log(`EXPLAIN ${label} ${what}:\n${lines.map((l) => l["QUERY PLAN"]).join("\n")}`)
    }

    const first = listSql(floor.sql, principal, undefined)
    const page = await client.call(Alerts.AlertsList, { limit: LIMIT })
    const floorPage = await floor.run(first)
    await check(`${label} list, first page`, floorPage.slice(0, LIMIT).map((r) => r["id"]).join() === page.items.map((a) => a.id).join(), first[0])
    await plan("list, first page", first)
    add("alerts/list, first page", await measure(() => client.call(Alerts.AlertsList, { limit: LIMIT }), () => floor.run(first), N, WARMUP), true)

    let cursor = page.nextCursor
    for (let i = 1; i < DEEP && cursor; i++) cursor = (await client.call(Alerts.AlertsList, { limit: LIMIT, cursor })).nextCursor
    if (!cursor) throw new Error(`${label}: fewer than ${DEEP} pages`)
    const deepCursor = cursor
    const deep = listSql(floor.sql, principal, payload(deepCursor))
    const deepPage = await client.call(Alerts.AlertsList, { limit: LIMIT, cursor: deepCursor })
    await check(`${label} list, page ${DEEP + 1}`, (await floor.run(deep)).slice(0, LIMIT).map((r) => r["id"]).join() === deepPage.items.map((a) => a.id).join(), deep[0])
    await plan(`list, page ${DEEP + 1}`, deep)
    add(`alerts/list, page ${DEEP + 1} (after ${DEEP * LIMIT} rows)`,
      await measure(() => client.call(Alerts.AlertsList, { limit: LIMIT, cursor: deepCursor }), () => floor.run(deep), N, WARMUP), false)

    const count = countSql(floor.sql, principal)
    const counted = await client.call(Alerts.AlertsCount, { groupBy: "status" })
    const floorCount = await floor.run(count)
    await check(`${label} count by status`, floorCount.find((r) => r["is_total"])?.["count"] === counted.total, count[0])
    checks.push(`${label}: ${counted.total.toLocaleString("en-US")} visible alerts (${(counted.groups ?? []).map((g) => `${g.key} ${g.count}`).join(", ")})`)
    await plan("count by status", count)
    add("alerts/count by status", await measure(() => client.call(Alerts.AlertsCount, { groupBy: "status" }), () => floor.run(count), COUNT_N, COUNT_WARMUP), false)

    const sample = (await floor.run(visibleIdsSql(floor.sql, principal, 250))).map((r) => Number(r["id"]))
    const statements = sample.map((id) => getSql(floor.sql, principal, id))
    const floorGet = async (i: number) => { for (const s of statements[i % sample.length]!) await floor.run(s) }
    const got = await client.call(Alerts.AlertsGet, { id: sample[0]! })
    const floorDetail = await floor.run(statements[0]![0]!)
    await check(`${label} get`, got.id === floorDetail[0]?.["id"] && got.assets.length === 1, statements[0]![5]![0])
    await plan("get (detail statement)", statements[0]![0]!)
    // Warm-up touches every sampled id once on each side.
    add("alerts/get (6 statements)", await measure((i) => client.call(Alerts.AlertsGet, { id: sample[i % sample.length]! }), floorGet, N, sample.length), false)
  }
  const size = await sizes(context.databaseUrl)
  return [
    {
      title: `Incident core: ${SEED.alerts.toLocaleString("en-US")} alerts, tag RBAC on (p50/p99 ms over ${N} sequential calls per side; count ${COUNT_N})`,
      header: ["operation", "role", "n", "daemon p50", "daemon p99", "floor p50", "floor p99", "ratio p50", "ratio p99", `target (p99 < ${TARGET_P99_MS} ms, < ${TARGET_RATIO}x)`],
      rows,
      notes: [
        "Daemon: @sockeye/client over the unix socket, one call at a time. Floor: the same SQL text and parameters through pg on one warmed connection.",
        `Daemon and floor alternate every ${CHUNK} calls. Percentiles are nearest-rank. Targets apply to first pages only.`
      ]
    },
    {
      title: "Data set",
      header: ["item", "value"],
      rows: [
        ["seeding", seed.seconds === undefined ? "reused (bench_seed marker found)" : `${seed.seconds.toFixed(0)} s`],
        ...seed.steps.map((s) => ["seed step", s]),
        ["database size", size.database],
        ...size.tables.map((t) => [`table ${t.name}`, `${Number(t.rows).toLocaleString("en-US")} rows, ${t.size} with indexes`]),
        ...checks.map((c) => ["check", c])
      ]
    }
  ]
}

export const alerts: BenchModule = {
  name: "alerts",
  description: `alerts/list, count and get at ${SEED.alerts.toLocaleString("en-US")} alerts with tag RBAC, daemon vs the same SQL through pg`,
  run
}
