import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { NotFound, type Tag } from "@sockeye/protocol"
import { alertVisibleTo } from "../Access.js"
import { settingsRow, type SettingsRow } from "./Rbac.js"

/** What the visibility rules look at, read in one snapshot with the verdict. */
interface Facts {
  readonly user: { readonly id: number; readonly username: string; readonly roleId: number | null; readonly roleName: string | null }
  readonly alert: { readonly id: number; readonly customerCode: string }
  readonly alertTags: ReadonlyArray<Tag>
  readonly customerCodes: ReadonlyArray<string>
  readonly settings: SettingsRow | undefined
  readonly direct: ReadonlySet<number>
  readonly viaRole: ReadonlySet<number>
}

const roleLabel = (facts: Facts) =>
  facts.user.roleName ?? (facts.user.roleId === null ? "(none)" : `#${facts.user.roleId}`)

/** How the user holds a tag, or undefined when it does not. */
const grantedBy = (facts: Facts, tagId: number): string | undefined => {
  const ways = [
    ...(facts.direct.has(tagId) ? ["directly"] : []),
    ...(facts.viaRole.has(tagId) ? [`through role ${roleLabel(facts)}`] : [])
  ]
  return ways.length > 0 ? ways.join(" and ") : undefined
}

const customerReason = (facts: Facts): string => {
  const { roleId } = facts.user
  if (roleId === 1 || roleId === 2) return `customer access: ${roleLabel(facts)} sees every customer`
  if (roleId === 4) {
    return facts.customerCodes.includes(facts.alert.customerCode)
      ? `customer access: ${facts.alert.customerCode} is among the user's customers`
      : `customer access: ${facts.alert.customerCode} is not among the user's customers`
  }
  return `customer access: role ${roleLabel(facts)} sees no customer`
}

const untaggedReason = (facts: Facts, settings: SettingsRow): string => {
  const behavior = settings.untaggedAlertBehavior
  switch (behavior) {
    case "visible_to_all":
      return "alert is untagged; untagged_alert_behavior=visible_to_all shows it to everyone"
    case "admin_only":
      return "alert is untagged; untagged_alert_behavior=admin_only hides it from restricted roles"
    case "default_tag": {
      if (settings.defaultTagId === null) return "alert is untagged; untagged_alert_behavior=default_tag but no default tag is set, so it is hidden"
      const way = grantedBy(facts, settings.defaultTagId)
      return way
        ? `alert is untagged; untagged_alert_behavior=default_tag and default tag ${settings.defaultTagId} is granted ${way}`
        : `alert is untagged; untagged_alert_behavior=default_tag and default tag ${settings.defaultTagId} is not granted`
    }
    default:
      return `alert is untagged; unknown untagged_alert_behavior ${JSON.stringify(behavior)} hides it`
  }
}

const tagReasons = (facts: Facts): ReadonlyArray<string> => {
  const { roleId } = facts.user
  if (!facts.settings?.enabled) return [facts.settings ? "tag RBAC is disabled" : "tag RBAC is disabled (never configured)"]
  if (roleId === 1 || roleId === 3) return [`role ${roleLabel(facts)} bypasses tag RBAC`]
  if (facts.alertTags.length === 0) return [untaggedReason(facts, facts.settings)]
  const granted = facts.alertTags.flatMap((t) => {
    const way = grantedBy(facts, t.id)
    return way ? [`alert carries tag '${t.tag}' (id ${t.id}), granted to the user ${way}`] : []
  })
  if (granted.length > 0) return granted
  return [`alert has tags [${facts.alertTags.map((t) => t.tag).join(", ")}], none granted to the user`]
}

/** The human-readable rules behind a verdict: the customer rule, then the tag rule. */
export const reasonsOf = (facts: Facts): ReadonlyArray<string> => [customerReason(facts), ...tagReasons(facts)]

export const explain = Effect.fn("Rbac.explain")(function*(userId: number, alertId: number) {
  const sql = yield* SqlClient.SqlClient
  return yield* sql.withTransaction(Effect.gen(function*() {
    // One snapshot: the verdict and the facts behind the reasons cannot disagree under concurrent edits.
    yield* sql`set transaction isolation level repeatable read`
    const users = yield* sql<Facts["user"]>`
      select u.id, u.username, u.role_id, r.name as role_name from "user" u left join role r on r.id = u.role_id where u.id = ${userId}`
    if (users.length === 0) return yield* new NotFound({ message: `user ${userId} not found` })
    const alerts = yield* sql<Facts["alert"]>`select id, customer_code from incident_management_alert where id = ${alertId}`
    if (alerts.length === 0) return yield* new NotFound({ message: `alert ${alertId} not found` })
    const user = users[0]!
    // The verdict is the shared predicate itself, never a TypeScript re-derivation.
    const verdict = yield* sql<{ visible: boolean }>`
      select exists (
        select 1 from incident_management_alert a where a.id = ${alertId} and ${alertVisibleTo(sql, sql`${userId}::int`, "a")}
      ) as visible`
    const alertTags = yield* sql<Tag>`
      select t.id, t.tag from incident_management_alert_to_tag l join incident_management_alerttag t on t.id = l.tag_id
      where l.alert_id = ${alertId} order by t.tag, t.id`
    const codes = yield* sql<{ customerCode: string }>`
      select distinct customer_code from user_customer_access where user_id = ${userId} order by customer_code`
    const direct = yield* sql<{ tagId: number }>`select distinct tag_id from user_tag_access where user_id = ${userId}`
    const viaRole = user.roleId === null ? [] : yield* sql<{ tagId: number }>`
      select distinct tag_id from role_tag_access where role_id = ${user.roleId}`
    const facts: Facts = {
      user,
      alert: alerts[0]!,
      alertTags,
      customerCodes: codes.map((r) => r.customerCode),
      settings: yield* settingsRow(sql),
      direct: new Set(direct.map((r) => r.tagId)),
      viaRole: new Set(viaRole.map((r) => r.tagId))
    }
    return { visible: verdict[0]!.visible, reasons: reasonsOf(facts) }
  })).pipe(Effect.catchTag("SqlError", Effect.die))
})
