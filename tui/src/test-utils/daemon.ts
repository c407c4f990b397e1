import { connect, type DaemonClient } from "@sockeye/client"
import { Alerts, Cases } from "@sockeye/protocol"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../../../daemon/test/fixtures/Daemon.js"
import { createTestDatabase, query } from "../../../daemon/test/fixtures/Postgres.js"
import { seedCustomer, seedUser } from "../../../daemon/test/fixtures/Seed.js"
import { ConnectionStore } from "../contexts/ClientContext.js"

export { ADMIN_PASSWORD }

/** A real daemon on a fresh database of the test server, with two customers and three users. */
export interface TestSoc {
  readonly daemon: RunningDaemon
  readonly url: string
  /** An admin connection for seeding and for checking what the UI did. */
  readonly admin: DaemonClient
  readonly stop: () => Promise<void>
}

export const startSoc = async (label: string): Promise<TestSoc> => {
  const db = await createTestDatabase(label)
  const daemon = await startDaemon({ databaseUrl: db.url })
  await seedCustomer(db.url, "ACME", "Acme Corp")
  await seedCustomer(db.url, "GLOBEX", "Globex")
  await seedUser(db.url, { username: "alice", role: "analyst" })
  await seedUser(db.url, { username: "bob", role: "analyst" })
  await seedUser(db.url, { username: "carol", role: "customer_user" })
  const admin = await connectClient(daemon, "admin", ADMIN_PASSWORD)
  const clients: Array<DaemonClient> = [admin]
  return {
    daemon,
    url: db.url,
    admin,
    stop: async () => {
      for (const c of clients) await c.close().catch(() => undefined)
      await daemon.stop()
      await db.drop()
    }
  }
}

/** Connects as a user over the daemon's socket. */
export const connectClient = (daemon: RunningDaemon, username: string, password = "password1", onStateChange?: ConnectionStore["update"]) =>
  connect({ kind: "socket", path: daemon.socketPath! }, {
    clientInfo: { name: `tui-test:${username}` },
    credentials: { username, password },
    ...(onStateChange ? { onStateChange } : {})
  })

/** A session as the UI opens it: the client, and the store that follows its connection state. */
export const connectUi = async (daemon: RunningDaemon, username = "alice", password = "password1") => {
  const connection = new ConnectionStore()
  const client = await connectClient(daemon, username, password, connection.update)
  return { client, connection }
}

export interface SeedAlert {
  readonly name: string
  readonly customerCode?: string
  readonly source?: string
  readonly tags?: ReadonlyArray<string>
  readonly iocs?: ReadonlyArray<{ value: string; type: "IP" | "DOMAIN" | "HASH" | "URL" }>
  readonly assets?: ReadonlyArray<{ name: string; indexName?: string; indexId?: string }>
  readonly description?: string
}

/** Creates alerts through the daemon (alerts/create), oldest first; returns their ids in that order. */
export const seedAlerts = async (admin: DaemonClient, alerts: ReadonlyArray<SeedAlert>): Promise<Array<number>> => {
  const ids: Array<number> = []
  for (const a of alerts) {
    const created = await admin.call(Alerts.AlertsCreate, {
      name: a.name,
      description: a.description ?? `${a.name}: seen by the test`,
      customerCode: a.customerCode ?? "ACME",
      source: a.source ?? "wazuh",
      ...(a.tags ? { tags: a.tags } : {}),
      ...(a.iocs ? { iocs: a.iocs } : {}),
      ...(a.assets ? { assets: a.assets } : {})
    })
    ids.push(created.id)
  }
  return ids
}

/** A document in the daemon's local SIEM index (sockeye_siem_documents), for alerts/event. */
export const seedSiemDocument = (url: string, index: string, id: string, source: unknown) =>
  query(url, "insert into sockeye_siem_documents (index_name, doc_id, ts, source) values ($1, $2, now(), $3::jsonb)", [index, id, JSON.stringify(source)])

export const createCase = (admin: DaemonClient, name: string, alertIds: ReadonlyArray<number>) =>
  admin.call(Cases.CasesCreate, { name, description: `${name} (test case)`, alertIds })
