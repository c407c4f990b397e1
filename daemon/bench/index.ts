/**
 * `npm run bench [-- FILTER]`: runs each benchmark module whose name contains FILTER (all by
 * default) in sequence against one database, prints each result as a table, and exits 0.
 * Add a benchmark by writing a module in daemon/bench/ and listing it in `modules` below.
 */
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import { alerts } from "./alerts.js"
import { ingest } from "./ingest.js"
import { importCopilot } from "./importCopilot.js"
import { blobs } from "./blobs.js"
import { openDatabase } from "./database.js"
import { load } from "./load.js"
import { rpc } from "./rpc.js"

export interface BenchContext {
  /** A migrated-or-empty database the daemon may use (it migrates at start). */
  readonly databaseUrl: string
  /** SOCKEYE_ADMIN_PASSWORD for daemons started on it: user `admin` signs in with it. */
  readonly adminPassword: string
  /** Registers a cleanup; every one runs (last first) when the bench ends, even on error or a signal. */
  readonly defer: (cleanup: () => Promise<void> | void) => void
  /** A progress line on stderr. */
  readonly log: (line: string) => void
}

export interface Table {
  readonly title: string
  readonly header: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly notes?: ReadonlyArray<string>
}

export interface BenchModule {
  readonly name: string
  readonly description: string
  readonly run: (context: BenchContext) => Promise<ReadonlyArray<Table>>
}

const modules: ReadonlyArray<BenchModule> = [rpc, alerts, ingest, importCopilot, load, blobs]

const cleanups: Array<() => Promise<void> | void> = []
let cleaning: Promise<void> | undefined
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await step()
      } catch (error) {
        process.stderr.write(`bench: cleanup failed: ${(error as Error).message}\n`)
      }
    }
  })())

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping\n`)
    void cleanup().finally(() => process.exit(code))
  })
}

/** A markdown table, columns padded; numbers right-aligned. */
export const formatTable = (table: Table): string => {
  const all = [table.header, ...table.rows]
  const widths = table.header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)))
  const numeric = (i: number) => table.rows.every((row) => /^[-\d.,x×%–]*$/.test(row[i] ?? ""))
  const line = (row: ReadonlyArray<string>) =>
    `| ${widths.map((w, i) => numeric(i) ? (row[i] ?? "").padStart(w) : (row[i] ?? "").padEnd(w)).join(" | ")} |`
  const rule = `|${widths.map((w, i) => numeric(i) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2)).join("|")}|`
  return [`### ${table.title}`, "", line(table.header), rule, ...table.rows.map(line), "",
    ...(table.notes ?? []).map((n) => `${n}`), ...(table.notes?.length ? [""] : [])].join("\n")
}

const cpuModel = () =>
  /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? os.cpus()[0]?.model ?? "?"

const main = async () => {
  const filter = process.argv[2]
  const chosen = modules.filter((m) => filter === undefined || m.name.includes(filter))
  if (chosen.length === 0) {
    process.stderr.write(`bench: no benchmark matches ${JSON.stringify(filter)}; have: ${modules.map((m) => m.name).join(", ")}\n`)
    return 2
  }
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`)
  log("opening the database")
  const database = await openDatabase()
  cleanups.push(() => database.close())
  const context: BenchContext = {
    databaseUrl: database.url,
    adminPassword: `Bench-${randomBytes(6).toString("hex")}!`,
    defer: (step) => { cleanups.push(step) },
    log
  }
  const out: Array<string> = [
    "## Machine", "",
    `- CPU: ${cpuModel()} (nproc ${os.availableParallelism()})`,
    `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node ${process.version}, PostgreSQL ${database.serverVersion} (${database.source})`,
    `- date: ${new Date().toISOString()}; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`, ""
  ]
  process.stdout.write(`${out.join("\n")}\n`)
  for (const module of chosen) {
    log(`${module.name}: ${module.description}`)
    const tables = await module.run(context)
    process.stdout.write(`## ${module.name}\n\n${tables.map(formatTable).join("\n")}\n`)
  }
  return 0
}

main().then(
  async (code) => {
    await cleanup()
    process.exit(code)
  },
  async (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    await cleanup()
    process.exit(1)
  }
)
