import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { alertVisible, caseVisible } from "./Access.js"
import type { ChangeEvent } from "./Changes.js"
import type { Principal } from "./Principal.js"

/** Which ids of a change the principal may hear of: decided by the same SQL predicate as reads. */
export class Visibility extends Effect.Service<Visibility>()("Domain/Visibility", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const visibleIds = (principal: Principal, event: ChangeEvent): Effect.Effect<ReadonlyArray<number | string>> => {
      const ids = event.ids.filter((id): id is number => typeof id === "number")
      if (event.entity === "job") return Effect.succeed(event.ids)
      if (event.kind === "deleted") {
        // The rows are gone: the writer recorded who could see them.
        return Effect.succeed(principal.system || event.audience?.includes(principal.user.id) ? event.ids : [])
      }
      if (ids.length === 0) return Effect.succeed([])
      const query = event.entity === "alert"
        ? sql<{ id: number }>`select a.id from incident_management_alert a where a.id in ${sql.in(ids)} and ${alertVisible(sql, principal, "a")} order by a.id`
        : sql<{ id: number }>`select c.id from incident_management_case c where c.id in ${sql.in(ids)} and ${caseVisible(sql, principal, "c")} order by c.id`
      // A short read: let it finish rather than cancel it when the connection closes mid-query.
      return query.pipe(Effect.map((rows) => rows.map((r) => r.id)), Effect.orDie, Effect.uninterruptible)
    }

    return { visibleIds } as const
  })
}) {}
