import { Chunk, Clock, Effect, Queue } from "effect"
import { Notifications } from "@sockeye/protocol"
import { ChangeFeed } from "../db/ChangeFeed.js"
import type { ChangeEvent } from "../domain/Changes.js"
import { Visibility } from "../domain/Visibility.js"
import { mergeChanges } from "./mergeChanges.js"
import type { Session } from "./Session.js"

export interface OutgoingNotification {
  readonly method: string
  readonly params: unknown
}

/**
 * Under load, changes are delivered at most this often: those committed meanwhile go out
 * together, merged (mergeChanges), so each connection gets one write per window instead of one
 * per change. A change after a quiet spell goes out at once.
 */
export const DELIVERY_WINDOW_MS = 50
/** Changes taken from the feed for one delivery, at most. */
const BATCH = 1_000

const notificationsOf = (event: ChangeEvent, ids: ReadonlyArray<number | string>): ReadonlyArray<OutgoingNotification> => {
  if (ids.length === 0) return []
  switch (event.entity) {
    case "alert": return [{ method: Notifications.AlertsChanged.method, params: { ids, kind: event.kind } }]
    case "case": return [{ method: Notifications.CasesChanged.method, params: { ids, kind: event.kind } }]
    case "job": return ids.map((id) => ({ method: Notifications.JobsChanged.method, params: { id: String(id), status: event.status ?? event.kind } }))
  }
}

/**
 * Every committed change, sent to each attached session cut down to the rows its user may see
 * (a change nobody visible touched is not sent). One fiber serves every session: per change, one
 * visibility statement answers for all the users connected, and the answers go out to the
 * sessions in one pass; changes that come together are merged first (DELIVERY_WINDOW_MS). A
 * stream per session, as before, cost 50 fibers, queues and Effect steps per change with 50
 * analysts connected, most of the daemon's time in the load bench.
 */
export class LiveUpdates extends Effect.Service<LiveUpdates>()("Rpc/LiveUpdates", {
  scoped: Effect.gen(function*() {
    const feed = yield* ChangeFeed
    const visibility = yield* Visibility
    const sessions = new Set<Session>()

    /** Who hears of one change: the sessions ready when it is checked, each with its ids. */
    const audienceOf = (event: ChangeEvent) =>
      Effect.gen(function*() {
        const ready = [...sessions].filter((s) => s.phase === "ready" && s.principal !== undefined)
        if (ready.length === 0) return []
        const byUser = yield* visibility.visibleIdsByUser([...new Set(ready.map((s) => s.principal!.user.id))], event)
        // The daemon's own principal sees everything.
        return ready.map((session) =>
          [session, notificationsOf(event, session.principal!.system ? event.ids : byUser.get(session.principal!.user.id) ?? [])] as const)
      }).pipe(
        // A check that fails (the database away, mostly) drops this change; the feed goes on.
        Effect.catchAllDefect((defect) =>
          Effect.as(Effect.logWarning(`live update of ${event.entity} ${event.kind} not sent: the visibility check failed`, defect), []))
      )

    const deliver = (event: ChangeEvent) =>
      Effect.flatMap(audienceOf(event), (deliveries) =>
        Effect.sync(() => {
          // A session that closed meanwhile has its notify unset by the transport.
          for (const [session, notifications] of deliveries) {
            for (const n of notifications) session.notify(n.method, n.params)
          }
        }))

    const changes = yield* feed.subscribe
    let lastDelivery = Number.NEGATIVE_INFINITY
    yield* Effect.gen(function*() {
      const taken = Chunk.toArray(yield* Queue.takeBetween(changes, 1, BATCH))
      const since = (yield* Clock.currentTimeMillis) - lastDelivery
      if (since < DELIVERY_WINDOW_MS) {
        yield* Effect.sleep(DELIVERY_WINDOW_MS - since)
        taken.push(...Chunk.toArray(yield* Queue.takeUpTo(changes, BATCH)))
      }
      lastDelivery = yield* Clock.currentTimeMillis
      yield* Effect.forEach(mergeChanges(taken), deliver, { discard: true })
    }).pipe(Effect.forever, Effect.forkScoped)

    /** Sends this session the changes committed from now until the scope closes. */
    const attach = (session: Session) =>
      Effect.acquireRelease(Effect.sync(() => void sessions.add(session)), () => Effect.sync(() => void sessions.delete(session)))

    return { attach } as const
  }),
  dependencies: [ChangeFeed.Default, Visibility.Default]
}) {}
