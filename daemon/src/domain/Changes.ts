import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"

/** The NOTIFY channel every daemon listens on. */
export const CHANGES_CHANNEL = "sockeye_changes"

export const ChangeEvent = Schema.Struct({
  entity: Schema.Literal("alert", "case", "job"),
  kind: Schema.Literal("created", "updated", "deleted"),
  ids: Schema.Array(Schema.Union(Schema.Number, Schema.String)),
  /** For deletions, the users who could see the rows before they went (visibility is gone with them). */
  audience: Schema.optional(Schema.Array(Schema.Number)),
  /** For jobs: the run's status. */
  status: Schema.optional(Schema.String)
})
export type ChangeEvent = typeof ChangeEvent.Type

// NOTIFY payloads must stay under 8000 bytes: send ids in slices.
const SLICE = 400

/**
 * Publishes a change with pg_notify inside the caller's transaction: PostgreSQL delivers it only
 * if the transaction commits, so clients never hear of a change that rolled back.
 */
export const publishChange = (event: ChangeEvent) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (const payload of changePayloads(event)) {
      // sql.notify of this @effect/sql-pg version sends `NOTIFY ch, $1`, which PostgreSQL refuses.
      yield* sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`
    }
  }).pipe(Effect.orDie)

/** The NOTIFY payloads of one change: its ids in slices that keep each under PostgreSQL's limit. */
export const changePayloads = (event: ChangeEvent): ReadonlyArray<string> => {
  const payloads: Array<string> = []
  for (let i = 0; i < Math.max(event.ids.length, 1); i += SLICE) {
    payloads.push(JSON.stringify({ ...event, ids: event.ids.slice(i, i + SLICE) }))
  }
  return payloads
}

/**
 * Publishes deletions: each row goes out with the users who could see it before it went, grouped
 * so that rows with the same audience share one event and nobody hears of a row they could not see.
 */
export const publishDeleted = (
  entity: ChangeEvent["entity"],
  rows: ReadonlyArray<{ readonly id: number; readonly audience: ReadonlyArray<number> }>
) => {
  const groups = new Map<string, { audience: Array<number>; ids: Array<number> }>()
  for (const row of rows) {
    const audience = [...row.audience].sort((a, b) => a - b)
    const key = audience.join(",")
    const group = groups.get(key) ?? { audience, ids: [] }
    group.ids.push(row.id)
    groups.set(key, group)
  }
  return Effect.forEach(groups.values(), (g) => publishChange({ entity, kind: "deleted", ids: g.ids, audience: g.audience }), { discard: true })
}
