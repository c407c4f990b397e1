import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { CurrentPrincipal } from "./Principal.js"

/**
 * Writes one log_entries row for a mutation, inside the caller's transaction so that the audit
 * and the change commit or roll back together. The client (initialize's clientInfo as name/version)
 * and the onBehalfOf note go in additional_info: the audit shows which client did what, for
 * which user, on whose behalf.
 */
export const audit = (route: string, message: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const principal = yield* CurrentPrincipal
    const info = JSON.stringify({
      client: principal.client,
      ...(principal.onBehalfOf !== undefined ? { onBehalfOf: principal.onBehalfOf } : {}),
      ...(principal.system ? { system: true } : {})
    })
    yield* sql`
      insert into log_entries (timestamp, event_type, user_id, route, method, status_code, message, additional_info)
      values (now(), 'mutation', ${principal.system ? null : principal.user.id}, ${route}, 'JSON-RPC', 200,
              ${message.slice(0, 5024)}, ${info.slice(0, 5024)})`
  }).pipe(Effect.orDie)
