import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { CHANGES_CHANNEL, changePayloads, type ChangeEvent } from "./Changes.js"
import { CurrentPrincipal, type Principal } from "./Principal.js"

/**
 * Writes one log_entries row for a mutation, inside the caller's transaction so that the audit
 * and the change commit or roll back together. The client (initialize's clientInfo as name/version)
 * and the onBehalfOf note go in additional_info: the audit shows which client did what, for
 * which user, on whose behalf.
 */
export const audit = (route: string, message: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* insertEntry(sql, yield* CurrentPrincipal, route, message)
  }).pipe(Effect.orDie)

/**
 * audit() and publishChange() in one statement: a mutation's last two steps cost one round trip,
 * not two, while its row locks are held.
 */
export const auditChange = (route: string, message: string, event: ChangeEvent) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [first, ...rest] = changePayloads(event)
    yield* sql`with entry as (${insertEntry(sql, yield* CurrentPrincipal, route, message)} returning id)
      select pg_notify(${CHANGES_CHANNEL}, ${first!}) from entry`
    for (const payload of rest) yield* sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`
  }).pipe(Effect.orDie)

const insertEntry = (sql: SqlClient.SqlClient, principal: Principal, route: string, message: string) => {
  const info = JSON.stringify({
    client: principal.client,
    ...(principal.onBehalfOf !== undefined ? { onBehalfOf: principal.onBehalfOf } : {}),
    ...(principal.system ? { system: true } : {})
  })
  return sql`
      insert into log_entries (timestamp, event_type, user_id, route, method, status_code, message, additional_info)
      values (now(), 'mutation', ${principal.system ? null : principal.user.id}, ${route}, 'JSON-RPC', 200,
              ${message.slice(0, 5024)}, ${info.slice(0, 5024)})`
}
