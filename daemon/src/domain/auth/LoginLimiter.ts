import { Clock, Effect, Exit } from "effect"
import { Unauthenticated } from "@sockeye/protocol"
import { DaemonConfig } from "../../DaemonConfig.js"

/** Keys above this many trigger a sweep of expired ones, so a spray of usernames cannot grow the map for ever. */
const SWEEP_AT = 10_000
/** How often a check waiting for a free slot looks again. */
const WAIT_MS = 10

interface Key {
  /** Failure times within the window, oldest first. */
  failures: Array<number>
  /** Checks running now. */
  inFlight: number
}

/**
 * Failed sign-ins per username and per peer, in a sliding window. A key with `max` failures is
 * refused until the oldest leaves the window, without checking the credentials (so a locked key
 * costs no bcrypt work). Checks in flight count too: with `max` of them running, the next waits
 * for one to finish, so parallel guesses cannot all start before the first failure lands, while
 * parallel sign-ins that succeed are only queued, never refused. A success clears its username;
 * the peer keeps its failures, so one valid account cannot reset them.
 */
export class LoginLimiter extends Effect.Service<LoginLimiter>()("Auth/LoginLimiter", {
  effect: Effect.gen(function*() {
    const config = yield* DaemonConfig
    const window = config.loginWindowMs
    const keys = new Map<string, Key>()

    const keyOf = (name: string, now: number): Key => {
      const key = keys.get(name) ?? { failures: [], inFlight: 0 }
      key.failures = key.failures.filter((t) => t > now - window)
      keys.set(name, key)
      return key
    }
    const forget = (name: string) => {
      const key = keys.get(name)
      if (key && key.failures.length === 0 && key.inFlight === 0) keys.delete(name)
    }
    const sweep = (now: number) => {
      if (keys.size < SWEEP_AT) return
      for (const name of [...keys.keys()]) { keyOf(name, now); forget(name) }
    }

    type Verdict = { readonly go: true } | { readonly go: false; readonly retryAfterMs: number | undefined }

    /** Reserves a slot on every key, or says to wait (retryAfterMs undefined) or to give up. */
    const reserve = (names: ReadonlyArray<readonly [string, number]>) =>
      Effect.map(Clock.currentTimeMillis, (now): Verdict => {
        sweep(now)
        let wait = 0
        let busy = false
        for (const [name, max] of names) {
          const key = keyOf(name, now)
          if (key.failures.length >= max) wait = Math.max(wait, key.failures[key.failures.length - max]! + window - now)
          else if (key.failures.length + key.inFlight >= max) busy = true
        }
        if (wait > 0) {
          for (const [name] of names) forget(name)
          return { go: false, retryAfterMs: Math.ceil(wait) }
        }
        if (busy) return { go: false, retryAfterMs: undefined }
        for (const [name] of names) keyOf(name, now).inFlight++
        return { go: true }
      })

    const release = (names: ReadonlyArray<readonly [string, number]>, outcome: "ok" | "failed" | "aborted") =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        names.forEach(([name], i) => {
          const key = keyOf(name, now)
          key.inFlight--
          if (outcome === "failed") key.failures.push(now)
          // The username's slate is wiped by a success; the peer's is not.
          if (outcome === "ok" && i > 0) key.failures = []
          forget(name)
        })
      })

    /**
     * Runs `check` (which yields the user, or undefined for wrong credentials) under the limits of
     * `username` (none for tokens) and `peer`; refused with -32001 and retryAfterMs when locked.
     */
    const limited = <A, E, R>(username: string | undefined, peer: string, check: Effect.Effect<A | undefined, E, R>) =>
      Effect.gen(function*() {
        const names: Array<readonly [string, number]> = [[`peer:${peer}`, config.loginMaxFailuresPerPeer]]
        if (username !== undefined) names.push([`user:${username.toLowerCase()}`, config.loginMaxFailures])
        for (;;) {
          const verdict = yield* reserve(names)
          if (verdict.go) break
          if (verdict.retryAfterMs !== undefined) {
            return yield* new Unauthenticated({
              message: `too many failed sign-ins; try again in ${Math.ceil(verdict.retryAfterMs / 1000)} s`,
              retryAfterMs: verdict.retryAfterMs
            })
          }
          yield* Effect.sleep(WAIT_MS)
        }
        return yield* check.pipe(Effect.onExit((exit) =>
          release(names, Exit.isSuccess(exit) ? (exit.value === undefined ? "failed" : "ok") : "aborted")))
      })

    return { limited } as const
  })
}) {}
