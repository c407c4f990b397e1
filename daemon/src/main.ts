import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Option } from "effect"
import { parseArgs } from "node:util"
import * as Daemon from "./Daemon.js"
import * as Migrations from "./db/Migrations.js"
import { Auth } from "./domain/auth/Auth.js"
import type { Address } from "./transport/Listener.js"
import { serveMcp } from "./transport/Mcp.js"
import { VERSION } from "./lib/packageInfo.js"
import { tuneGc } from "./lib/gcTuning.js"

tuneGc()

const HELP = `sockeyed ${VERSION} — the Sockeye daemon

Usage:
  sockeyed [serve] [--stdio] [--socket [PATH]] [--listen HOST:PORT] [--trust-local USER]
  sockeyed --mcp [--trust-local USER]
  sockeyed migrate [status|up]
  sockeyed demo
  sockeyed import --from mysql://USER:PASS@HOST:PORT/copilot [--merge] [--keep-orphans]
                  [--runtime-tables] [--batch-size N] [--json]
  sockeyed --help | --version

Serve (default): migrate the database, then answer JSON-RPC 2.0 (Content-Length framing).
  --stdio              one connection on stdin/stdout (a client spawned this daemon)
  --socket [PATH]      unix socket, mode 0600 in a 0700 directory
                       (default ${Daemon.socketPathDefault()})
  --listen HOST:PORT   TCP; every connection must authenticate
  --mcp                MCP (Model Context Protocol) on stdin/stdout, newline-delimited: every
                       method but the lifecycle ones is a tool (alerts/list -> alerts_list).
                       Acts as SOCKEYE_TOKEN's user, else as the --trust-local user.
  --trust-local USER   stdio and socket connections without credentials act as USER
                       (default with the embedded database: admin)
  --home DIR           data directory (SOCKEYE_HOME)
  --demo               fill an empty database with demo data first
  With no transport flag, the daemon listens on the default socket.

Migrate: 'status' lists applied and pending migrations; 'up' (default) applies pending ones.
Import: migrate, then copy a CoPilot MySQL database (Alembic head fb51d610b306) into this one,
  preserving ids, in foreign-key order; progress on stderr, then a per-table verification report
  (source rows, imported, merged, skipped, checksums). Exit 0 when every row is accounted for
  and every checksum matches, 1 otherwise.
  --merge              import into a non-empty database: finishes an interrupted import, no row twice
  --keep-orphans       keep rows whose reference points at nothing, the reference set to NULL
                       (default: skip them); both are recorded in sockeye_import_exceptions
  --runtime-tables     also copy CoPilot's runtime-only tables (sublimealerts...) into sockeye_*
  --batch-size N       rows per transaction (default 5000)
  --json               print the report as JSON on stdout
Demo: migrate, then fill an empty database with a realistic SOC (a database with alerts is left alone).

Environment:
  SOCKEYE_DATABASE_URL       PostgreSQL URL; unset runs an embedded PostgreSQL in SOCKEYE_HOME
  SOCKEYE_HOME               data directory (default ~/.local/share/sockeye; /var/lib/sockeye as root)
  SOCKEYE_ADMIN_PASSWORD     password of the first admin; unset generates one, printed once
  SOCKEYE_TRUST_LOCAL        same as --trust-local
  SOCKEYE_TOKEN              API token the --mcp session authenticates with
  SOCKEYE_ON_BEHALF_OF       the --mcp session's onBehalfOf: audited with every mutation it makes
  SOCKEYE_MAX_MESSAGE_BYTES  largest JSON-RPC message (default 16777216)
  SOCKEYE_DB_POOL            PostgreSQL pool size (default 16)
  SOCKEYE_SHUTDOWN_GRACE_MS  how long shutdown waits for in-flight requests (default 10000)
  SOCKEYE_MIGRATIONS_DIR     migrations folder (default: the package's migrations/)
  SOCKEYE_LOG_LEVEL          trace, debug, info (default), warning, error
  SOCKEYE_SIEM               opensearch, local or none (default: opensearch when a URL is set, else local)
  SOCKEYE_OPENSEARCH_URL     the Wazuh indexer, e.g. https://indexer:9200
  SOCKEYE_OPENSEARCH_USERNAME / SOCKEYE_OPENSEARCH_PASSWORD   basic auth
  SOCKEYE_OPENSEARCH_CA_FILE  CA bundle for TLS; SOCKEYE_OPENSEARCH_TLS_VERIFY=false turns verification off
  SOCKEYE_OPENSEARCH_TIMEOUT_MS  per-request timeout (default 10000)
  SOCKEYE_DEV                development mode: migrations/new may write migration files
  SOCKEYE_WAZUH_FIELD_LIMIT  field-limit target of resize_wazuh_index_fields (default 10000)
`

const fail = (message: string): never => {
  process.stderr.write(`sockeyed: ${message}\nRun 'sockeyed --help' for usage.\n`)
  process.exit(2)
}

const parseAddress = (value: string): Address => {
  const match = /^(.*):(\d{1,5})$/.exec(value)
  if (!match || Number(match[2]) > 65535) return fail(`--listen takes HOST:PORT, got ${JSON.stringify(value)}`)
  return { kind: "tcp", host: match[1]!.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1", port: Number(match[2]) }
}

const main = () => {
  const argv = process.argv.slice(2)
  // `--socket` takes an optional value: give it the default when the next word is a flag or absent.
  const socketAt = argv.indexOf("--socket")
  if (socketAt >= 0 && (argv[socketAt + 1] === undefined || argv[socketAt + 1]!.startsWith("-"))) {
    argv.splice(socketAt + 1, 0, Daemon.socketPathDefault())
  }
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
        stdio: { type: "boolean" },
        socket: { type: "string" },
        listen: { type: "string", multiple: true },
        "trust-local": { type: "string" },
        home: { type: "string" },
        demo: { type: "boolean" },
        mcp: { type: "boolean" },
        from: { type: "string" },
        merge: { type: "boolean" },
        "keep-orphans": { type: "boolean" },
        "runtime-tables": { type: "boolean" },
        "batch-size": { type: "string" },
        json: { type: "boolean" }
      }
    })
  } catch (error) {
    return fail((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) return void process.stdout.write(HELP)
  if (values.version) return void process.stdout.write(`${VERSION}\n`)
  const [command = "serve", ...rest] = positionals

  const embedded = !process.env["SOCKEYE_DATABASE_URL"]
  const trustLocal = values["trust-local"] ?? process.env["SOCKEYE_TRUST_LOCAL"] ?? (embedded ? "admin" : undefined)
  const overrides = {
    ...(trustLocal ? { trustLocal: Option.some(trustLocal) } : {}),
    ...(values.home ? { home: values.home } : {})
  }
  const logging = Layer.merge(Daemon.stderrLogger, Daemon.logLevelFromEnv())
  const run = <R>(program: Effect.Effect<void, unknown, R>, layer: Layer.Layer<R, unknown>) =>
    NodeRuntime.runMain(program.pipe(
      Effect.provide(layer.pipe(Layer.provide(logging))),
      // Inside the stderr logger: with --stdio, stdout is the JSON-RPC channel.
      Effect.tapErrorCause((cause) => Effect.logError("sockeyed stopped", cause)),
      Effect.provide(Daemon.stderrLogger)
    ), { disableErrorReporting: true, disablePrettyLogger: true })

  if (command === "serve" && values.mcp) {
    if (values.stdio || values.socket !== undefined || values.listen) return fail("--mcp serves stdin/stdout only: drop --stdio, --socket and --listen")
    return run(Effect.gen(function*() {
      yield* Migrations.run
      yield* Effect.flatMap(Auth, (auth) => auth.bootstrap())
      if (values.demo) yield* Daemon.fillDemo
      yield* serveMcp({ token: process.env["SOCKEYE_TOKEN"] || undefined, onBehalfOf: process.env["SOCKEYE_ON_BEHALF_OF"] || undefined })
    }), Daemon.layer(overrides))
  }
  if (command === "serve") {
    const addresses: Array<Address> = (values.listen ?? []).map(parseAddress)
    if (values.socket !== undefined) addresses.unshift({ kind: "socket", path: values.socket })
    if (addresses.length === 0 && !values.stdio) addresses.push({ kind: "socket", path: Daemon.socketPathDefault() })
    return run(Daemon.serve({
      stdio: values.stdio ?? false,
      demo: values.demo ?? false,
      addresses,
      onListening: (where) => process.stderr.write(`sockeyed ${VERSION}: listening on ${where}\n`)
    }), Daemon.layer(overrides, { scheduler: true }))
  }
  if (command === "migrate") {
    // Only the database: services may read tables that migrations have yet to create.
    const action = rest[0] ?? "up"
    if (action === "status") {
      return run(Effect.map(Migrations.status, (s) => {
        for (const m of s.applied) process.stdout.write(`applied  ${String(m.id).padStart(4, "0")}_${m.name}  ${m.appliedAt.toISOString()}\n`)
        for (const m of s.pending) process.stdout.write(`pending  ${String(m.id).padStart(4, "0")}_${m.name}\n`)
      }), Daemon.databaseLayer(overrides))
    }
    if (action === "up") {
      return run(Effect.map(Migrations.run, (applied) => {
        process.stdout.write(applied.length === 0 ? "up to date\n" : applied.map((m) => `applied ${m.id}_${m.name}\n`).join(""))
      }), Daemon.databaseLayer(overrides))
    }
    return fail(`unknown migrate action ${JSON.stringify(action)}: use status or up`)
  }
  if (command === "demo") {
    return run(Effect.gen(function*() {
      yield* Migrations.run
      yield* Effect.flatMap(Auth, (auth) => auth.bootstrap())
      const result = yield* Daemon.fillDemo
      if (!result.created) process.stdout.write("the database already holds alerts: demo data not added\n")
    }), Daemon.layer(overrides))
  }
  if (command === "import") {
    if (!values.from) return fail("import needs --from mysql://USER:PASS@HOST:PORT/DATABASE")
    const batchSize = Number(values["batch-size"] ?? 5000)
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) return fail(`--batch-size takes 1..100000, got ${values["batch-size"]}`)
    let lastPrint = 0
    let lastTable = ""
    // A table's first batch, its last, and at most two lines a second between.
    const onProgress = (table: string, done: number, total: number) => {
      const now = Date.now()
      if (table === lastTable && done < total && now - lastPrint < 500) return
      lastPrint = now
      lastTable = table
      process.stderr.write(`import ${table} ${done}/${total}${total ? ` (${Math.floor((done * 100) / total)}%)` : ""}\n`)
    }
    return run(Effect.gen(function*() {
      yield* Migrations.run
      // Loaded here, not at the top: serving never needs the MySQL driver, and it is slow to load.
      const Importer = yield* Effect.promise(() => import("./domain/import/Importer.js"))
      const { renderReport } = yield* Effect.promise(() => import("./domain/import/Report.js"))
      const report = yield* Importer.runImport({
        from: values.from!,
        merge: values.merge ?? false,
        keepOrphans: values["keep-orphans"] ?? false,
        runtimeTables: values["runtime-tables"] ?? false,
        batchSize,
        onProgress
      }).pipe(Effect.provide(Importer.layer(values.from!)))
      process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report))
      if (!report.ok) process.exitCode = 1
    }).pipe(Effect.catchTag("ImportRefused", (refused) => Effect.sync(() => {
      process.stderr.write(`sockeyed import: ${refused.message}\n`)
      process.exitCode = 1
    }))), Daemon.databaseLayer(overrides))
  }
  return fail(`unknown command ${JSON.stringify(command)}`)
}

main()
