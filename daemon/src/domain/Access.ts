import type { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import type { Principal } from "./Principal.js"

/**
 * The visibility rules as SQL, shared by every query that reads or writes an alert or a case,
 * so that access is decided by PostgreSQL in the statement that fetches the rows, never by
 * filtering in TypeScript. `user` is a user id, or a column holding one (to ask "who may see
 * this alert" for deletion notices).
 *
 * Customer access: admin and analyst see every customer; customer_user sees its
 * user_customer_access codes; anyone else (scheduler) sees none.
 *
 * Tag RBAC (copilot-facts §a, the stricter "used" path): off when the settings row is missing or
 * disabled; admin and scheduler bypass; otherwise an alert with tags is visible iff it carries a
 * tag granted to the user or its role, and an untagged alert follows untagged_alert_behavior
 * (visible_to_all; default_tag: iff default_tag_id is granted; anything else hides it).
 */
type UserRef = number | Fragment

const settings = "(select s.* from incident_management_tag_access_settings s order by s.id limit 1)"

/** Tag ids granted to the user directly or through its role. */
export const grantedTags = (sql: SqlClient.SqlClient, user: UserRef) => sql`(
  select g.tag_id from user_tag_access g where g.user_id = ${user}
  union
  select r.tag_id from role_tag_access r join "user" ru on ru.role_id = r.role_id where ru.id = ${user}
)`

const hasRole = (sql: SqlClient.SqlClient, user: UserRef, roles: ReadonlyArray<number>) =>
  sql`exists (select 1 from "user" hr where hr.id = ${user} and hr.role_id in ${sql.in(roles)})`

/** A customer code column the user may see. */
export const customerVisible = (sql: SqlClient.SqlClient, user: UserRef, column: Fragment) => sql`(
  ${hasRole(sql, user, [1, 2])}
  or ${column} in (
    select ca.customer_code from user_customer_access ca join "user" cu on cu.id = ca.user_id
    where ca.user_id = ${user} and cu.role_id = 4
  )
)`

/**
 * Tag RBAC for the alert whose id column is given. The tag test is one correlated aggregate per
 * alert (NULL when it has no tags, so the untagged rule applies) rather than EXISTS / NOT EXISTS:
 * under an OR, PostgreSQL turned that EXISTS into a hashed subplan that first collected every alert
 * carrying a granted tag, whatever the page's LIMIT (analyst's first page at 1M alerts: ~17 ms → ~3 ms;
 * counts pay ~30% more; daemon/bench/RESULTS.md).
 */
export const tagsVisible = (sql: SqlClient.SqlClient, user: UserRef, alertId: Fragment) => sql`(
  ${hasRole(sql, user, [1, 3])}
  or not coalesce((select st.enabled from ${sql.literal(settings)} st), false)
  or coalesce(
    (select bool_or(tl.tag_id in ${grantedTags(sql, user)}) from incident_management_alert_to_tag tl where tl.alert_id = ${alertId}),
    (
      select case su.untagged_alert_behavior
        when 'visible_to_all' then true
        when 'default_tag' then su.default_tag_id in ${grantedTags(sql, user)}
        else false end
      from ${sql.literal(settings)} su
    ),
    false
  )
)`

const userOf = (principal: Principal): UserRef => principal.user.id

/** The alert aliased `alias` is visible to the principal (customer access AND tag RBAC). */
export const alertVisible = (sql: SqlClient.SqlClient, principal: Principal, alias = "a") =>
  principal.system
    ? sql`true`
    : sql`(${customerVisible(sql, userOf(principal), sql`${sql(alias)}.customer_code`)} and ${
      tagsVisible(sql, userOf(principal), sql`${sql(alias)}.id`)
    })`

/** The case aliased `alias` is visible to the principal (customer access; NULL customer: staff only). */
export const caseVisible = (sql: SqlClient.SqlClient, principal: Principal, alias = "c") =>
  principal.system ? sql`true` : customerVisible(sql, userOf(principal), sql`${sql(alias)}.customer_code`)

/** Alert visibility for the user whose id is in `userColumn`: "who may see this alert". */
export const alertVisibleTo = (sql: SqlClient.SqlClient, userColumn: Fragment, alias = "a") =>
  sql`(${customerVisible(sql, userColumn, sql`${sql(alias)}.customer_code`)} and ${tagsVisible(sql, userColumn, sql`${sql(alias)}.id`)})`

export const caseVisibleTo = (sql: SqlClient.SqlClient, userColumn: Fragment, alias = "c") =>
  customerVisible(sql, userColumn, sql`${sql(alias)}.customer_code`)
