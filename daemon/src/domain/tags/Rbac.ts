import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { InvalidParams, NotFound, type Tags as TagMethods } from "@sockeye/protocol"
import { audit } from "../Audit.js"
import { CurrentPrincipal } from "../Principal.js"
import { mapSqlErrors } from "../users/sqlErrors.js"
import { retryingTransaction } from "../../db/Transaction.js"

export type Settings = typeof TagMethods.RbacSettings.Type
type Grant = typeof TagMethods.Grant.Type
type Behavior = Settings["untaggedAlertBehavior"]

/** What CoPilot assumes when no settings row exists: RBAC off, untagged alerts visible. */
const DEFAULTS: Settings = { enabled: false, untaggedAlertBehavior: "visible_to_all", defaultTagId: null }

export interface SettingsRow {
  readonly id: number
  readonly enabled: boolean
  readonly untaggedAlertBehavior: string
  readonly defaultTagId: number | null
}

/** The row that governs: CoPilot reads the first one (LIMIT 1), as Access.ts does. */
export const settingsRow = (sql: SqlClient.SqlClient) =>
  sql<SettingsRow>`
    select id, enabled, untagged_alert_behavior, default_tag_id
    from incident_management_tag_access_settings order by id limit 1`.pipe(Effect.map((rows) => rows[0]), Effect.orDie)

const behaviors: ReadonlySet<string> = new Set<Behavior>(["visible_to_all", "admin_only", "default_tag"])

/**
 * A behaviour string this port does not know (a row written by hand or by a newer CoPilot) hides
 * untagged alerts from restricted users in the predicate, which is exactly admin_only's effect; the
 * wire type has no room for other strings, so get reports the effect rather than the text.
 */
export const toSettings = (row: SettingsRow | undefined): Settings =>
  row === undefined ? DEFAULTS : {
    enabled: row.enabled,
    untaggedAlertBehavior: behaviors.has(row.untaggedAlertBehavior) ? row.untaggedAlertBehavior as Behavior : "admin_only",
    defaultTagId: row.defaultTagId
  }

const tagNotFound = (id: number) => new NotFound({ message: `tag ${id} not found` })

/** The first of `ids` with no tag row, locked against deletion until the transaction ends. */
const missingTag = (sql: SqlClient.SqlClient, ids: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    if (ids.length === 0) return undefined
    const rows = yield* sql<{ id: number }>`select id from incident_management_alerttag where id in ${sql.in(ids)} for key share`
    const present = new Set(rows.map((r) => r.id))
    return ids.find((id) => !present.has(id))
  })

export const getSettings = Effect.fn("Rbac.getSettings")(function*() {
  const sql = yield* SqlClient.SqlClient
  // Reading never inserts (CoPilot's GET does): a missing row already means the defaults.
  return toSettings(yield* settingsRow(sql))
})

export const setSettings = Effect.fn("Rbac.setSettings")(function*(input: Settings) {
  const sql = yield* SqlClient.SqlClient
  const { user } = yield* CurrentPrincipal
  if (input.untaggedAlertBehavior === "default_tag" && input.defaultTagId === null) {
    return yield* new InvalidParams({
      message: "rbac/settings/set: invalid params at defaultTagId: required when untaggedAlertBehavior is default_tag",
      issues: [{ path: ["defaultTagId"], message: "required when untaggedAlertBehavior is default_tag" }]
    })
  }
  return yield* retryingTransaction(sql, Effect.gen(function*() {
    // Self-conflicting lock: two first-time sets cannot both insert a row.
    yield* sql`lock table incident_management_tag_access_settings in share row exclusive mode`
    if (input.defaultTagId !== null && (yield* missingTag(sql, [input.defaultTagId])) !== undefined) {
      return yield* tagNotFound(input.defaultTagId)
    }
    const current = yield* settingsRow(sql)
    if (current) {
      yield* sql`
        update incident_management_tag_access_settings
        set enabled = ${input.enabled}, untagged_alert_behavior = ${input.untaggedAlertBehavior},
            default_tag_id = ${input.defaultTagId}, updated_at = now(), updated_by = ${user.username}
        where id = ${current.id}`
    } else {
      yield* sql`
        insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior, default_tag_id, updated_at, updated_by)
        values (${input.enabled}, ${input.untaggedAlertBehavior}, ${input.defaultTagId}, now(), ${user.username})`
    }
    yield* audit("rbac/settings/set",
      `tag RBAC enabled=${input.enabled} untagged_alert_behavior=${input.untaggedAlertBehavior} default_tag_id=${input.defaultTagId ?? "null"}`)
    return input
  })).pipe(mapSqlErrors("rbac/settings/set"))
})

export interface Subject {
  readonly userId?: number | undefined
  readonly roleId?: number | undefined
}

/** Grants of the subject (or all), each once although CoPilot's tables may repeat a pair. */
const grants = (sql: SqlClient.SqlClient, subject: Subject) => {
  const users = subject.roleId !== undefined ? sql`false` : subject.userId !== undefined ? sql`g.user_id = ${subject.userId}` : sql`true`
  const roles = subject.userId !== undefined ? sql`false` : subject.roleId !== undefined ? sql`r.role_id = ${subject.roleId}` : sql`true`
  return sql<Grant>`
    select x.user_id, x.role_id, x.tag_id, x.tag from (
      select g.user_id, null::int as role_id, g.tag_id, t.tag
      from user_tag_access g join incident_management_alerttag t on t.id = g.tag_id where ${users}
      union
      select null::int, r.role_id, r.tag_id, t.tag
      from role_tag_access r join incident_management_alerttag t on t.id = r.tag_id where ${roles}
    ) x order by x.user_id nulls last, x.role_id nulls last, x.tag, x.tag_id`
}

/** Checks the subject exists; `lock` holds it so concurrent replacements of its grants serialise. */
const checkSubject = (sql: SqlClient.SqlClient, subject: Subject, lock: boolean) =>
  Effect.gen(function*() {
    const locking = sql.literal(lock ? "for update" : "")
    if (subject.userId !== undefined) {
      const rows = yield* sql`select id from "user" where id = ${subject.userId} ${locking}`
      if (rows.length === 0) return yield* new NotFound({ message: `user ${subject.userId} not found` })
    } else if (subject.roleId !== undefined) {
      const rows = yield* sql`select id from role where id = ${subject.roleId} ${locking}`
      if (rows.length === 0) return yield* new NotFound({ message: `role ${subject.roleId} not found` })
    }
  })

export const listGrants = Effect.fn("Rbac.listGrants")(function*(subject: Subject) {
  const sql = yield* SqlClient.SqlClient
  yield* checkSubject(sql, subject, false).pipe(Effect.catchTag("SqlError", Effect.die))
  return yield* grants(sql, subject).pipe(Effect.orDie)
})

export const setGrants = Effect.fn("Rbac.setGrants")(function*(subject: Subject, tagIds: ReadonlyArray<number>) {
  const sql = yield* SqlClient.SqlClient
  const wanted = [...new Set(tagIds)]
  return yield* retryingTransaction(sql, Effect.gen(function*() {
    yield* checkSubject(sql, subject, true)
    const missing = yield* missingTag(sql, wanted)
    if (missing !== undefined) return yield* tagNotFound(missing)
    const label = subject.userId !== undefined ? `user ${subject.userId}` : `role ${subject.roleId}`
    if (subject.userId !== undefined) {
      yield* sql`delete from user_tag_access where user_id = ${subject.userId}`
      if (wanted.length > 0) {
        yield* sql`insert into user_tag_access ${sql.insert(wanted.map((tag_id) => ({ user_id: subject.userId!, tag_id })))}`
      }
    } else {
      yield* sql`delete from role_tag_access where role_id = ${subject.roleId!}`
      if (wanted.length > 0) {
        yield* sql`insert into role_tag_access ${sql.insert(wanted.map((tag_id) => ({ role_id: subject.roleId!, tag_id })))}`
      }
    }
    yield* audit("rbac/grants/set", `set tag grants of ${label}: [${[...wanted].sort((a, b) => a - b).join(", ")}]`)
    return yield* grants(sql, subject)
  })).pipe(mapSqlErrors("rbac/grants/set"))
})
