/**
 * Issue 9's load test: 50 concurrent clients (SOCKEYE_LOAD_CLIENTS) run a mixed triage workload
 * (list, get, update, comment, tag) for 60 s (SOCKEYE_LOAD_SECONDS) per phase against the 1M-alert data
 * set of seedAlerts.ts, signed in as the analyst holding 50 of 1000 tags with tag RBAC on. Every
 * client is a real @sockeye/client over the daemon's unix socket, all in this process. Prints
 * throughput, p50/p95/p99/max per operation, every error by code, and the deadlocks PostgreSQL
 * detected meanwhile (the daemon retries those: they must not show up as errors).
 */
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import { connect, type DaemonClient } from "@sockeye/client"
import { Alerts } from "@sockeye/protocol"
import { startDaemon, stop } from "./daemonProcess.js"
import type { BenchContext, BenchModule, Table } from "./index.js"
import { ensureSeeded, SEED, setPasswords } from "./seedAlerts.js"

const envInt = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const CLIENTS = envInt("SOCKEYE_LOAD_CLIENTS", 50)
const SECONDS = envInt("SOCKEYE_LOAD_SECONDS", 60)
/**
 * The phases, each SECONDS long: mean pauses of a client between calls (uniform in 0..2×).
 * 500 ms is the triage pace the target is judged at: 50 analysts (or agents) acting twice a
 * second each. 0 is a closed loop (each client calls again the moment it is answered): it
 * measures capacity, and there latency is queueing (Little's law: 50 / throughput).
 * SOCKEYE_LOAD_THINK_MS runs one phase with that pause instead.
 */
const PHASES: ReadonlyArray<number> = process.env["SOCKEYE_LOAD_THINK_MS"] === undefined
  ? [500, 0]
  : [envInt("SOCKEYE_LOAD_THINK_MS", 0)]
/** Alerts the workload touches: the analyst's newest visible ones, so writes meet each other. */
const POOL = 1000
const TARGET_P99_MS = 50

type Op = "list" | "get" | "update" | "comment" | "tag"
/** Out of 100: a triage session reads far more than it writes. */
const WEIGHTS: ReadonlyArray<readonly [Op, number]> = [["list", 25], ["get", 35], ["update", 15], ["comment", 15], ["tag", 10]]

const pick = <A>(items: ReadonlyArray<A>) => items[Math.floor(Math.random() * items.length)]!
const chooseOp = (): Op => {
  let r = Math.random() * 100
  for (const [op, weight] of WEIGHTS) if ((r -= weight) < 0) return op
  return "get"
}

const percentile = (sorted: ReadonlyArray<number>, q: number) => sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!
const ms = (n: number) => Number.isNaN(n) ? "–" : n.toFixed(n < 10 ? 2 : 1)

const pgStats = async (url: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const row = (await client.query<{ deadlocks: string; conflicts: string; xact_rollback: string }>(
      "select deadlocks, conflicts, xact_rollback from pg_stat_database where datname = current_database()")).rows[0]!
    return { deadlocks: Number(row.deadlocks), rollbacks: Number(row.xact_rollback) }
  } finally {
    await client.end()
  }
}

const heldTags = async (url: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<{ tag: string }>(`select t.tag from user_tag_access a join "user" u on u.id = a.user_id
      join incident_management_alerttag t on t.id = a.tag_id where u.username = $1 order by 1`, [SEED.analyst])).rows.map((r) => r.tag)
  } finally {
    await client.end()
  }
}

const loadAvg = () => os.loadavg().map((n) => n.toFixed(1)).join(" ")

const run = async (context: BenchContext): Promise<ReadonlyArray<Table>> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-bench-load-"))
  context.defer(() => fs.rmSync(dir, { recursive: true, force: true }))
  const socketPath = path.join(dir, "s.sock")
  context.log("starting the daemon (it migrates the database)")
  const daemon = await startDaemon(context, socketPath)
  const clients: Array<DaemonClient> = []
  try {
    await ensureSeeded(context.databaseUrl, context.log)
    const password = `Analyst-${randomBytes(6).toString("hex")}!`
    await setPasswords(context.databaseUrl, { admin: context.adminPassword, analyst: password })
    const tags = await heldTags(context.databaseUrl)
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(await connect({ kind: "socket", path: socketPath },
        { clientInfo: { name: `sockeye-load-${i}` }, credentials: { username: SEED.analyst, password }, reconnect: false }))
    }
    const ids: Array<number> = []
    let cursor: string | undefined
    while (ids.length < POOL) {
      const page = await clients[0]!.call(Alerts.AlertsList, { limit: 100, ...(cursor ? { cursor } : {}) })
      ids.push(...page.items.map((a) => a.id))
      if (!page.nextCursor) break
      cursor = page.nextCursor
    }
    context.log(`${CLIENTS} clients signed in as ${SEED.analyst} (${tags.length} tags); ${ids.length} alerts in play; load ${loadAvg()}`)

    const calls: Record<Op, (c: DaemonClient) => Promise<unknown>> = {
      list: (c) => c.call(Alerts.AlertsList, { limit: 50, filter: { status: [pick(["OPEN", "IN_PROGRESS"] as const)] } }),
      get: (c) => c.call(Alerts.AlertsGet, { id: pick(ids) }),
      update: (c) => c.call(Alerts.AlertsUpdate, { ids: [pick(ids)], set: { status: pick(["OPEN", "IN_PROGRESS"] as const) } }),
      comment: (c) => c.call(Alerts.AlertsCommentsAdd, { alertId: pick(ids), comment: `load test comment ${randomBytes(4).toString("hex")}` }),
      tag: (c) => c.call(Alerts.AlertsTagsAdd, { alertIds: [pick(ids)], tag: pick(tags) })
    }
    const phase = async (think: number): Promise<Table> => {
      const times: Record<Op, Array<number>> = { list: [], get: [], update: [], comment: [], tag: [] }
      const errors = new Map<string, number>()
      const before = await pgStats(context.databaseUrl)
      const loadBefore = loadAvg()
      const started = performance.now()
      const deadline = started + SECONDS * 1000
      await Promise.all(clients.map(async (client) => {
        while (performance.now() < deadline) {
          if (think > 0) await new Promise((r) => setTimeout(r, Math.random() * 2 * think))
          const op = chooseOp()
          const t = performance.now()
          try {
            await calls[op](client)
            times[op].push(performance.now() - t)
          } catch (error) {
            const e = error as { _tag?: string; code?: number; message?: string }
            const key = `${op}: ${e._tag ?? "?"} ${e.message ?? String(error)}`.slice(0, 160)
            errors.set(key, (errors.get(key) ?? 0) + 1)
          }
        }
      }))
      const elapsed = (performance.now() - started) / 1000
      const after = await pgStats(context.databaseUrl)
      const rss = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${daemon.pid}/status`, "utf8"))?.[1]

      const row = (label: string, all: ReadonlyArray<number>, errs: number) => {
        const sorted = [...all].sort((a, b) => a - b)
        return [label, all.length.toLocaleString("en-US"), (all.length / elapsed).toFixed(0), ms(percentile(sorted, 0.5)),
          ms(percentile(sorted, 0.95)), ms(percentile(sorted, 0.99)), ms(sorted[sorted.length - 1] ?? NaN), String(errs)]
      }
      const errorsOf = (op: Op) => [...errors].filter(([k]) => k.startsWith(`${op}:`)).reduce((n, [, c]) => n + c, 0)
      const all = Object.values(times).flat()
      const totalErrors = [...errors.values()].reduce((a, b) => a + b, 0)
      const p99 = percentile([...all].sort((a, b) => a - b), 0.99)
      const verdict = think > 0
        ? `Targets at this pace: zero errors (${totalErrors === 0 ? "met" : "MISSED"}), p99 under ${TARGET_P99_MS} ms (${p99 < TARGET_P99_MS ? "met" : "MISSED"}).`
        : `Closed loop: zero errors (${totalErrors === 0 ? "met" : "MISSED"}); latency here is queueing: ${CLIENTS} / throughput = ${(CLIENTS / (all.length / elapsed) * 1000).toFixed(0)} ms mean.`
      context.log(`phase ${think > 0 ? `${think} ms think` : "closed loop"}: ${all.length} calls, p99 ${ms(p99)} ms, ${totalErrors} errors`)
      return {
        title: `load: ${CLIENTS} clients, ${think > 0 ? `${think} ms mean think time` : "closed loop"}, mixed triage for ${SECONDS} s, analyst with ${tags.length} tags, tag RBAC on, ${SEED.alerts.toLocaleString("en-US")} alerts`,
        header: ["operation", "calls", "calls/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"],
        rows: [...WEIGHTS.map(([op]) => row(op, times[op], errorsOf(op))), row("all", all, totalErrors)],
        notes: [
          `Mix (of 100): ${WEIGHTS.map(([op, w]) => `${op} ${w}`).join(", ")}; writes pick among the analyst's ${ids.length} newest visible alerts.`,
          verdict,
          `PostgreSQL meanwhile: ${after.deadlocks - before.deadlocks} deadlocks detected, ${after.rollbacks - before.rollbacks} transactions rolled back (retried inside the daemon).`,
          `Load average before ${loadBefore}, after ${loadAvg()} (2 cores). Daemon peak RSS so far ${rss ? `${Math.round(Number(rss) / 1024)} MiB` : "?"}.`,
          ...[...errors].map(([k, n]) => `error ×${n}: ${k}`)
        ]
      }
    }
    const tables: Array<Table> = []
    for (const think of PHASES) tables.push(await phase(think))
    return tables
  } finally {
    for (const client of clients) await client.close().catch(() => undefined)
    await stop(daemon)
  }
}

export const load: BenchModule = {
  name: "load",
  description: "50 clients, mixed triage workload on 1M alerts with tag RBAC on: 60 s at triage pace, 60 s closed loop",
  run
}
