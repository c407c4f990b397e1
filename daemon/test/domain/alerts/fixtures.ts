import pg from "pg"
import { connect, type DaemonClient } from "@sockeye/client"
import { Alerts, type ParamsOf } from "@sockeye/protocol"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../../fixtures/Daemon.js"

/** One database and one daemon for a test file, and an admin connected over the socket. */
export const startAlertsWorld = async (label: string) => {
  const db = await createTestDatabase(label)
  const daemon = await startDaemon({ databaseUrl: db.url })
  const admin = await connectAdmin(daemon)
  const stop = async () => {
    await admin.close()
    await daemon.stop()
    await db.drop()
  }
  return { db, daemon, admin, stop }
}

export const connectAdmin = (daemon: RunningDaemon): Promise<DaemonClient> =>
  connect({ kind: "socket", path: daemon.socketPath! }, {
    clientInfo: { name: "alerts-test" },
    credentials: { username: "admin", password: ADMIN_PASSWORD }
  })

/** Runs `work` on one connection (seeding hundreds of rows one connection per row is slow). */
export const withConnection = async <A>(url: string, work: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

export interface SeedAlert {
  readonly name: string
  readonly customerCode: string
  readonly source?: string
  readonly status?: string
  readonly createdAt?: string
  readonly assignedTo?: string | null
  readonly escalated?: boolean
  readonly description?: string
  readonly tags?: ReadonlyArray<string>
  readonly iocs?: ReadonlyArray<{ value: string; type: string }>
  readonly assets?: ReadonlyArray<string>
}

/** Inserts alerts (and their tags, IoCs and assets) by SQL, the way ingestion would; returns ids. */
export const seedAlerts = (url: string, alerts: ReadonlyArray<SeedAlert>) =>
  withConnection(url, async (c) => {
    const ids: Array<number> = []
    const tagIds = new Map<string, number>()
    const iocIds = new Map<string, number>()
    const [context] = (await c.query(`insert into incident_management_alertcontext (source, context)
      values ('seed', '{"data_win_eventdata_image": "C:\\\\x.exe", "rule_id": 5}') returning id`)).rows
    for (const alert of alerts) {
      const [row] = (await c.query(
        `insert into incident_management_alert
           (alert_name, alert_description, status, alert_creation_time, customer_code, source, assigned_to, escalated)
         values ($1, $2, $3, coalesce($4::timestamptz, now()), $5, $6, $7, $8) returning id`,
        [alert.name, alert.description ?? `about ${alert.name}`, alert.status ?? "OPEN", alert.createdAt ?? null,
          alert.customerCode, alert.source ?? "wazuh", alert.assignedTo ?? null, alert.escalated ?? false]
      )).rows
      const id = row.id as number
      ids.push(id)
      for (const tag of alert.tags ?? []) {
        if (!tagIds.has(tag)) {
          const [t] = (await c.query(`insert into incident_management_alerttag (tag) values ($1)
            on conflict (tag) do update set tag = excluded.tag returning id`, [tag])).rows
          tagIds.set(tag, t.id)
        }
        await c.query(`insert into incident_management_alert_to_tag (alert_id, tag_id) values ($1, $2)`, [id, tagIds.get(tag)])
      }
      for (const ioc of alert.iocs ?? []) {
        const key = `${ioc.type} ${ioc.value}`
        if (!iocIds.has(key)) {
          const [i] = (await c.query(`insert into incident_management_ioc (value, type) values ($1, $2) returning id`,
            [ioc.value, ioc.type])).rows
          iocIds.set(key, i.id)
        }
        await c.query(`insert into incident_management_alert_to_ioc (alert_id, ioc_id) values ($1, $2)`, [id, iocIds.get(key)])
      }
      for (const asset of alert.assets ?? []) {
        await c.query(`insert into incident_management_asset
            (alert_linked, asset_name, alert_context_id, customer_code, index_name, index_id)
          values ($1, $2, $3, $4, 'wazuh-1', $5)`, [id, asset, context.id, alert.customerCode, `doc-${id}`])
      }
    }
    return ids
  })

/** Every page of a list, following nextCursor; fails on a runaway walk. */
export const walk = async (client: DaemonClient, params: ParamsOf<typeof Alerts.AlertsList>) => {
  const items: Array<(typeof Alerts.AlertsList.result.Type)["items"][number]> = []
  let cursor: string | undefined
  let pages = 0
  for (;;) {
    const page = await client.call(Alerts.AlertsList, { ...params, ...(cursor ? { cursor } : {}) })
    items.push(...page.items)
    pages++
    if (pages > 1000) throw new Error("runaway pagination")
    if (page.nextCursor === null) return { items, pages }
    cursor = page.nextCursor
  }
}

/** log_entries rows of a route, oldest first. */
export const auditRows = (url: string, route: string) =>
  query<{ route: string; message: string; user_id: number | null }>(url,
    `select route, message, user_id from log_entries where route = $1 order by id`, [route])

/** Enables tag RBAC with the given untagged behaviour (one settings row, as CoPilot keeps). */
export const setTagRbac = async (url: string, enabled: boolean, untagged: string, defaultTagId: number | null = null) => {
  await query(url, `delete from incident_management_tag_access_settings`)
  await query(url, `insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior, default_tag_id, updated_at)
    values ($1, $2, $3, now())`, [enabled, untagged, defaultTagId])
}

export interface ChangePayload {
  readonly entity: string
  readonly kind: string
  readonly ids: ReadonlyArray<number>
  readonly audience?: ReadonlyArray<number>
}

/** LISTENs on the daemon's change channel: what publishChange delivered, i.e. what committed. */
export const listenChanges = async (url: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query("listen sockeye_changes")
  const events: Array<ChangePayload> = []
  client.on("notification", (n) => events.push(JSON.parse(n.payload!)))
  /** Waits until an event matches (notifications arrive just after the commit). */
  const waitFor = async (match: (e: ChangePayload) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const found = events.find(match)
      if (found) return found
      await new Promise((r) => setTimeout(r, 10))
    }
    throw new Error(`no matching change among ${JSON.stringify(events)}`)
  }
  return { events, waitFor, close: () => client.end() }
}
