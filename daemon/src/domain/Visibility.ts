import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { alertVisibleTo, caseVisibleTo } from "./Access.js"
import type { ChangeEvent } from "./Changes.js"

/**
 * Which ids of a change each user may hear of, decided by the same SQL predicate as reads, as one
 * statement for every user asked: each change is checked once for all the users connected, not
 * once per connection (50 analysts writing made 50 checks per write, which capped the load bench).
 * Every user asked gets an entry, empty when it sees nothing.
 */
export class Visibility extends Effect.Service<Visibility>()("Domain/Visibility", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const visibleIdsByUser = (
      userIds: ReadonlyArray<number>, event: ChangeEvent
    ): Effect.Effect<ReadonlyMap<number, ReadonlyArray<number | string>>> => {
      if (event.entity === "job") return Effect.succeed(new Map(userIds.map((u) => [u, event.ids])))
      // The rows are gone: the writer recorded who could see them.
      if (event.kind === "deleted") return Effect.succeed(new Map(userIds.map((u) => [u, event.audience?.includes(u) ? event.ids : []])))
      const ids = event.ids.filter((id): id is number => typeof id === "number")
      const byUser = new Map<number, Array<number>>(userIds.map((u) => [u, []]))
      if (ids.length === 0 || userIds.length === 0) return Effect.succeed(byUser)
      const query = event.entity === "alert"
        ? sql<{ userId: number; id: number }>`
          select vu.id as user_id, a.id from "user" vu cross join incident_management_alert a
          where vu.id in ${sql.in(userIds)} and a.id in ${sql.in(ids)} and ${alertVisibleTo(sql, sql`vu.id`, "a")}
          order by vu.id, a.id`
        : sql<{ userId: number; id: number }>`
          select vu.id as user_id, c.id from "user" vu cross join incident_management_case c
          where vu.id in ${sql.in(userIds)} and c.id in ${sql.in(ids)} and ${caseVisibleTo(sql, sql`vu.id`, "c")}
          order by vu.id, c.id`
      // A short read: let it finish rather than cancel it when a connection closes mid-query.
      return query.pipe(
        Effect.map((rows) => {
          for (const row of rows) byUser.get(row.userId)?.push(row.id)
          return byUser
        }),
        Effect.orDie,
        Effect.uninterruptible
      )
    }

    return { visibleIdsByUser } as const
  })
}) {}
