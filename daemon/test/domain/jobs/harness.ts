import { Clock, Context, Effect, Exit, Layer, Option, Redacted, Ref, Scope, TestClock } from "effect"
import { afterAll, beforeAll, beforeEach } from "vitest"
import * as DaemonConfig from "../../../src/DaemonConfig.js"
import * as Database from "../../../src/db/Database.js"
import * as Migrations from "../../../src/db/Migrations.js"
import { SiemIndex, type SiemIndexService } from "../../../src/connectors/siem/SiemIndex.js"
import type { JobDefinition } from "../../../src/domain/jobs/Job.js"
import { JobRegistry } from "../../../src/domain/jobs/JobRegistry.js"
import { Jobs } from "../../../src/domain/jobs/Jobs.js"
import { SchedulerLoop, TICK_EVERY } from "../../../src/domain/jobs/Scheduler.js"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"

/**
 * Monday 5 January 2026, 08:00:00.250 UTC: the TestClock's start, so that stored times look real
 * (and carry a fraction of a second, as real ones do).
 */
export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0, 250)
export const at = (seconds: number) => new Date(T0 + seconds * 1000)

/** One database for the file, migrated; the scheduler's tables are emptied before each test. */
export const useJobsDatabase = (label: string) => {
  const state: { db?: Awaited<ReturnType<typeof createTestDatabase>> } = {}
  beforeAll(async () => {
    state.db = await createTestDatabase(label)
    await Effect.runPromise(Migrations.run.pipe(Effect.provide(databaseLayer(state.db.url))))
  })
  afterAll(async () => {
    await state.db?.drop()
  })
  beforeEach(async () => {
    await query(state.db!.url, `truncate sockeye_job_runs, scheduled_job_metadata, schedulerjob, license_cache,
      index_snapshot_schedules, log_entries restart identity`)
  })
  return { get url() { return state.db!.url } }
}

export const databaseLayer = (url: string) =>
  Database.layer.pipe(Layer.provideMerge(DaemonConfig.layer({ databaseUrl: Option.some(Redacted.make(url)), dbPoolSize: 6 })))

/** One daemon's scheduler, in process: its own pool, its Jobs service and its ticking loop. */
export interface Daemon {
  readonly jobs: Jobs
  /** Ticks this daemon has completed; the loop ticks once as it starts. */
  ticks: number
  readonly stop: Effect.Effect<void>
}

/**
 * Starts a daemon's scheduler in its own scope (its own layer build, so nothing is shared with
 * another daemon but the database) and waits for its first tick.
 */
export const startScheduler = (url: string, jobs: ReadonlyArray<JobDefinition>, siem?: SiemIndexService) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const layer = SchedulerLoop.pipe(
      Layer.provideMerge(Jobs.Default),
      Layer.provide(Layer.succeed(JobRegistry, jobs)),
      Layer.provide(siem ? Layer.succeed(SiemIndex, siem) : Layer.empty),
      Layer.provide(databaseLayer(url))
    )
    const context = yield* Layer.buildWithScope(layer, scope)
    const daemon: Daemon = { jobs: Context.get(context, Jobs), ticks: 1, stop: Scope.close(scope, Exit.void) }
    yield* daemon.jobs.awaitTicks(1)
    yield* Effect.addFinalizer(() => daemon.stop)
    return daemon
  })

/** Moves the clock one tick forward and waits until every daemon has ticked. */
export const step = (daemons: ReadonlyArray<Daemon>) =>
  Effect.gen(function*() {
    yield* TestClock.adjust(TICK_EVERY)
    for (const d of daemons) {
      d.ticks++
      yield* d.jobs.awaitTicks(d.ticks)
    }
  })

/** Ticks until the clock reads T0 + `seconds`, letting the runs each tick started finish. */
export const advanceTo = (daemons: ReadonlyArray<Daemon>, seconds: number) =>
  Effect.gen(function*() {
    while ((yield* Clock.currentTimeMillis) < T0 + seconds * 1000) {
      yield* step(daemons)
      for (const d of daemons) yield* d.jobs.awaitIdle
    }
  })

/** A job that records the clock time of each run. */
export const recordingJob = (id: string, intervalMinutes: number, options: { enabled?: boolean } = {}) =>
  Effect.map(Ref.make<ReadonlyArray<number>>([]), (runs) => ({
    runs,
    job: {
      id,
      description: `test job ${id}`,
      defaultIntervalMinutes: intervalMinutes,
      defaultEnabled: options.enabled ?? true,
      unavailable: Effect.succeed(undefined),
      run: () =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const all = yield* Ref.updateAndGet(runs, (r) => [...r, now])
          return { run: all.length }
        })
    } satisfies JobDefinition
  }))
