import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Conflict, InvalidParams, NotFound, type Tag } from "@sockeye/protocol"
import { audit } from "../Audit.js"
import { publishChange } from "../Changes.js"
import { CurrentPrincipal } from "../Principal.js"
import { mapSqlErrors } from "../users/sqlErrors.js"
import { retryingTransaction } from "../../db/Transaction.js"

/** incident_management_alerttag.tag is varchar(50); the protocol's TagText allows 255. */
export const TAG_COLUMN_LENGTH = 50

export const list = Effect.fn("Tags.list")(function*() {
  const sql = yield* SqlClient.SqlClient
  return yield* sql<Tag>`select id, tag from incident_management_alerttag order by tag, id`.pipe(Effect.orDie)
})

export const create = Effect.fn("Tags.create")(function*(tag: string) {
  const sql = yield* SqlClient.SqlClient
  if (tag.length > TAG_COLUMN_LENGTH) {
    return yield* new InvalidParams({
      message: `tags/create: invalid params at tag: at most ${TAG_COLUMN_LENGTH} characters`,
      issues: [{ path: ["tag"], message: `at most ${TAG_COLUMN_LENGTH} characters` }]
    })
  }
  return yield* retryingTransaction(sql, Effect.gen(function*() {
    const rows = yield* sql<Tag>`insert into incident_management_alerttag (tag) values (${tag}) returning id, tag`
    yield* audit("tags/create", `created tag ${rows[0]!.id} (${tag})`)
    return rows[0]!
  })).pipe(mapSqlErrors("tags/create", {
    // Tags are unique by text in our schema, so grants by id mean one name.
    ix_incident_management_alerttag_tag: () => new Conflict({ message: `tag ${tag} exists` })
  }))
})

/**
 * Deletes a tag and everything that points at it: alert links, user and role grants, and the
 * RBAC default tag. Alerts that lost the tag are announced as updated (their visibility may change).
 */
export const remove = Effect.fn("Tags.delete")(function*(id: number) {
  const sql = yield* SqlClient.SqlClient
  const { user } = yield* CurrentPrincipal
  return yield* retryingTransaction(sql, Effect.gen(function*() {
    // FOR UPDATE blocks concurrent links to this tag (their FK check needs a key-share lock) until we commit.
    const found = yield* sql<Tag>`select id, tag from incident_management_alerttag where id = ${id} for update`
    if (found.length === 0) return yield* new NotFound({ message: `tag ${id} not found` })
    const unlinked = yield* sql<{ alertId: number }>`
      delete from incident_management_alert_to_tag where tag_id = ${id} returning alert_id`
    yield* sql`delete from user_tag_access where tag_id = ${id}`
    yield* sql`delete from role_tag_access where tag_id = ${id}`
    yield* sql`
      update incident_management_tag_access_settings
      set default_tag_id = null, updated_at = now(), updated_by = ${user.username}
      where default_tag_id = ${id}`
    yield* sql`delete from incident_management_alerttag where id = ${id}`
    const alertIds = unlinked.map((r) => r.alertId).sort((a, b) => a - b)
    yield* audit("tags/delete", `deleted tag ${id} (${found[0]!.tag}); unlinked alerts [${alertIds.join(", ")}]`)
    if (alertIds.length > 0) yield* publishChange({ entity: "alert", kind: "updated", ids: alertIds })
    return { deleted: [id] }
  })).pipe(mapSqlErrors("tags/delete"))
})
