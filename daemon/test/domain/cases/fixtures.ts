import pg from "pg"
import type { DaemonClient } from "@sockeye/client"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../../fixtures/Daemon.js"
import { connectAs, seedCustomer, seedUser } from "../../fixtures/Seed.js"

/** One database and one daemon for a test file, plus an admin client. */
export interface CasesEnv {
  readonly url: string
  readonly daemon: RunningDaemon
  readonly admin: DaemonClient
  readonly stop: () => Promise<void>
}

export const startEnv = async (label: string): Promise<CasesEnv> => {
  const db = await createTestDatabase(label)
  const daemon = await startDaemon({ databaseUrl: db.url })
  const admin = await connectAs(daemon, "admin", ADMIN_PASSWORD)
  return {
    url: db.url,
    daemon,
    admin,
    stop: async () => {
      await admin.close()
      await daemon.stop()
      await db.drop()
    }
  }
}

export interface AlertFields {
  readonly name?: string
  readonly description?: string
  readonly customerCode: string
  readonly status?: "OPEN" | "IN_PROGRESS" | "CLOSED"
  readonly createdAt?: string
  readonly timeClosed?: string | null
  readonly source?: string
  readonly assignedTo?: string | null
  readonly escalated?: boolean
}

/** Inserts an alert row as ingestion would (alerts are another area's API). Returns its id. */
export const insertAlert = async (url: string, a: AlertFields) =>
  (await query<{ id: number }>(url, `
    insert into incident_management_alert
      (alert_name, alert_description, status, alert_creation_time, customer_code, time_closed, source, assigned_to, escalated)
    values ($1, $2, $3, coalesce($4::timestamptz, now()), $5, $6, $7, $8, $9) returning id`, [
    a.name ?? "alert", a.description ?? a.name ?? "alert", a.status ?? "OPEN", a.createdAt ?? null, a.customerCode,
    a.timeClosed ?? null, a.source ?? "wazuh", a.assignedTo ?? null, a.escalated ?? false
  ]))[0]!.id

export interface CaseFields {
  readonly name: string
  readonly description?: string
  readonly status?: string
  readonly createdAt?: string
  readonly customerCode?: string | null
  readonly assignedTo?: string | null
  readonly escalated?: boolean
}

/** Inserts a case row directly (for lists that need controlled times, ties and NULLs). */
export const insertCase = async (url: string, c: CaseFields) =>
  (await query<{ id: number }>(url, `
    insert into incident_management_case
      (case_name, case_description, case_creation_time, case_status, assigned_to, customer_code, escalated)
    values ($1, $2, coalesce($3::timestamptz, now()), $4, $5, $6, $7) returning id`, [
    c.name, c.description ?? "", c.createdAt ?? null, c.status ?? "OPEN", c.assignedTo ?? null, c.customerCode ?? null,
    c.escalated ?? false
  ]))[0]!.id

export const linkSql = async (url: string, caseId: number, alertIds: ReadonlyArray<number>) => {
  for (const alertId of alertIds) {
    await query(url, "insert into incident_management_casealertlink (case_id, alert_id) values ($1, $2)", [caseId, alertId])
  }
}

/** Tags an alert (one row per label, as the port keeps them). Returns the tag id. */
export const tagAlert = async (url: string, alertId: number, tag: string) => {
  const [row] = await query<{ id: number }>(url, `
    insert into incident_management_alerttag (tag) values ($1)
    on conflict (tag) do update set tag = excluded.tag returning id`, [tag])
  await query(url, "insert into incident_management_alert_to_tag (alert_id, tag_id) values ($1, $2)", [alertId, row!.id])
  return row!.id
}

export const enableTagRbac = (url: string, behavior = "visible_to_all") =>
  query(url, "insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior) values (true, $1)", [behavior])

export const grantTag = (url: string, userId: number, tagId: number) =>
  query(url, "insert into user_tag_access (user_id, tag_id) values ($1, $2)", [userId, tagId])

export const grantCustomer = (url: string, userId: number, code: string) =>
  query(url, "insert into user_customer_access (user_id, customer_code) values ($1, $2)", [userId, code])

export interface Change {
  readonly entity: string
  readonly kind: string
  readonly ids: ReadonlyArray<number>
}

/** Listens on the daemon's change channel, as every daemon does, and keeps what it hears. */
export const listenChanges = async (url: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const events: Array<Change> = []
  client.on("notification", (n) => { if (n.payload) events.push(JSON.parse(n.payload)) })
  await client.query("listen sockeye_changes")
  return {
    events,
    /** Waits until `count` events arrived, then takes them. */
    take: async (count: number, timeoutMs = 5000): Promise<Array<Change>> => {
      for (let waited = 0; events.length < count; waited += 20) {
        if (waited > timeoutMs) throw new Error(`expected ${count} change events, got ${JSON.stringify(events)}`)
        await new Promise((r) => setTimeout(r, 20))
      }
      return events.splice(0, count)
    },
    close: () => client.end()
  }
}

/** Every row of the case tables and of the alert table: "nothing changed" is this being equal. */
export const snapshot = async (url: string) => {
  const out: Record<string, unknown> = {}
  for (const table of [
    "incident_management_case", "incident_management_casealertlink", "incident_management_case_comment",
    "incident_management_alert"
  ]) {
    out[table] = await query(url, `select * from ${table} t order by t::text`)
  }
  return out
}

export const logEntries = (url: string, route: string) =>
  query<{ user_id: number | null; route: string; message: string; event_type: string }>(url,
    "select user_id, route, message, event_type from log_entries where route = $1 order by id", [route])

/** The cast most tests need: customers acme and beta, analyst "ana", customer_user "cu" of acme. */
export const seedPeople = async (env: CasesEnv) => {
  await seedCustomer(env.url, "acme")
  await seedCustomer(env.url, "beta")
  const analystId = await seedUser(env.url, { username: "ana", role: "analyst" })
  const customerUserId = await seedUser(env.url, { username: "cu", role: "customer_user" })
  await grantCustomer(env.url, customerUserId, "acme")
  const adminId: number = (await query(env.url, `select id from "user" where username = 'admin'`))[0].id
  const analyst = await connectAs(env.daemon, "ana")
  const customer = await connectAs(env.daemon, "cu")
  return {
    analystId, customerUserId, adminId, analyst, customer,
    close: async () => { await analyst.close(); await customer.close() }
  }
}

export const caseRow = async (url: string, id: number) =>
  (await query(url, "select * from incident_management_case where id = $1", [id]))[0]

export const alertRows = (url: string, ids: ReadonlyArray<number>) =>
  query(url, "select id, status, time_closed from incident_management_alert where id = any($1::int[]) order by id", [ids])

export const linksOf = async (url: string, caseId: number) =>
  (await query<{ alert_id: number }>(url, "select alert_id from incident_management_casealertlink where case_id = $1 order by alert_id", [caseId]))
    .map((r) => r.alert_id)

/** Runs `body` with tag RBAC on (untagged alerts visible to all), then turns it off again. */
export const withTagRbac = async (url: string, body: () => Promise<void>) => {
  await enableTagRbac(url)
  try {
    await body()
  } finally {
    await query(url, "delete from incident_management_tag_access_settings")
  }
}
