import { Deferred, Effect, FiberId, Stream } from "effect"
import { Notifications } from "@sockeye/protocol"
import { ChangeFeed } from "../db/ChangeFeed.js"
import type { ChangeEvent } from "../domain/Changes.js"
import type { Principal } from "../domain/Principal.js"
import { Visibility } from "../domain/Visibility.js"
import type { Session } from "./Session.js"

export interface OutgoingNotification {
  readonly method: string
  readonly params: unknown
}

/**
 * The server notifications one session should receive: every committed change, cut down to the
 * rows the session's user may see (an event nobody visible touched is dropped).
 */
export class LiveUpdates extends Effect.Service<LiveUpdates>()("Rpc/LiveUpdates", {
  effect: Effect.gen(function*() {
    const feed = yield* ChangeFeed
    const visibility = yield* Visibility

    const sessions = new Set<Session>()
    /** Per change, one check for every user connected when the first session asked, shared by all sessions. */
    const checks = new WeakMap<ChangeEvent, Deferred.Deferred<ReadonlyMap<number, ReadonlyArray<number>>>>()

    const visibleIds = (principal: Principal, event: ChangeEvent): Effect.Effect<ReadonlyArray<number | string>> => {
      if (principal.system || event.entity === "job" || event.kind === "deleted") return visibility.visibleIds(principal, event)
      let check = checks.get(event)
      const first = check === undefined
      if (check === undefined) {
        check = Deferred.unsafeMake<ReadonlyMap<number, ReadonlyArray<number>>>(FiberId.none)
        checks.set(event, check)
      }
      const shared = check
      return Effect.gen(function*() {
        if (first) {
          const users = new Set<number>([principal.user.id])
          for (const s of sessions) if (s.phase === "ready" && s.principal && !s.principal.system) users.add(s.principal.user.id)
          // Uninterruptible: the other sessions wait on this check, even if this session closes now.
          yield* Effect.uninterruptible(Deferred.complete(shared, visibility.visibleIdsByUser([...users], event)))
        }
        const byUser = yield* Deferred.await(shared)
        // A user who signed in after the check was made is asked on its own.
        return byUser.get(principal.user.id) ?? (yield* visibility.visibleIds(principal, event))
      })
    }

    const stream = (session: Session): Stream.Stream<OutgoingNotification> =>
      Stream.unwrapScoped(Effect.gen(function*() {
        yield* Effect.acquireRelease(Effect.sync(() => sessions.add(session)), () => Effect.sync(() => sessions.delete(session)))
        return Stream.fromQueue(yield* feed.subscribe)
      })).pipe(
        Stream.mapEffect((event) => {
          const principal = session.principal
          if (!principal || session.phase !== "ready") return Effect.succeed([] as Array<OutgoingNotification>)
          return Effect.map(visibleIds(principal, event), (ids): Array<OutgoingNotification> => {
            if (ids.length === 0) return []
            switch (event.entity) {
              case "alert": return [{ method: Notifications.AlertsChanged.method, params: { ids, kind: event.kind } }]
              case "case": return [{ method: Notifications.CasesChanged.method, params: { ids, kind: event.kind } }]
              case "job": return ids.map((id) => ({ method: Notifications.JobsChanged.method, params: { id: String(id), status: event.status ?? event.kind } }))
            }
          }).pipe(
            // A check that fails (the database away, mostly) drops this event for this session; left
            // to die, it ended the session's stream, and the client heard nothing more until it reconnected.
            Effect.catchAllDefect((defect) =>
              Effect.as(Effect.logWarning(`live update of ${event.entity} ${event.kind} not sent: the visibility check failed`, defect), []))
          )
        }),
        Stream.flattenIterables
      )

    return { stream } as const
  }),
  dependencies: [ChangeFeed.Default, Visibility.Default]
}) {}
