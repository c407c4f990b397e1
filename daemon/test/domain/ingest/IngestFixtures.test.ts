import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Ingest } from "@sockeye/protocol"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { startDaemon, type RunningDaemon } from "../../fixtures/Daemon.js"
import { resolveField, textOf } from "../../../src/domain/ingest/Extract.js"
import { wazuhDefaults } from "../../../src/domain/ingest/WazuhDefaults.js"
import { connectAdmin, indexDocuments, readFixture } from "./fixtures.js"

/**
 * Every real fixture document (../shared/fixtures/siem: 2,696 Wazuh alerts, 33 Graylog events)
 * indexed into the local index and collected by the daemon: each one ingests, or fails with the
 * reason its class calls for. None of them names a customer the way agents are labelled, so
 * first they all fail; then, as an MSSP running one Wazuh manager per customer would, the
 * mapping takes the customer from manager_name and the customers are provisioned.
 */

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
let admin: DaemonClient
const wazuh = readFixture("wazuh-alerts")
// CoPilot's Graylog event definitions add COPILOT_ALERT_ID = "NONE"; the fixtures predate it.
const events = readFixture("graylog").map((d) => ({ ...d, source: { ...d.source, fields: { ...(d.source["fields"] as object), COPILOT_ALERT_ID: "NONE" } } }))

const errors = async () =>
  Object.fromEntries((await query<{ error: string; n: number }>(db.url,
    `select error, count(*)::int as n from sockeye_ingest_failures group by error order by error`)).map((r) => [r.error, r.n]))
const count = async (sql: string) => Number((await query(db.url, sql))[0].n)

/** Runs a collector until it finds nothing due, summing the counts. */
const runUntilIdle = async (source: "graylog" | "wazuh") => {
  const total = { documents: 0, created: 0, merged: 0, skipped: 0, failed: 0 }
  for (let i = 0; i < 20; i++) {
    const counts = await admin.call(Ingest.IngestRun, { source })
    for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += counts[k]
    if (counts.documents === 0) return total
  }
  throw new Error("ingestion did not settle")
}

beforeAll(async () => {
  db = await createTestDatabase("ingestfix")
  daemon = await startDaemon({ databaseUrl: db.url })
  admin = await connectAdmin(daemon)
  expect(wazuh.length).toBe(2696)
  expect(events.length).toBe(33)
  await indexDocuments(db.url, [...wazuh, ...events])
}, 120_000)
afterAll(async () => {
  await admin?.close()
  await daemon?.stop()
  await db?.drop()
})

describe("the fixtures with the shipped mapping and no customers", () => {
  it("rejects every Graylog event: 32 name no message, 1 names one that is not indexed", async () => {
    expect(await admin.call(Ingest.IngestRun, { source: "graylog" })).toEqual({ documents: 33, created: 0, merged: 0, skipped: 0, failed: 33 })
    expect(await errors()).toEqual({
      "the Graylog event has no origin_context naming a message (urn:graylog:message:es:<index>:<id>)": 32,
      "original document graylog-01_3/766b70b4-f94f-11ef-be9a-005056b6f13d not found": 1
    })
  })

  it("rejects every Wazuh alert for its customer: 1000 name a manager node that is not a customer, 1696 none", async () => {
    const counts = await admin.call(Ingest.IngestRun, { source: "wazuh" })
    expect(counts).toEqual({ documents: 2696, created: 0, merged: 0, skipped: 0, failed: 2696 })
    const byError = await errors()
    expect(byError["unknown customer wazuh-manager (has it been provisioned?)"]).toBe(1000)
    expect(byError["no customer code: none of agent_labels_customer, syslog_customer, customer_code, aws_account_id, cluster_node is set"]).toBe(1696)
    expect(await count(`select count(*) as n from incident_management_alert`)).toBe(0)
    expect(await count(`select count(*) as n from sockeye_ingested_documents`)).toBe(0)
    // Recorded for a retry in a minute, not now: a second run reads nothing.
    expect(await admin.call(Ingest.IngestRun, { source: "wazuh" })).toEqual({ documents: 0, created: 0, merged: 0, skipped: 0, failed: 0 })
    const listed = await admin.call(Ingest.IngestFailures, { limit: 500 })
    expect(listed).toHaveLength(500)
    expect(listed.every((f) => f.attempts === 1 && f.nextAttemptAt !== null && f.nextAttemptAt.getTime() > Date.now())).toBe(true)
  })
})

describe("the fixtures once customers are provisioned", () => {
  // The manager name, as code or as name (case-insensitive): one customer per Wazuh manager.
  const customerOf: Record<string, string | undefined> = {
    "user-0": "user-0", "wazuh.manager": "wazuh.manager", "localhost.localdomain": "localhost.localdomain", "wazuh-manager": "WZM", manager: "AWS"
  }

  it("ingests every Wazuh alert on retry but the one whose manager is no customer", async () => {
    await admin.call(Ingest.FieldNamesSet, { source: "wazuh", fields: { ...wazuhDefaults, customerCode: "manager_name" } })
    await query(db.url, `insert into customers (customer_code, customer_name) values
      ('user-0', 'AIT testbed'), ('wazuh.manager', 'AIT LDS'), ('localhost.localdomain', 'Lab'), ('WZM', 'Wazuh-Manager'), ('AWS', 'MANAGER')`)
    await query(db.url, `update sockeye_ingest_failures set next_attempt_at = now()`)
    const total = await runUntilIdle("wazuh")
    expect(total).toEqual({ documents: 2696, created: expect.any(Number), merged: expect.any(Number), skipped: 0, failed: 1 })
    expect(total.created + total.merged).toBe(2695)
    expect(await errors()).toMatchObject({ "unknown customer wazuh-server (has it been provisioned?)": 1 })
    expect(await count(`select count(*) as n from sockeye_ingest_failures where doc_id not like 'event%' and index_name like 'wazuh%'`)).toBe(1)
  })

  it("made one OPEN alert per customer and title, with one asset per host and the document written back", async () => {
    const expected = new Map<string, Set<string>>()
    for (const doc of wazuh) {
      const customer = customerOf[String(resolveField(doc.source, "manager_name"))]
      if (!customer) continue
      const key = `${customer}\u0000${textOf(resolveField(doc.source, "rule_description"))}`
      expected.set(key, (expected.get(key) ?? new Set()).add(String(resolveField(doc.source, "agent_name"))))
    }
    const alerts = await query<{ customer_code: string; alert_name: string; status: string; source: string; assets: Array<string> }>(db.url, `
      select a.customer_code, a.alert_name, a.status, a.source,
             array(select s.asset_name from incident_management_asset s where s.alert_linked = a.id order by 1) as assets
      from incident_management_alert a`)
    expect(alerts.length).toBe(expected.size)
    for (const a of alerts) {
      expect([...(expected.get(`${a.customer_code}\u0000${a.alert_name}`) ?? [])].sort()).toEqual(a.assets)
      expect(a.status).toBe("OPEN")
      expect(a.source).toBe("wazuh")
    }
    expect(await count(`select count(*) as n from sockeye_ingested_documents`)).toBe(2695)
    expect(await count(`select count(*) as n from sockeye_ingested_documents l
      join sockeye_siem_documents d on d.index_name = l.index_name and d.doc_id = l.doc_id
      where (d.source->>'alert_id')::int = l.alert_id`)).toBe(2695)
    // Every asset points at a document of the index that became its alert.
    expect(await count(`select count(*) as n from incident_management_asset s
      join sockeye_ingested_documents l on l.index_name = s.index_name and l.doc_id = s.index_id and l.alert_id = s.alert_linked`))
      .toBe(await count(`select count(*) as n from incident_management_asset`))
    // One context per asset; every IoC linked once per alert and value.
    expect(await count(`select count(*) as n from incident_management_alertcontext`)).toBe(await count(`select count(*) as n from incident_management_asset`))
    expect(await count(`select count(*) as n from (select l.alert_id, i.value from incident_management_alert_to_ioc l
      join incident_management_ioc i on i.id = l.ioc_id group by 1, 2 having count(*) > 1) x`)).toBe(0)
    expect(await count(`select count(distinct value) as n from incident_management_ioc`)).toBe(await count(`select count(*) as n from incident_management_ioc`))
  })

  it("types the fixtures' IoCs: source IPs, FIM and VirusTotal hashes", async () => {
    const types = Object.fromEntries((await query<{ type: string; n: number }>(db.url,
      `select type, count(*)::int as n from incident_management_ioc group by type`)).map((r) => [r.type, r.n]))
    expect(Object.keys(types).sort()).toEqual(["HASH", "IP"])
    expect(await count(`select count(*) as n from incident_management_ioc where type = 'IP' and value !~ '^\\d+\\.\\d+\\.\\d+\\.\\d+$'`)).toBe(0)
  })

  it("collects nothing new on the next run, and the events stay failed until their originals exist", async () => {
    await query(db.url, `update sockeye_ingest_failures set next_attempt_at = now() where index_name like 'gl-events%'`)
    expect(await admin.call(Ingest.IngestRun, { source: "graylog" })).toEqual({ documents: 33, created: 0, merged: 0, skipped: 0, failed: 33 })
    expect(await count(`select count(*) as n from sockeye_ingest_failures where index_name like 'gl-events%' and attempts = 2`)).toBe(33)
    expect(await admin.call(Ingest.IngestRun, { source: "wazuh" })).toEqual({ documents: 0, created: 0, merged: 0, skipped: 0, failed: 0 })
  })

  it("collects only Graylog events by default once Graylog is in use", async () => {
    await query(db.url, `update sockeye_ingest_failures set next_attempt_at = now()`)
    // 34 due failures: 33 events and the Wazuh alert; the default run retries the events only.
    expect(await admin.call(Ingest.IngestRun, {})).toMatchObject({ documents: 33, failed: 33 })
  })
})
