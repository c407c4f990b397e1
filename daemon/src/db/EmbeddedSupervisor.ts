import { Effect, Redacted, Schedule } from "effect"
import type pg from "pg"
import * as Embedded from "./EmbeddedPostgres.js"

/** The embedded cluster: where it lives and how to reach it. */
export interface EmbeddedCluster {
  readonly dataDir: string
  readonly socketDir: string
  readonly url: Redacted.Redacted
}

type Acquired = Effect.Effect.Success<ReturnType<typeof Embedded.acquire>>
/** The acquired cluster with the presence connection of the moment: the supervisor replaces it. */
type Supervised = Omit<Acquired, "presence"> & { presence: pg.Client }

/** Succeeds when the presence connection ends: its backend exits when the postmaster dies. */
const presenceLost = (client: pg.Client) =>
  Effect.async<void>((resume) => {
    const lost = () => resume(Effect.void)
    client.once("end", lost)
    client.once("error", lost)
    return Effect.sync(() => {
      client.off("end", lost)
      client.off("error", lost)
    })
  })

/** Succeeds when the postmaster that postmaster.pid names is gone: a second opinion, should its backend linger. */
const postmasterExited = (dataDir: string) =>
  Effect.flatMap(Embedded.recordedPid(dataDir), (pid) =>
    pid === null
      ? Effect.never
      : Embedded.isPostmasterOf(pid, dataDir).pipe(
        Effect.repeat({ while: (alive) => alive, schedule: Schedule.spaced("1 second") }),
        Effect.asVoid
      ))

/** Backoff between attempts to bring the cluster back: 200 ms doubling, at most 5 s. */
const backoff = Schedule.exponential("200 millis").pipe(Schedule.union(Schedule.spaced("5 seconds")))

/**
 * Watches the cluster for as long as the daemon runs and brings it back when its postmaster dies
 * (SIGKILL, OOM killer) or cuts our connection. Every daemon on the home notices; the start lock
 * lets one of them start the cluster (stale postmaster.pid reclaimed, as at start-up) while the
 * others find it running and only register again. Meanwhile the pool's connections fail, which
 * requests answer -32010, and the change feed listens again once the cluster is back.
 */
const supervise = (cluster: Supervised) =>
  Effect.gen(function*() {
    for (;;) {
      yield* Effect.race(presenceLost(cluster.presence), postmasterExited(cluster.dataDir))
      yield* Embedded.closePresence(cluster.presence)
      yield* Effect.logWarning(`embedded PostgreSQL went away (${cluster.dataDir}): bringing it back`)
      const back = yield* Embedded.startOrAdopt(cluster.pgCtl, cluster.root, cluster.dataDir, cluster.socketDir, cluster.ids).pipe(
        Effect.tapError((error) => Effect.logWarning(`embedded PostgreSQL not back yet, retrying: ${error.message}`)),
        Effect.retry(backoff)
      )
      cluster.presence = back.presence
      yield* back.started
        ? Effect.logWarning("embedded PostgreSQL restarted")
        : Effect.logInfo("embedded PostgreSQL is back (started by another daemon): registered again")
    }
  })

/**
 * The embedded cluster as a scoped resource, supervised while the scope is open. The supervisor
 * stops before the release, so a deliberate stop is never taken for a crash.
 */
export const scoped = (home: string) =>
  Effect.gen(function*() {
    const cluster: Supervised = yield* Effect.acquireRelease(
      Effect.map(Embedded.acquire(home), (acquired): Supervised => ({ ...acquired })),
      (current) => Embedded.release(current)
    )
    yield* Effect.forkScoped(supervise(cluster))
    return { dataDir: cluster.dataDir, socketDir: cluster.socketDir, url: cluster.url } satisfies EmbeddedCluster
  })
