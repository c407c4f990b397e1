/**
 * Ingestion throughput: 100,000 Wazuh alerts in the local index (sockeye_siem_documents) made
 * alerts by the real daemon, driven by ingest/run over its unix socket, beside the floor: one
 * plain INSERT … SELECT of an alert row per document from the same rows. Runs on a database of
 * its own, so that other modules' data does not change what dedup finds.
 */
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import { connect, type DaemonClient } from "@sockeye/client"
import { Ingest, Jobs } from "@sockeye/protocol"
import { cpuMs, startDaemon, stop } from "./daemonProcess.js"
import type { BenchContext, BenchModule, Table } from "./index.js"

const DOCUMENTS = Number(process.env["SOCKEYE_BENCH_INGEST_DOCS"] ?? 100_000)
const FLOOR_ROUNDS = 3
const TARGET = 5000
const CUSTOMERS = ["BENCH1", "BENCH2", "BENCH3"]

const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

const client = async (url: string) => {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  return c
}

/**
 * Wazuh sshd alerts 100 ms apart in daily indices, about 1 KB each: 500 rule descriptions, 3
 * customers (so 1500 alerts), 350 hosts, 5000 source IPs (the IoCs), MITRE fields and a full_log,
 * as Wazuh's own sshd alerts carry them.
 */
const seedDocuments = (db: pg.Client, n: number) =>
  db.query(`
    insert into sockeye_siem_documents (index_name, doc_id, ts, source)
    select 'wazuh-alerts-4.x-' || to_char(x.t at time zone 'UTC', 'YYYY.MM.DD'), 'bench-' || g, x.t, jsonb_build_object(
      'timestamp', to_char(x.t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+0000"'),
      'rule', jsonb_build_object('level', 3 + g % 10, 'description', 'sshd: authentication failed, rule ' || (g % 500),
        'id', (5700 + g % 500)::text, 'firedtimes', g, 'mail', false,
        'groups', jsonb_build_array('syslog', 'sshd', 'authentication_failed'),
        'mitre', jsonb_build_object('id', jsonb_build_array('T1110.001'), 'tactic', jsonb_build_array('Credential Access'),
          'technique', jsonb_build_array('Password Guessing')),
        'pci_dss', jsonb_build_array('10.2.4', '10.2.5'), 'gdpr', jsonb_build_array('IV_35.7.d', 'IV_32.2')),
      'agent', jsonb_build_object('id', lpad((g % 350)::text, 3, '0'), 'name', 'host-' || (g % 350),
        'ip', '10.0.' || (g % 350 / 256) || '.' || (g % 256), 'labels', jsonb_build_object('customer', ($2::text[])[1 + g % 3])),
      'manager', jsonb_build_object('name', 'wazuh-manager'),
      'id', (1700000000 + g)::text || '.' || (g * 7919 % 1000000),
      'decoder', jsonb_build_object('parent', 'sshd', 'name', 'sshd'),
      'predecoder', jsonb_build_object('program_name', 'sshd', 'hostname', 'host-' || (g % 350),
        'timestamp', to_char(x.t at time zone 'UTC', 'Mon DD HH24:MI:SS')),
      'data', jsonb_build_object('srcip', '45.' || (g % 5000 / 250) || '.' || (g % 250) || '.7',
        'srcuser', 'user' || (g % 50), 'srcport', (1024 + g % 60000)::text),
      'full_log', to_char(x.t at time zone 'UTC', 'Mon DD HH24:MI:SS') || ' host-' || (g % 350) || ' sshd[' || (1000 + g % 30000) ||
        ']: Failed password for invalid user user' || (g % 50) || ' from 45.' || (g % 5000 / 250) || '.' || (g % 250) ||
        '.7 port ' || (1024 + g % 60000) || ' ssh2',
      'location', '/var/log/auth.log')
    from generate_series(1, $1::int) g, lateral (select timestamptz '2026-01-05 00:00:00+00' + g * interval '100 milliseconds' as t) x`,
  [n, CUSTOMERS])

/** The floor: one alert row per document, straight from the index rows, in one statement (rolled back). */
const floorOnce = async (db: pg.Client) => {
  await db.query("begin")
  const t = performance.now()
  const result = await db.query(`
    insert into incident_management_alert (alert_name, alert_description, status, alert_creation_time, customer_code, source, assigned_to, escalated)
    select d.source->'rule'->>'description', d.source->'rule'->>'description', 'OPEN', now(), d.source->'agent'->'labels'->>'customer', 'wazuh', null, false
    from sockeye_siem_documents d where d.index_name like 'wazuh-alerts-%'`)
  const ms = performance.now() - t
  await db.query("rollback")
  return { ms, rows: result.rowCount ?? 0 }
}

/** CPU ms of the database's server processes for `database` (the daemon's pooled backends). */
const backendCpuMs = async (db: pg.Client, database: string) => {
  const { rows } = await db.query<{ pid: number }>("select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [database])
  let total = 0
  for (const { pid } of rows) {
    try {
      total += cpuMs(pid)
    } catch {
      // A backend that ended between the query and the read.
    }
  }
  return total
}

const run = async (context: BenchContext): Promise<ReadonlyArray<Table>> => {
  const name = `sockeye_bench_ingest_${randomBytes(4).toString("hex")}`
  const server = await client(context.databaseUrl)
  await server.query(`create database ${name}`)
  await server.end()
  context.defer(async () => {
    const admin = await client(context.databaseUrl)
    try {
      await admin.query(`drop database if exists ${name} with (force)`)
    } finally {
      await admin.end()
    }
  })
  const url = withDatabase(context.databaseUrl, name)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-bench-ingest-"))
  context.defer(() => fs.rmSync(dir, { recursive: true, force: true }))
  const socketPath = path.join(dir, "s.sock")
  context.log(`ingest: starting the daemon on ${name} (it migrates the database)`)
  const daemon = await startDaemon(context, socketPath, { databaseUrl: url })
  let api: DaemonClient | undefined
  const db = await client(url)
  try {
    api = await connect({ kind: "socket", path: socketPath },
      { clientInfo: { name: "sockeye-bench" }, credentials: { username: "admin", password: context.adminPassword }, reconnect: false })
    // The schedule's collection must not run beside the measured one.
    await api.call(Jobs.JobsUpdate, { id: "invoke_alert_creation_collect", enabled: false })
    for (const code of CUSTOMERS) {
      await db.query("insert into customers (customer_code, customer_name, created_at) values ($1, $2, now())", [code, `Bench ${code}`])
    }
    context.log(`ingest: seeding ${DOCUMENTS} Wazuh documents into the local index`)
    await seedDocuments(db, DOCUMENTS)
    await db.query("analyze sockeye_siem_documents")
    const bytes = Number((await db.query("select avg(pg_column_size(source))::int as b from sockeye_siem_documents")).rows[0].b)

    const floors: Array<number> = []
    for (let i = 0; i < FLOOR_ROUNDS; i++) {
      const f = await floorOnce(db)
      if (f.rows !== DOCUMENTS) throw new Error(`the floor inserted ${f.rows} rows, not ${DOCUMENTS}`)
      floors.push(f.ms)
      context.log(`ingest: floor round ${i + 1}: ${f.ms.toFixed(0)} ms`)
    }
    const floorMs = Math.min(...floors)

    const load0 = os.loadavg()[0]!
    const daemonCpu0 = cpuMs(daemon.pid!)
    const pgCpu0 = await backendCpuMs(db, name)
    const t0 = performance.now()
    const totals = { documents: 0, created: 0, merged: 0, skipped: 0, failed: 0, runs: 0 }
    for (;;) {
      const counts = await api.call(Ingest.IngestRun, { source: "wazuh" })
      totals.runs++
      for (const k of ["documents", "created", "merged", "skipped", "failed"] as const) totals[k] += counts[k]
      context.log(`ingest: run ${totals.runs}: ${counts.documents} documents (${totals.documents} so far, ${(totals.documents / ((performance.now() - t0) / 1000)).toFixed(0)}/s)`)
      if (counts.documents === 0) break
    }
    const wallMs = performance.now() - t0
    const daemonCpu = cpuMs(daemon.pid!) - daemonCpu0
    const pgCpu = (await backendCpuMs(db, name)) - pgCpu0
    const load1 = os.loadavg()[0]!

    // Exactly once, written back: every document in the ledger with its alert, and its alert_id in the index.
    const check = (await db.query(`
      select (select count(*)::int from sockeye_ingested_documents where alert_id is not null) as ledger,
             (select count(*)::int from sockeye_siem_documents where (source->>'alert_id') is not null) as written_back,
             (select count(*)::int from incident_management_alert) as alerts,
             (select count(*)::int from incident_management_asset) as assets,
             (select count(*)::int from incident_management_alert_to_ioc) as ioc_links`)).rows[0]
    if (totals.documents !== DOCUMENTS || totals.failed !== 0 || check.ledger !== DOCUMENTS || check.written_back !== DOCUMENTS) {
      throw new Error(`ingestion is incomplete: ${JSON.stringify({ totals, check })}`)
    }
    const rate = DOCUMENTS / (wallMs / 1000)
    const floorRate = DOCUMENTS / (floorMs / 1000)
    return [{
      title: `Ingestion of ${DOCUMENTS.toLocaleString("en")} Wazuh documents through the local index`,
      header: ["side", "wall s", "documents/s", "daemon CPU s", "PostgreSQL CPU s", "× floor"],
      rows: [
        ["ingest/run (daemon)", (wallMs / 1000).toFixed(1), rate.toFixed(0), (daemonCpu / 1000).toFixed(1), (pgCpu / 1000).toFixed(1), (wallMs / floorMs).toFixed(1)],
        ["floor: INSERT … SELECT", (floorMs / 1000).toFixed(2), floorRate.toFixed(0), "–", "–", "1.0"]
      ],
      notes: [
        `Target: over ${TARGET} documents/s: ${rate >= TARGET ? "met" : "NOT met"}. ${totals.runs} ingest/run calls of up to 10 batches of 1000;`,
        `${totals.created} alerts created, ${totals.merged} documents merged, ${check.assets} assets, ${check.ioc_links} IoC links; every document in the`,
        `ledger and written back (alert_id in its source). Documents average ${bytes} bytes (jsonb). Floor: best of ${FLOOR_ROUNDS}`,
        `(${floors.map((f) => f.toFixed(0)).join(", ")} ms), one alert row per document, no dedup, assets, IoCs, ledger or write-back.`,
        `Load average (1 min) ${load0.toFixed(2)} before, ${load1.toFixed(2)} after, on ${os.availableParallelism()} cores.`
      ]
    }]
  } finally {
    await api?.close().catch(() => undefined)
    await db.end().catch(() => undefined)
    await stop(daemon)
  }
}

export const ingest: BenchModule = {
  name: "ingest",
  description: `ingest/run throughput for ${DOCUMENTS} Wazuh documents in the local index, beside an INSERT … SELECT floor`,
  run
}
