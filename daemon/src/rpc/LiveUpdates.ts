import { Effect, Stream } from "effect"
import { Notifications } from "@sockeye/protocol"
import { ChangeFeed } from "../db/ChangeFeed.js"
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

    const stream = (session: Session): Stream.Stream<OutgoingNotification> =>
      Stream.unwrapScoped(Effect.map(feed.subscribe, (queue) => Stream.fromQueue(queue))).pipe(
        Stream.mapEffect((event) => {
          const principal = session.principal
          if (!principal || session.phase !== "ready") return Effect.succeed([] as Array<OutgoingNotification>)
          return Effect.map(visibility.visibleIds(principal, event), (ids): Array<OutgoingNotification> => {
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
