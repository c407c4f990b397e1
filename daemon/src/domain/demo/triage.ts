import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Prng } from "./generator.js"

const analysts = ["alice", "bob", "dana"]

/**
 * The analysts' end of day: most OPEN alerts are closed or taken in progress, the rest stay
 * OPEN and keep absorbing documents with their title. Alerts are visited in (customer, title)
 * order, which unlike ids does not depend on how concurrent ingestion committed.
 */
export const triage = (sql: SqlClient.SqlClient, rng: Prng, at: Date, now: number) =>
  Effect.gen(function*() {
    const open = yield* sql<{ id: number }>`
      select id from incident_management_alert where status = 'OPEN' order by customer_code, alert_name`
    const changes = open.flatMap((a): Array<{ id: number; status: string; assignee: string; closed: string | null; escalated: boolean }> => {
      const roll = rng.next()
      const assignee = rng.pick(analysts)
      if (roll < 0.5) {
        return [{ id: a.id, status: "CLOSED", assignee, closed: new Date(Math.min(now, at.getTime() + rng.int(5, 240) * 60_000)).toISOString(), escalated: rng.chance(0.05) }]
      }
      if (roll < 0.75) return [{ id: a.id, status: "IN_PROGRESS", assignee, closed: null, escalated: rng.chance(0.1) }]
      return rng.chance(0.3) ? [{ id: a.id, status: "OPEN", assignee, closed: null, escalated: false }] : []
    })
    yield* sql`update incident_management_alert a
      set status = x.status, assigned_to = x.assignee, time_closed = x.closed, escalated = x.escalated
      from json_to_recordset(${JSON.stringify(changes)}) as x(id int, status text, assignee text, closed timestamptz, escalated boolean)
      where a.id = x.id`
  })
