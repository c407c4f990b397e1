import { Clock, Duration, Effect, Layer } from "effect"
import { Jobs } from "./Jobs.js"

/** How often every daemon looks for due jobs: the lateness of a run is at most this. */
export const TICK_EVERY = Duration.seconds(5)

const sleepUntil = (at: number) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sleep(Duration.millis(Math.max(0, at - now))))

/**
 * Ticks at fixed instants of the Clock (start, start + every, ...), so a TestClock drives it
 * exactly. A tick that fails is logged and the next one comes as planned; after a pause longer
 * than a tick (a suspended host) the loop resumes from now instead of replaying the missed ones.
 */
export const runLoop = (every: Duration.DurationInput = TICK_EVERY): Effect.Effect<never, never, Jobs> =>
  Effect.gen(function*() {
    const jobs = yield* Jobs
    const step = Duration.toMillis(Duration.decode(every))
    let next = yield* Clock.currentTimeMillis
    yield* Effect.logInfo(`scheduler: ticking every ${Duration.format(Duration.decode(every))}`)
    const once = Effect.gen(function*() {
      yield* sleepUntil(next)
      yield* jobs.tick().pipe(Effect.catchAllCause((cause) => Effect.logError("scheduler: tick failed", cause)))
      const now = yield* Clock.currentTimeMillis
      next += step
      if (next < now - step) next = now
    })
    return yield* Effect.forever(once)
  }).pipe(Effect.annotateLogs({ module: "scheduler" }))

/** The loop for the lifetime of the layer, on the Jobs the layer graph provides. */
export const SchedulerLoop = Layer.scopedDiscard(Effect.forkScoped(runLoop()))

/**
 * Every daemon runs this: the background loop that starts due jobs. Jobs.Default is the same
 * (memoized) layer the router uses, so the loop and jobs/run share one set of runs.
 */
export const SchedulerLive = SchedulerLoop.pipe(Layer.provide(Jobs.Default))
