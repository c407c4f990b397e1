import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { alertVisible, alertVisibleTo, caseVisible, caseVisibleTo } from "./Access.js"
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

    /**
     * The same question for many users at once, as one statement: each change is checked once for
     * every user connected, not once per connection (50 analysts writing made 50 checks per write,
     * which capped the load bench). Every user asked gets an entry, empty when it sees nothing.
     */
    const visibleIdsByUser = (
      userIds: ReadonlyArray<number>, event: ChangeEvent
    ): Effect.Effect<ReadonlyMap<number, ReadonlyArray<number>>> => {
      const ids = event.ids.filter((id): id is number => typeof id === "number")
      const byUser = new Map<number, Array<number>>(userIds.map((u) => [u, []]))
      if (ids.length === 0 || userIds.length === 0 || event.entity === "job") return Effect.succeed(byUser)
      const query = event.entity === "alert"
        ? sql<{ userId: number; id: number }>`
          select vu.id as user_id, a.id from "user" vu cross join incident_management_alert a
          where vu.id in ${sql.in(userIds)} and a.id in ${sql.in(ids)} and ${alertVisibleTo(sql, sql`vu.id`, "a")}
          order by vu.id, a.id`
        : sql<{ userId: number; id: number }>`
          select vu.id as user_id, c.id from "user" vu cross join incident_management_case c
          where vu.id in ${sql.in(userIds)} and c.id in ${sql.in(ids)} and ${caseVisibleTo(sql, sql`vu.id`, "c")}
          order by vu.id, c.id`
      return query.pipe(
        Effect.map((rows) => {
          for (const row of rows) byUser.get(row.userId)?.push(row.id)
          return byUser
        }),
        Effect.orDie,
        Effect.uninterruptible
      )
    }

    return { visibleIds, visibleIdsByUser } as const
  })
}) {}
