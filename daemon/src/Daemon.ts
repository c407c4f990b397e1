import { Effect, Layer, Logger, LogLevel } from "effect"
import * as os from "node:os"
import { defaultSocketPath } from "@sockeye/protocol"
import * as DaemonConfig from "./DaemonConfig.js"
import * as Database from "./db/Database.js"
import * as Migrations from "./db/Migrations.js"
import { SiemIndexLive } from "./connectors/siem/layer.js"
import { BlobStoreLive } from "./connectors/blobs/layer.js"
import type { BlobStore } from "./connectors/blobs/BlobStore.js"
import { datastoreGcJob } from "./domain/files/DatastoreGcJob.js"
import { FilesRepo } from "./domain/files/FilesRepo.js"
import { Auth } from "./domain/auth/Auth.js"
import { Router } from "./rpc/Router.js"
import { LiveUpdates } from "./rpc/LiveUpdates.js"
import { Demo, DEMO_PASSWORD } from "./domain/demo/Demo.js"
import { listen, type Address } from "./transport/Listener.js"
import { serveStdio } from "./transport/Stdio.js"
import { Ingest } from "./domain/ingest/Ingest.js"
import { ingestJob } from "./domain/ingest/IngestJob.js"
import { registerJobs } from "./domain/jobs/JobRegistry.js"
import { SchedulerLive } from "./domain/jobs/Scheduler.js"

export const socketPathDefault = () => defaultSocketPath(process.env, process.getuid?.() ?? 0, os.tmpdir())

/** Logs go to stderr: stdout may be the JSON-RPC channel. */
export const stderrLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.map(Logger.logfmtLogger, (line) => { process.stderr.write(`${line}\n`) })
)

export const logLevelFromEnv = () => {
  const level = LogLevel.allLevels.find((l) => l.label.toLowerCase() === (process.env["SOCKEYE_LOG_LEVEL"] ?? "info").toLowerCase())
  return Logger.minimumLogLevel(level ?? LogLevel.Info)
}

/** Config and database (embedded or not): enough for `migrate`, which must not build services. */
export const databaseLayer = (overrides: Partial<DaemonConfig.DaemonSettings> = {}) => {
  const config = DaemonConfig.layerConfig(overrides)
  return Database.layer.pipe(Layer.provideMerge(config))
}

/**
 * Config, database, the SIEM (SiemIndex), the blob store (BlobStore) and every service the router needs. The scheduler's
 * loop runs only in a serving daemon: a one-shot command would start due jobs and cut them off.
 */
export const layer = (overrides: Partial<DaemonConfig.DaemonSettings> = {}, options: { readonly scheduler?: boolean } = {}) =>
  Layer.mergeAll(Router.Default, LiveUpdates.Default, Auth.Default, Demo.Default, options.scheduler ? SchedulerLive : Layer.empty).pipe(
    Layer.provide(registerJobs<Ingest | FilesRepo | BlobStore>(ingestJob, datastoreGcJob).pipe(Layer.provide(Layer.merge(Ingest.Default, FilesRepo.Default)))),
    Layer.provideMerge(SiemIndexLive),
    Layer.provideMerge(BlobStoreLive),
    Layer.provideMerge(databaseLayer(overrides))
  )

export interface ServeOptions {
  readonly stdio: boolean
  readonly addresses: ReadonlyArray<Address>
  /** Fill an empty database with demo data before serving. */
  readonly demo?: boolean
  /** Called with each bound address, e.g. to print it. */
  readonly onListening?: (where: string) => void
}

export const fillDemo = Effect.gen(function*() {
  const demo = yield* Demo
  const result = yield* demo.fill({ alerts: 3000, cases: 60, seed: 20261127 })
  if (result.created) {
    process.stderr.write(`sockeyed: demo data: ${result.documents} documents → ${result.alerts} alerts, ${result.cases} cases; demo users alice, bob, dana (analysts), carol, erin (customer users) with password ${DEMO_PASSWORD}\n`)
  }
  return result
})

/** Migrate, create the first admin, then serve until stdio closes or the fiber is interrupted. */
export const serve = (options: ServeOptions) =>
  Effect.gen(function*() {
    yield* Migrations.run
    yield* Effect.flatMap(Auth, (auth) => auth.bootstrap())
    if (options.demo) yield* fillDemo
    for (const address of options.addresses) {
      const where = yield* listen(address)
      yield* Effect.logInfo(`listening on ${where}`)
      options.onListening?.(address.kind === "socket" ? `unix socket ${where}` : `tcp ${where}`)
    }
    if (options.stdio) yield* serveStdio
    else yield* Effect.never
  }).pipe(Effect.scoped)
