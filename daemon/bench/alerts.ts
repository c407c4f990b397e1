/**
 * The incident core at 1M alerts (seedAlerts.ts): alerts/list (first page and a page 200 pages
 * deep), alerts/count by status and alerts/get, for admin and for an analyst holding 50 of 1000
 * tags with tag RBAC on. Each is timed through the real daemon over its unix socket with
 * @sockeye/client, and beside it the same SQL run directly through pg (alertsSql.ts, the floor).
 */
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { connect, type DaemonClient } from "@sockeye/client"
import { Alerts, type RoleName } from "@sockeye/protocol"
import type { CursorPayload } from "../src/domain/Cursors.js"
import type { Principal } from "../src/domain/Principal.js"
import { countSql, getSql, listSql, openFloor, queryIdOptions, sameStatement, visibleIdsSql, type Compiled } from "./alertsSql.js"
import { cpuMs, startDaemon, stop } from "./daemonProcess.js"
import type { BenchContext, BenchModule, Table } from "./index.js"
import { ensureSeeded, SEED, setPasswords, sizes } from "./seedAlerts.js"

const envInt = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
/** Timed calls per operation and side (SOCKEYE_BENCH_N; 0 only checks), after WARMUP untimed ones. */
const N = envInt("SOCKEYE_BENCH_N", 200)
/**
 * A long-running daemon is measured warm. V8 optimizes a hot path over its first thousands of
 * calls: a fresh daemon's first-page p50 fell from 5.2 to 3.2 ms over its first 10 s (3,000
 * calls), and with 20 warm-up calls the first operation measured paid for that.
 */
const WARMUP = 1000
/** alerts/count reads every alert, about 0.4 s (admin) and 1 s (analyst) a call: SOCKEYE_BENCH_COUNT_N shortens it. */
const COUNT_N = envInt("SOCKEYE_BENCH_COUNT_N", 200)
const COUNT_WARMUP = 3
/** The sides (daemon, raw, floor) take turns in chunks of this many calls. */
const CHUNK = envInt("SOCKEYE_BENCH_CHUNK", 10)
const DEEP = 200
const LIMIT = 50
const TARGET_P99_MS = 25
const TARGET_RATIO = 1.5
/** Measures only the operations whose name contains this (SOCKEYE_BENCH_ONLY="first page"); the checks still run. */
const ONLY = process.env["SOCKEYE_BENCH_ONLY"] ?? ""
/** Appends every timed call (operation, role, side, start as epoch ms, ms) to this file as tab-separated lines, for tail analysis. */
const TIMES_FILE = process.env["SOCKEYE_BENCH_TIMES"]

interface Stats { readonly n: number; readonly p50: number; readonly p99: number; readonly cpu: number }

/** Nearest-rank percentiles; cpu is the CPU time of the side's own server process per call. */
const stats = (ms: Array<number>, cpu: number): Stats => {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), cpu: cpu / sorted.length }
}

type Call = (i: number) => Promise<unknown>
interface Side { readonly call: Call; readonly pid: number }

/**
 * Warm-up on every side, then n timed calls each, the sides taking turns every CHUNK calls (in a
 * rotating order), so that load from elsewhere on the machine hits them alike.
 */
const measure = async (sides: ReadonlyArray<readonly [string, Side]>, n: number, warmup: number, tag: string): Promise<Map<string, Stats>> => {
  for (let i = 0; i < warmup; i++) for (const [, side] of sides) await side.call(i)
  const times = new Map<string, Array<number>>(sides.map(([k]) => [k, []]))
  const cpu = new Map<string, number>(sides.map(([k]) => [k, 0]))
  const lines: Array<string> = []
  for (let start = 0, turn = 0; start < n; start += CHUNK, turn++) {
    for (let s = 0; s < sides.length; s++) {
      const [key, side] = sides[(s + turn) % sides.length]!
      const cpu0 = cpuMs(side.pid)
      for (let i = start; i < Math.min(n, start + CHUNK); i++) {
        const t = performance.now()
        await side.call(i)
        const took = performance.now() - t
        times.get(key)!.push(took)
        if (TIMES_FILE) lines.push(`${tag}\t${key}\t${(performance.timeOrigin + t).toFixed(3)}\t${took.toFixed(3)}`)
      }
      cpu.set(key, cpu.get(key)! + cpuMs(side.pid) - cpu0)
    }
  }
  if (TIMES_FILE) fs.appendFileSync(TIMES_FILE, lines.map((l) => `${l}\n`).join(""))
  return new Map(sides.map(([k]) => [k, stats(times.get(k)!, cpu.get(k)!)]))
}

const payload = (cursor: string): CursorPayload =>
  JSON.parse(Buffer.from(cursor.split(".")[0]!, "base64url").toString("utf8")) as CursorPayload

const ms = (n: number) => n.toFixed(n < 10 ? 2 : 1)

interface Sides { readonly daemon: Side; readonly floor: Side; readonly raw?: Side }

const run = async (context: BenchContext): Promise<ReadonlyArray<Table>> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-bench-alerts-"))
  context.defer(() => fs.rmSync(dir, { recursive: true, force: true }))
  const socketPath = path.join(dir, "s.sock")
  context.log("starting the daemon (it migrates the database)")
  const pgOptions = await queryIdOptions(context.databaseUrl)
  const daemon = await startDaemon(context, socketPath, pgOptions ? { env: { PGOPTIONS: pgOptions } } : {})
  // Clients and the floor connection close before the daemon stops (here, or at the bench's cleanup on error).
  const closers: Array<() => Promise<void>> = []
  const closeAll = async () => { for (const close of closers.splice(0)) await close().catch(() => undefined) }
  context.defer(closeAll)
  try {
    return await measureAll(context, socketPath, daemon.pid!, closers)
  } finally {
    await closeAll()
    await stop(daemon)
  }
}

const measureAll = async (context: BenchContext, socketPath: string, daemonPid: number,
  closers: Array<() => Promise<void>>): Promise<ReadonlyArray<Table>> => {
  const seed = await ensureSeeded(context.databaseUrl, context.log)
  const analystPassword = `Analyst-${randomBytes(6).toString("hex")}!`
  const ids = await setPasswords(context.databaseUrl, { admin: context.adminPassword, analyst: analystPassword })
  const floor = await openFloor(context.databaseUrl)
  closers.push(floor.close)
  const signIn = async (username: string, password: string) => {
    const client = await connect({ kind: "socket", path: socketPath },
      { clientInfo: { name: "sockeye-bench" }, credentials: { username, password }, reconnect: false })
    closers.push(() => client.close())
    return client
  }
  const roles: ReadonlyArray<{ label: string; role: RoleName; username: string; client: DaemonClient }> = [
    { label: "admin", role: "admin", username: "admin", client: await signIn("admin", context.adminPassword) },
    { label: `analyst, ${SEED.analystTags} tags`, role: "analyst", username: SEED.analyst, client: await signIn(SEED.analyst, analystPassword) }
  ]
  const rows: Array<Array<string>> = []
  const checks: Array<string> = []
  for (const { label, role, username, client } of roles) {
    const principal: Principal = { user: { id: ids[username]!, username, email: "", role }, client: "bench", system: false }
    /** Right after a daemon call: is the statement it ran last the floor's? */
    const ranLast = (statement: Compiled) => sameStatement(floor.run, daemonPid, statement)
    /** Records the checks (results agree, same statement), then measures the sides and adds a row. */
    const bench = async (operation: string, sides: Sides,
      probe: { agree: boolean; same: { same: boolean; how: string }; plan: Compiled }, n: number, warmup: number, target: boolean) => {
      const same = probe.same
      checks.push(`${label}, ${operation}: results ${probe.agree ? "agree" : "DIFFER"}; statement ${same.same ? "identical" : "DIFFERENT"} (${same.how}, pg_stat_activity)`)
      if (!probe.agree) throw new Error(`floor and daemon disagree on ${label}, ${operation}`)
      // Not fatal: a background statement of the daemon (jobs) may have run after the call.
      if (!same.same) context.log(`WARNING: ${label}, ${operation}: the daemon's last statement is not the floor's`)
      if (process.env["SOCKEYE_BENCH_EXPLAIN"]) {
        const lines = await floor.run([`explain (analyze, buffers) ${probe.plan[0]}`, probe.plan[1]])
        context.log(`EXPLAIN ${label}, ${operation}:\n${lines.map((l) => l["QUERY PLAN"]).join("\n")}`)
      }
      if (n === 0 || !operation.includes(ONLY)) return
      const measured = await measure(Object.entries(sides) as Array<[string, Side]>, n, warmup, `${operation} (${label})`)
      const [d, f, r] = [measured.get("daemon")!, measured.get("floor")!, measured.get("raw")]
      const met = d.p99 < TARGET_P99_MS && d.p99 / f.p99 < TARGET_RATIO
      rows.push([operation, label, String(d.n), ms(d.p50), ms(d.p99), r ? ms(r.p50) : "–", r ? ms(r.p99) : "–", ms(f.p50), ms(f.p99),
        `${(d.p50 / f.p50).toFixed(2)}x`, `${(d.p99 / f.p99).toFixed(2)}x`, target ? (met ? "met" : "MISSED") : "–", ms(d.cpu), ms(f.cpu)])
      context.log(`${label}, ${operation}: daemon ${ms(d.p50)}/${ms(d.p99)}, ${r ? `raw ${ms(r.p50)}/${ms(r.p99)}, ` : ""}floor ${ms(f.p50)}/${ms(f.p99)} ms (p50/p99)`)
    }
    const sidesOf = <P extends object>(method: { method: string }, call: (p: P) => Promise<unknown>, params: (i: number) => P,
      floorCall: Call, raw = true): Sides => ({
      daemon: { call: (i) => call(params(i)), pid: daemonPid },
      floor: { call: floorCall, pid: floor.backendPid },
      ...(raw ? { raw: { call: (i: number) => client.raw(method.method, params(i)), pid: daemonPid } } : {})
    })
    const listIds = (items: ReadonlyArray<{ id: number }>) => items.map((a) => a.id).join()
    /** The floor's page is the daemon's statement: one row holding the items' JSON. */
    const floorIds = (rows: ReadonlyArray<Record<string, unknown>>) => listIds(JSON.parse(String(rows[0]?.["items"])))
    const list = (p: { limit: number; cursor?: string }) => client.call(Alerts.AlertsList, p)

    const first = listSql(floor.sql, principal, undefined)
    const page = await list({ limit: LIMIT })
    const firstSame = await ranLast(first)
    await bench("alerts/list, first page", sidesOf(Alerts.AlertsList, list, () => ({ limit: LIMIT }), () => floor.run(first)),
      { agree: floorIds(await floor.run(first)) === listIds(page.items), same: firstSame, plan: first },
      N, WARMUP, true)

    let cursor = page.nextCursor
    for (let i = 1; i < DEEP && cursor; i++) cursor = (await list({ limit: LIMIT, cursor })).nextCursor
    if (!cursor) throw new Error(`${label}: fewer than ${DEEP} pages`)
    const at = cursor
    const deep = listSql(floor.sql, principal, payload(at))
    const deepPage = await list({ limit: LIMIT, cursor: at })
    const deepSame = await ranLast(deep)
    await bench(`alerts/list, page ${DEEP + 1}`, sidesOf(Alerts.AlertsList, list, () => ({ limit: LIMIT, cursor: at }), () => floor.run(deep)),
      { agree: floorIds(await floor.run(deep)) === listIds(deepPage.items), same: deepSame, plan: deep },
      N, WARMUP, false)

    const count = countSql(floor.sql, principal)
    const counted = await client.call(Alerts.AlertsCount, { groupBy: "status" })
    const countSame = await ranLast(count)
    const floorTotal = (await floor.run(count)).find((r) => r["is_total"])?.["count"]
    checks.push(`${label}: ${counted.total.toLocaleString("en-US")} visible alerts (${(counted.groups ?? []).map((g) => `${g.key} ${g.count}`).join(", ")})`)
    await bench("alerts/count by status", sidesOf(Alerts.AlertsCount, (p: { groupBy: "status" }) => client.call(Alerts.AlertsCount, p),
      () => ({ groupBy: "status" as const }), () => floor.run(count), false), { agree: floorTotal === counted.total, same: countSame, plan: count },
      COUNT_N, COUNT_WARMUP, false)

    const sample = (await floor.run(visibleIdsSql(floor.sql, principal, 250))).map((r) => Number(r["id"]))
    const statements = sample.map((id) => getSql(floor.sql, principal, id))
    const got = await client.call(Alerts.AlertsGet, { id: sample[0]! })
    const getSame = await ranLast(statements[0]!)
    const detail = (await floor.run(statements[0]!))[0]
    // The warm-up touches every sampled id once on each side.
    await bench("alerts/get", sidesOf(Alerts.AlertsGet, (p: { id: number }) => client.call(Alerts.AlertsGet, p),
      (i) => ({ id: sample[i % sample.length]! }), (i) => floor.run(statements[i % sample.length]!)),
      { agree: got.id === detail?.["id"] && got.assets.length === 1 && listIds(got.assets) === listIds((detail?.["assets"] ?? []) as Array<{ id: number }>),
        same: getSame, plan: statements[0]! },
      N, sample.length, false)
  }
  const size = await sizes(context.databaseUrl)
  return [
    {
      title: `Incident core: ${SEED.alerts.toLocaleString("en-US")} alerts, tag RBAC on (ms; ${N} sequential calls per side, count ${COUNT_N})`,
      header: ["operation", "role", "n", "daemon p50", "daemon p99", "raw p50", "raw p99", "floor p50", "floor p99",
        "ratio p50", "ratio p99", `target: p99 < ${TARGET_P99_MS} ms, < ${TARGET_RATIO}x`, "daemon CPU/call", "floor DB CPU/call"],
      rows,
      notes: [
        "daemon: @sockeye/client `call` over the unix socket, one at a time. raw: the same request through `client.raw` (no Schema work in the client).",
        "floor: the same SQL text and parameters through pg on one warmed connection.",
        `The sides take turns every ${CHUNK} calls. Percentiles are nearest-rank. Ratios are daemon/floor. Targets apply to first pages only.`,
        "CPU/call (ms): user+system time of the daemon process over its calls, and of the floor's PostgreSQL backend over the floor's calls (10 ms ticks)."
      ]
    },
    {
      title: "Data set",
      header: ["item", "value"],
      rows: [
        ["seeding", seed.seconds === undefined ? "reused (bench_seed marker found)" : `${seed.seconds.toFixed(0)} s`],
        ...seed.steps.map((s) => ["seed step", s]),
        ["database size", size.database],
        ...size.tables.map((t) => [`table ${t.name}`, `≈${Number(t.rows).toLocaleString("en-US")} rows, ${t.size} with indexes`]),
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
