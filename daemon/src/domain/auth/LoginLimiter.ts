import { Clock, Effect } from "effect"
import { DaemonConfig } from "../../DaemonConfig.js"

/** A reserved attempt: released as a success, or left to count as a failure. */
export interface Attempt {
  readonly succeeded: Effect.Effect<void>
}

/** Keys above this many trigger a sweep of expired ones, so a spray of usernames cannot grow the map for ever. */
const SWEEP_AT = 10_000

/**
 * Failed sign-ins per username and per peer, in a sliding window. An attempt is counted when it
 * starts, before the password is hashed, so parallel guesses cannot all slip in before the first
 * failure lands, and a locked key costs no bcrypt work. A success takes its attempt back and
 * clears its username; the peer keeps its other failures, so one valid account cannot reset them.
 */
export class LoginLimiter extends Effect.Service<LoginLimiter>()("Auth/LoginLimiter", {
  effect: Effect.gen(function*() {
    const config = yield* DaemonConfig
    const window = config.loginWindowMs
    const failures = new Map<string, Array<number>>()

    const live = (key: string, now: number) => {
      const times = (failures.get(key) ?? []).filter((t) => t > now - window)
      if (times.length === 0) failures.delete(key)
      else failures.set(key, times)
      return times
    }

    const sweep = (now: number) => {
      if (failures.size < SWEEP_AT) return
      for (const key of [...failures.keys()]) live(key, now)
    }

    /**
     * Reserves an attempt for `username` from `peer`, or says how many ms until one is allowed.
     * Tokens have no username: only their peer is counted.
     */
    const attempt = (username: string | undefined, peer: string) =>
      Effect.map(Clock.currentTimeMillis, (now): Attempt | { readonly retryAfterMs: number } => {
        sweep(now)
        const keys: Array<readonly [string, number]> = [[`peer:${peer}`, config.loginMaxFailuresPerPeer]]
        if (username !== undefined) keys.push([`user:${username.toLowerCase()}`, config.loginMaxFailures])
        let wait = 0
        for (const [key, max] of keys) {
          const times = live(key, now)
          if (times.length >= max) wait = Math.max(wait, times[times.length - max]! + window - now)
        }
        if (wait > 0) return { retryAfterMs: Math.ceil(wait) }
        for (const [key] of keys) failures.set(key, [...(failures.get(key) ?? []), now])
        return {
          succeeded: Effect.sync(() => {
            const peerKey = keys[0]![0]
            const times = failures.get(peerKey) ?? []
            const index = times.lastIndexOf(now)
            if (index >= 0) times.splice(index, 1)
            if (times.length === 0) failures.delete(peerKey)
            for (const [key] of keys.slice(1)) failures.delete(key)
          })
        }
      })

    return { attempt } as const
  })
}) {}
