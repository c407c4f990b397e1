import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as path from "node:path"
import { Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import { fileURLToPath } from "node:url"
import * as mysql from "mysql2"
import pg from "pg"
import { from as copyFrom } from "pg-copy-streams"
import { createCopilotDatabase } from "./copilotMysql.js"
import type { BenchModule, BenchContext } from "./index.js"

const DAEMON_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/sockeyed.js")

/** The tables the benchmark fills, parents first: what the floor copies too. */
const TABLES = [
  "customers", "incident_management_alerttag", "incident_management_alert", "incident_management_alertcontext",
  "incident_management_asset", "incident_management_alert_to_tag", "incident_management_comment",
  "incident_management_case", "incident_management_casealertlink"
] as const

/** N alerts with a context, an asset, a tag link and a comment each, and a case per 100 alerts linking a tenth of them. */
const seed = async (connection: import("mysql2/promise").Connection, n: number) => {
  const seq = `seq_1_to_${n}`
  await connection.query(`INSERT INTO customers (id, customer_code, customer_name, customer_type, created_at)
    VALUES (1, 'acme', 'Acme', 'Managed', '2024-01-01'), (2, 'globex', 'Globex', 'Managed', '2024-01-01'), (3, 'initech', 'Initech', 'Managed', '2024-01-01')`)
  await connection.query(`INSERT INTO incident_management_alerttag (id, tag) SELECT seq, ELT(1 + seq % 6, 'network', 'malware', 'phishing', 'lateral', 'exfil', 'recon') FROM seq_1_to_10`)
  await connection.query(`INSERT INTO incident_management_alert (id, alert_name, alert_description, status, alert_creation_time, customer_code, time_closed, source, assigned_to, escalated)
    SELECT seq, CONCAT('Suspicious logon on host-', seq % 500), CONCAT('Rule 5710 fired for alert ', seq, '\\nsecond line'),
      ELT(1 + seq % 3, 'OPEN', 'IN_PROGRESS', 'CLOSED'), '2024-01-01' + INTERVAL seq * 7 SECOND, ELT(1 + seq % 3, 'acme', 'globex', 'initech'),
      IF(seq % 3 = 2, '2024-06-01' + INTERVAL seq SECOND, NULL), 'wazuh', IF(seq % 2, 'alice', NULL), seq % 10 = 0 FROM ${seq}`)
  await connection.query(`INSERT INTO incident_management_alertcontext (id, source, context)
    SELECT seq, 'wazuh', JSON_OBJECT('rule', JSON_OBJECT('id', 5710, 'level', seq % 15), 'agent', JSON_OBJECT('name', CONCAT('host-', seq % 500)), 'srcip', CONCAT('10.0.', seq % 250, '.', seq % 200)) FROM ${seq}`)
  await connection.query(`INSERT INTO incident_management_asset (id, alert_linked, asset_name, alert_context_id, agent_id, velociraptor_id, customer_code, index_name, index_id)
    SELECT seq, seq, CONCAT('host-', seq % 500), seq, LPAD(seq % 500, 3, '0'), NULL, ELT(1 + seq % 3, 'acme', 'globex', 'initech'), 'wazuh-alerts-4.x-2024.01.01', CONCAT('doc-', seq) FROM ${seq}`)
  await connection.query(`INSERT INTO incident_management_alert_to_tag (alert_id, tag_id) SELECT seq, 1 + seq % 10 FROM ${seq}`)
  await connection.query(`INSERT INTO incident_management_comment (id, alert_id, comment, user_name, created_at)
    SELECT seq, seq, CONCAT('Looked at alert ', seq, ': benign'), 'alice', '2024-01-02' + INTERVAL seq * 7 SECOND FROM ${seq}`)
  const cases = Math.max(1, Math.floor(n / 100))
  await connection.query(`INSERT INTO incident_management_case (id, case_name, case_description, case_creation_time, case_status, assigned_to, customer_code, notification_invoked_number, escalated, case_closed_time)
    SELECT seq, CONCAT('Case ', seq), 'investigate', '2024-01-01' + INTERVAL seq MINUTE, 'OPEN', NULL, IF(seq % 4 = 0, NULL, 'acme'), 0, 0, NULL FROM seq_1_to_${cases}`)
  await connection.query(`INSERT INTO incident_management_casealertlink (case_id, alert_id) SELECT 1 + (seq DIV 10) % ${cases}, seq FROM ${seq} WHERE seq % 10 = 0`)
  const [rows] = await connection.query(TABLES.map((t) => `SELECT COUNT(*) AS n FROM \`${t}\``).join(" UNION ALL "))
  return (rows as Array<{ n: number }>).reduce((sum, r) => sum + Number(r.n), 0)
}

const createDatabase = async (context: BenchContext, label: string) => {
  const name = `sockeye_bench_${label}_${randomBytes(4).toString("hex")}`
  const admin = new pg.Client({ connectionString: context.databaseUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(context.databaseUrl)
  url.pathname = `/${name}`
  context.defer(async () => {
    const client = new pg.Client({ connectionString: context.databaseUrl })
    await client.connect()
    await client.query(`drop database if exists ${name} with (force)`)
    await client.end()
  })
  return url.toString()
}

const sockeyed = (databaseUrl: string, args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [DAEMON_BIN, ...args], {
      env: { ...process.env, SOCKEYE_DATABASE_URL: databaseUrl, SOCKEYE_LOG_LEVEL: "warning" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => { stdout += d })
    child.stderr.on("data", (d) => { stderr += d; process.stderr.write(d) })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

const copyText = (value: unknown): string => {
  if (value === null || value === undefined) return "\\N"
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString("hex")}`
  const text = typeof value === "object" ? JSON.stringify(value) : String(value)
  return text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
}

/**
 * The floor: each table streamed out of MySQL and into PostgreSQL's COPY, no conversion but
 * COPY's text escaping, no checks, no verification. PostgreSQL's session zone is UTC, so naive
 * datetimes land as UTC, as in the import.
 */
const floorCopy = async (mysqlUrl: string, pgUrl: string) => {
  const source = mysql.createConnection({ uri: mysqlUrl, dateStrings: true })
  const target = new pg.Client({ connectionString: pgUrl })
  await target.connect()
  await target.query("set time zone 'UTC'")
  // A plain copy cannot merge CoPilot's duplicate tag names: let them in, as MySQL did.
  await target.query("alter table incident_management_alerttag drop constraint ix_incident_management_alerttag_tag")
  try {
    for (const table of TABLES) {
      const columns = (await target.query<{ name: string }>(
        `select column_name as name from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`, [table])).rows.map((r) => r.name)
      const rows = source.query(`SELECT ${columns.map((c) => `\`${c}\``).join(", ")} FROM \`${table}\``).stream()
      const toCopy = new Transform({
        writableObjectMode: true,
        transform(row: Record<string, unknown>, _encoding, done) { done(null, `${columns.map((c) => copyText(row[c])).join("\t")}\n`) }
      })
      await pipeline(rows, toCopy, target.query(copyFrom(`copy "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) from stdin`)))
    }
  } finally {
    await target.end()
    source.end()
  }
}

const rate = (rows: number, seconds: number) => Math.round(rows / seconds).toLocaleString("en-US")

export const importCopilot: BenchModule = {
  name: "import",
  description: "sockeyed import of a CoPilot MySQL database (SOCKEYE_BENCH_IMPORT_ALERTS alerts, default 1,000,000) against a plain MySQL -> COPY floor",
  run: async (context) => {
    const alerts = Number(process.env["SOCKEYE_BENCH_IMPORT_ALERTS"] ?? 1_000_000)
    const source = await createCopilotDatabase({ label: "bench" })
    context.defer(() => source.drop())
    context.log(`import: seeding MariaDB with ${alerts} alerts`)
    const rows = await seed(source.connection, alerts)
    context.log(`import: ${rows} rows in the source`)

    const importUrl = await createDatabase(context, "import")
    const migrated = await sockeyed(importUrl, ["migrate", "up"])
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`)
    const started = performance.now()
    const run = await sockeyed(importUrl, ["import", "--from", source.url, "--json"])
    const wall = (performance.now() - started) / 1000
    if (run.code !== 0) throw new Error(`import failed (${run.code}): ${run.stderr.slice(-2000)}`)
    const report = JSON.parse(run.stdout) as { copySeconds: number; verifySeconds: number; ok: boolean }

    const floorUrl = await createDatabase(context, "floor")
    const floorMigrated = await sockeyed(floorUrl, ["migrate", "up"])
    if (floorMigrated.code !== 0) throw new Error(`migrate failed: ${floorMigrated.stderr}`)
    context.log("import: floor (MySQL stream -> COPY)")
    const floorStarted = performance.now()
    await floorCopy(source.url, floorUrl)
    const floor = (performance.now() - floorStarted) / 1000

    return [{
      title: `CoPilot MySQL -> Sockeye PostgreSQL, ${alerts.toLocaleString("en-US")} alerts (${rows.toLocaleString("en-US")} rows in ${TABLES.length} tables)`,
      header: ["pipeline", "seconds", "rows/s", "vs floor"],
      rows: [
        ["sockeyed import: copy (convert, tag merge, orphan checks, batches of 5000)", report.copySeconds.toFixed(1), rate(rows, report.copySeconds), `${(floor / report.copySeconds).toFixed(2)}×`],
        ["sockeyed import: verification (source re-read, target read, checksums)", report.verifySeconds.toFixed(1), rate(rows, report.verifySeconds), "–"],
        ["sockeyed import: whole command (process start, migrate check, copy, verify)", wall.toFixed(1), rate(rows, wall), `${(floor / wall).toFixed(2)}×`],
        ["floor: MySQL stream -> PostgreSQL COPY, same tables, no checks", floor.toFixed(1), rate(rows, floor), "1.00×"]
      ],
      notes: [
        `Verified: ${report.ok}. "vs floor" is the import's rows/s divided by the floor's (1.00× would match a plain copy).`,
        "Both write into freshly migrated databases with Sockeye's indexes and foreign keys in place; the floor's drops the unique",
        "index on tag names first, since a plain copy cannot merge CoPilot's duplicate tags (10 tag rows, 6 names, here)."
      ]
    }]
  }
}
