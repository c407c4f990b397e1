import type * as mysql from "mysql2/promise"
import { insertRows } from "../../fixtures/CopilotMysql.js"

/** A small deterministic PRNG, so a failing run can be replayed. */
const prng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed / 0x7fffffff
}

/** A naive UTC datetime as CoPilot's datetime.utcnow() leaves it in a DATETIME column. */
const naive = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ")

/** What the generated data holds on purpose, for the tests to check. */
export interface Quirks {
  /** Tag ids whose name an earlier id already has, and that earlier id. */
  readonly tagMoves: ReadonlyMap<number, number>
  /** A comment whose alert was deleted. */
  readonly orphanCommentId: number
  readonly deletedAlertId: number
  /** A comment with a NUL character, which MariaDB keeps and PostgreSQL's text cannot. */
  readonly nulCommentId: number
  /** A user whose username an earlier user has (Sockeye keeps usernames unique). */
  readonly duplicateUserId: number
  /** Its grant, which then points at nobody. */
  readonly duplicateUserGrantId: number
  /** Cases with a NULL customer_code. */
  readonly casesWithoutCustomer: ReadonlyArray<number>
}

/**
 * CoPilot data with CoPilot's quirks: duplicate tag names with grants on both ids, naive
 * datetimes, cases with NULL customer_code, a comment pointing at a deleted alert, JSON
 * contexts whose keys jsonb will reorder, TINYINT(1) flags, floats, a pickled job BLOB.
 */
export const fillCopilot = async (connection: mysql.Connection, options: { readonly alerts: number; readonly seed?: number }): Promise<Quirks> => {
  const random = prng(options.seed ?? 7)
  const pick = <A>(items: ReadonlyArray<A>) => items[Math.floor(random() * items.length)]!
  const base = Date.UTC(2024, 0, 1)
  const customers = ["acme", "globex", "initech"]
  await insertRows(connection, "customers", customers.map((code, i) => ({
    id: i + 1, customer_code: code, customer_name: `${code} inc`, customer_type: "Managed", created_at: naive(base + i * 1000), city: i === 2 ? null : "Oslo"
  })))
  await insertRows(connection, "role", [
    { id: 1, name: "admin", description: "Administrator" },
    { id: 2, name: "analyst", description: "SOC Analyst" },
    { id: 3, name: "scheduler", description: "Scheduler for automated tasks" },
    { id: 4, name: "customer_user", description: "Customer user with limited access to their own data" }
  ])
  const users = [
    { id: 1, username: "admin", role_id: 1 },
    { id: 2, username: "alice", role_id: 2 },
    { id: 3, username: "bob", role_id: 2 },
    { id: 4, username: "carol", role_id: 4 },
    { id: 5, username: "alice", role_id: 2 }
  ]
  await insertRows(connection, "user", users.map((u) => ({
    ...u, password: "$2b$12$abcdefghijklmnopqrstuuS0m3H4shV4lu3sF0rT3st1ngOnlyXYZa", email: `${u.username}${u.id}@example.com`, created_at: naive(base + u.id * 60_000)
  })))
  await insertRows(connection, "user_customer_access", [
    { id: 1, user_id: 4, customer_code: "acme", created_at: naive(base) }
  ])
  // CoPilot inserts a tag row per tagging: "network" owns ids 1, 3 and 6, "malware" 2 and 5.
  const tags = [[1, "network"], [2, "malware"], [3, "network"], [4, "phishing"], [5, "malware"], [6, "network"]] as const
  await insertRows(connection, "incident_management_alerttag", tags.map(([id, tag]) => ({ id, tag })))
  const tagMoves = new Map<number, number>([[3, 1], [5, 2], [6, 1]])
  await insertRows(connection, "user_tag_access", [
    { id: 1, user_id: 2, tag_id: 1, created_at: naive(base) },
    { id: 2, user_id: 2, tag_id: 3, created_at: naive(base + 1) },
    { id: 3, user_id: 3, tag_id: 6, created_at: naive(base + 2) },
    { id: 4, user_id: 5, tag_id: 4, created_at: naive(base + 3) }
  ])
  await insertRows(connection, "role_tag_access", [
    { id: 1, role_id: 4, tag_id: 5, created_at: naive(base) },
    { id: 2, role_id: 4, tag_id: 2, created_at: naive(base) }
  ])
  await insertRows(connection, "incident_management_tag_access_settings", [
    { id: 1, enabled: 1, untagged_alert_behavior: "visible_to_all", default_tag_id: 6, updated_at: naive(base), updated_by: "admin" }
  ])

  const alerts: Array<Record<string, unknown>> = []
  const contexts: Array<Record<string, unknown>> = []
  const assets: Array<Record<string, unknown>> = []
  const alertTags: Array<Record<string, unknown>> = []
  const comments: Array<Record<string, unknown>> = []
  for (let id = 1; id <= options.alerts; id++) {
    const created = base + id * 37_000
    const customer = pick(customers)
    const closed = random() < 0.3
    alerts.push({
      id, alert_name: `Suspicious logon ${id} ‘quoted’ \\ back`, alert_description: `Line one\nline two of ${id} ✓`,
      status: closed ? "CLOSED" : pick(["OPEN", "IN_PROGRESS"]), alert_creation_time: naive(created), customer_code: customer,
      time_closed: closed ? naive(created + 3_600_000) : null, source: pick(["wazuh", "sublime", "velociraptor"]),
      assigned_to: random() < 0.5 ? pick(["alice", "bob"]) : null, escalated: random() < 0.1 ? 1 : 0
    })
    contexts.push({ id, source: "wazuh", context: JSON.stringify({ rule: { level: id % 15, id: String(5000 + id) }, agent: { name: `host-${id}` }, b: [1, 2.5, null], a: "z" }) })
    assets.push({
      id, alert_linked: random() < 0.05 ? null : id, asset_name: `host-${id}`, alert_context_id: id, agent_id: String(id % 50).padStart(3, "0"),
      velociraptor_id: null, customer_code: customer, index_name: "wazuh-alerts-4.x-2024.01.01", index_id: `doc-${id}`
    })
    const tagIds = new Set<number>()
    for (const [tagId] of tags) if (random() < 0.2) tagIds.add(tagId)
    if (id === 1) { tagIds.add(1); tagIds.add(3); tagIds.add(6) }
    for (const tagId of tagIds) alertTags.push({ alert_id: id, tag_id: tagId })
    if (random() < 0.6) comments.push({ id: comments.length + 1, alert_id: id, comment: `looked at ${id}`, user_name: "alice", created_at: naive(created + 60_000) })
  }
  await insertRows(connection, "incident_management_alert", alerts)
  await insertRows(connection, "incident_management_alertcontext", contexts)
  await insertRows(connection, "incident_management_asset", assets)
  await insertRows(connection, "incident_management_alert_to_tag", alertTags)
  // The alert was deleted while foreign-key checks were off; its comment stayed behind.
  const deletedAlertId = options.alerts + 1
  await insertRows(connection, "incident_management_alert", [{ ...alerts[0]!, id: deletedAlertId }])
  const orphanCommentId = comments.length + 1
  comments.push({ id: orphanCommentId, alert_id: deletedAlertId, comment: "the alert is gone", user_name: "bob", created_at: naive(base) })
  const nulCommentId = comments.length + 1
  comments.push({ id: nulCommentId, alert_id: 1, comment: "pasted \u0000 binary", user_name: "bob", created_at: naive(base) })
  await insertRows(connection, "incident_management_comment", comments)
  await connection.query("DELETE FROM incident_management_alert WHERE id = ?", [deletedAlertId])

  const iocs = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, value: `10.0.0.${i}`, type: "ip", description: i % 2 ? null : "seen before" }))
  await insertRows(connection, "incident_management_ioc", iocs)
  await insertRows(connection, "incident_management_alert_to_ioc", alerts.filter((_, i) => i % 3 === 0).map((a, i) => ({ alert_id: a["id"], ioc_id: (i % 20) + 1 })))

  const cases = Array.from({ length: Math.max(5, Math.floor(options.alerts / 25)) }, (_, i) => ({
    id: i + 1, case_name: `Case ${i + 1}`, case_description: "investigate", case_creation_time: naive(base + i * 3_600_000),
    case_status: pick(["OPEN", "CLOSED"]), assigned_to: null, customer_code: i % 4 === 0 ? null : pick(customers),
    notification_invoked_number: i % 3, escalated: i % 5 === 0 ? 1 : 0, case_closed_time: null
  }))
  await insertRows(connection, "incident_management_case", cases)
  const links = new Map<string, Record<string, unknown>>()
  for (const a of alerts) if (random() < 0.2) { const c = pick(cases); links.set(`${c.id}:${a["id"]}`, { case_id: c.id, alert_id: a["id"] }) }
  await insertRows(connection, "incident_management_casealertlink", [...links.values()])
  await insertRows(connection, "incident_management_case_comment", cases.map((c) => ({ id: c.id, case_id: c.id, comment: "noted", user_name: "bob", created_at: naive(base) })))

  await insertRows(connection, "github_audit_config", [{
    id: 1, customer_code: "acme", github_token: "ghp_x", organization: "acme", token_type: "pat", token_expires_at: null,
    enabled: 1, auto_audit_enabled: 0, audit_schedule_cron: null, include_repos: 1, include_workflows: 1, include_members: 0,
    include_archived_repos: 0, repo_filter_mode: "all", notify_on_critical: 1, notify_on_high: 0, notification_webhook_url: null,
    notification_email: null, minimum_passing_score: 70.5, created_at: naive(base), updated_at: naive(base), created_by: null,
    updated_by: null, last_audit_at: null, last_audit_score: 0.1, last_audit_grade: "B", repo_filter_list: JSON.stringify(["a", "b"])
  }])
  await insertRows(connection, "schedulerjob", [{ id: "wazuh_index_fields_resize", next_run_time: 1718000000.25, job_state: Buffer.from([0x80, 0x04, 0x95, 0x00, 0xff]) }])
  await insertRows(connection, "customer_portal_settings", [{ id: 1, title: "Portal", logo_mime_type: "image/png", updated_at: naive(base), updated_by: 1, logo_base64: "iVBORw0KGgo".repeat(2000) }])
  return {
    tagMoves, orphanCommentId, deletedAlertId, nulCommentId, duplicateUserId: 5, duplicateUserGrantId: 4,
    casesWithoutCustomer: cases.filter((c) => c.customer_code === null).map((c) => c.id)
  }
}

/** Rows in CoPilot's runtime-only tables (sublimealerts and friends). */
export const fillRuntimeTables = async (connection: mysql.Connection) => {
  await insertRows(connection, "sublimealerts", [1, 2].map((id) => ({
    id, api_version: "v1", created_at: "2024-01-01T00:00:00Z", event_id: `e${id}`, type: "message.flagged", message_id: `m${id}`,
    canonical_id: `c${id}`, external_id: `x${id}`, message_source_id: "s", timestamp: naive(Date.UTC(2024, 0, id))
  })))
  await insertRows(connection, "flaggedrule", [{ id: 1, rule_id: "r1", name: "Impersonation", severity: "high", tags: "bec", sublime_alert_id: 1 }])
  await insertRows(connection, "disabledrule", [{ id: 1, rule_id: "100002", previous_level: "3", new_level: "0", reason_for_disabling: "noise", length_of_time: "7d", date_disabled: naive(Date.UTC(2024, 1, 1)), disabled_by: "admin" }])
}
