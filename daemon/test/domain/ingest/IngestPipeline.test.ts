import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Ingest, type ParamsOf } from "@sockeye/protocol"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { startDaemon, type RunningDaemon } from "../../fixtures/Daemon.js"
import { connectAs, seedCustomer, seedUser } from "../../fixtures/Seed.js"
import { auditRows, listenChanges } from "../alerts/fixtures.js"
import { wazuhDefaults } from "../../../src/domain/ingest/WazuhDefaults.js"
import { connectAdmin, indexDocuments } from "./fixtures.js"

/** Ingestion through the daemon on hand-made documents: dedup, Graylog events, failures and retries, mappings. */

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
let admin: DaemonClient
let analyst: DaemonClient
let changes: Awaited<ReturnType<typeof listenChanges>>

// Direct collection reads after its checkpoint: each document is later than the ones before.
let clock = Date.UTC(2025, 0, 15, 8)
const tick = () => new Date(clock += 60_000)

const wazuhDoc = (id: string, o: { customer: string; title: string; host: string; srcip?: string }) => {
  const at = tick()
  return {
    index: `wazuh-alerts-4.x-${at.toISOString().slice(0, 10).replaceAll("-", ".")}`,
    id,
    source: {
      timestamp: at.toISOString().replace("Z", "+0000"),
      rule: { level: 10, description: o.title, id: "5712", groups: ["sshd"] },
      agent: { id: "007", name: o.host, labels: { customer: o.customer } },
      manager: { name: "wazuh-manager" },
      ...(o.srcip ? { data: { srcip: o.srcip } } : {}),
      full_log: `sshd: Invalid user from ${o.srcip ?? "-"}`
    }
  }
}
const glEvent = (id: string, origin: { index: string; id: string }) => ({
  index: "gl-events_0",
  id,
  source: {
    id, event_definition_type: "aggregation-v1", origin_context: `urn:graylog:message:es:${origin.index}:${origin.id}`,
    timestamp: tick().toISOString().replace("T", " ").replace("Z", ""), message: "event", alert: true,
    fields: { COPILOT_ALERT_ID: "NONE" }
  }
})

const run = (params: ParamsOf<typeof Ingest.IngestRun>) => admin.call(Ingest.IngestRun, params)
const rows = <R extends Record<string, any>>(sql: string, values: Array<unknown> = []) => query<R>(db.url, sql, values)
const alertsOf = (customer: string) => rows<{ id: number; status: string; alert_name: string; alert_description: string; source: string; assigned_to: string | null; escalated: boolean }>(
  `select id, status, alert_name, alert_description, source, assigned_to, escalated from incident_management_alert where customer_code = $1 order by id`, [customer])
const assetsOf = (alertId: number) => rows<{ asset_name: string; agent_id: string | null; index_name: string; index_id: string; context: Record<string, unknown> }>(
  `select s.asset_name, s.agent_id, s.index_name, s.index_id, c.context from incident_management_asset s
   join incident_management_alertcontext c on c.id = s.alert_context_id where s.alert_linked = $1 order by s.id`, [alertId])
const iocsOf = (alertId: number) => rows<{ value: string; type: string }>(
  `select i.value, i.type from incident_management_alert_to_ioc l join incident_management_ioc i on i.id = l.ioc_id where l.alert_id = $1 order by i.value`, [alertId])
const siemDoc = async (index: string, id: string) =>
  (await rows<{ source: Record<string, any> }>(`select source from sockeye_siem_documents where index_name = $1 and doc_id = $2`, [index, id]))[0]!.source

beforeAll(async () => {
  db = await createTestDatabase("ingestpipe")
  daemon = await startDaemon({ databaseUrl: db.url })
  admin = await connectAdmin(daemon)
  await seedUser(db.url, { username: "ana", role: "analyst" })
  await seedUser(db.url, { username: "cus", role: "customer_user" })
  analyst = await connectAs(daemon, "ana")
  changes = await listenChanges(db.url)
})
afterAll(async () => {
  await changes?.close()
  await analyst?.close()
  await admin?.close()
  await daemon?.stop()
  await db?.drop()
})

describe("dedup (copilot-facts §f.8, §f.9)", () => {
  it("makes one OPEN alert per customer and title: a host once, an IoC value once", async () => {
    await seedCustomer(db.url, "ACME", "Acme Corporation")
    await query(db.url, `insert into agents (agent_id, ip_address, os, hostname, label, wazuh_last_seen, wazuh_agent_version, wazuh_agent_status, customer_code, velociraptor_id)
      values ('042', '10.0.0.42', 'Ubuntu', 'web-01', 'web', now(), 'v4.14', 'active', 'ACME', 'C.1234')`)
    const title = "sshd: brute force trying to get access to the system. Non existent user."
    await indexDocuments(db.url, [
      wazuhDoc("d1", { customer: "ACME", title, host: "web-01", srcip: "45.1.2.3" }),
      wazuhDoc("d2", { customer: "ACME", title: `\uFEFF ${title} `, host: "db-01", srcip: "45.1.2.4" }),
      wazuhDoc("d3", { customer: "ACME", title, host: "web-01", srcip: "45.1.2.3" })
    ])
    expect(await run({ source: "wazuh" })).toEqual({ documents: 3, created: 1, merged: 2, skipped: 0, failed: 0 })
    const [alert, ...others] = await alertsOf("ACME")
    expect(others).toEqual([])
    expect(alert).toMatchObject({ status: "OPEN", alert_name: title, alert_description: title, source: "wazuh", assigned_to: null, escalated: false })
    const assets = await assetsOf(alert!.id)
    expect(assets.map((a) => [a.asset_name, a.agent_id, a.index_id])).toEqual([["web-01", "042", "d1"], ["db-01", null, "d2"]])
    expect(assets[0]!.context).toMatchObject({ rule_description: title, agent_name: "web-01", data_srcip: "45.1.2.3", process_name: [] })
    expect(await rows(`select velociraptor_id from incident_management_asset where index_id = 'd1'`)).toEqual([{ velociraptor_id: "C.1234" }])
    expect(await iocsOf(alert!.id)).toEqual([{ value: "45.1.2.3", type: "IP" }, { value: "45.1.2.4", type: "IP" }])
    // The ledger knows all three; the SIEM documents carry the alert id.
    expect(await rows(`select doc_id, alert_id from sockeye_ingested_documents where doc_id in ('d1','d2','d3') order by 1`))
      .toEqual(["d1", "d2", "d3"].map((d) => ({ doc_id: d, alert_id: alert!.id })))
    expect((await siemDoc(assets[0]!.index_name, "d3"))["alert_id"]).toBe(alert!.id)
    // One audit row and one change per alert and kind.
    expect((await auditRows(db.url, "ingest/run")).filter((r) => r.message.endsWith(`alert ${alert!.id}`)).map((r) => [r.message, r.user_id]))
      .toEqual([[`documents ${assets[0]!.index_name}/d1, ${assets[0]!.index_name}/d2, ${assets[0]!.index_name}/d3 created alert ${alert!.id}`, null]])
    await changes.waitFor((e) => e.entity === "alert" && e.kind === "created" && e.ids.includes(alert!.id))
  })

  it("opens a new alert once the OPEN one is in progress, and merges into the OPEN one in a later run", async () => {
    const [alert] = await alertsOf("ACME")
    await indexDocuments(db.url, [wazuhDoc("d4", { customer: "ACME", title: alert!.alert_name, host: "vpn-01" })])
    expect(await run({ source: "wazuh" })).toEqual({ documents: 1, created: 0, merged: 1, skipped: 0, failed: 0 })
    await changes.waitFor((e) => e.entity === "alert" && e.kind === "updated" && e.ids.includes(alert!.id))
    await query(db.url, `update incident_management_alert set status = 'IN_PROGRESS' where id = $1`, [alert!.id])
    await indexDocuments(db.url, [wazuhDoc("d5", { customer: "ACME", title: alert!.alert_name, host: "vpn-01" })])
    expect(await run({ source: "wazuh" })).toEqual({ documents: 1, created: 1, merged: 0, skipped: 0, failed: 0 })
    const all = await alertsOf("ACME")
    expect(all.map((a) => a.status)).toEqual(["IN_PROGRESS", "OPEN"])
    expect((await assetsOf(all[1]!.id)).map((a) => a.index_id)).toEqual(["d5"])
  })

  it("keeps customers apart and matches a customer by name, storing its code", async () => {
    await seedCustomer(db.url, "GLBX", "Globex Industries")
    await indexDocuments(db.url, [wazuhDoc("g1", { customer: "globex_industries", title: "File added to the system.", host: "web-01" })])
    expect(await run({ source: "wazuh" })).toMatchObject({ created: 1, failed: 0 })
    expect((await alertsOf("GLBX")).map((a) => a.alert_name)).toEqual(["File added to the system."])
  })
})

describe("Graylog events (§f.1, §f.2, §f.10)", () => {
  it("follows origin_context to the original, and writes the alert id back to both", async () => {
    const original = wazuhDoc("Xk_9a-Bq0NRwVY0B9LT_", { customer: "ACME", title: "Suricata: Alert - ET SCAN", host: "fw-01", srcip: "203.0.113.9" })
    await indexDocuments(db.url, [original, glEvent("01JEVENT000000000000000001", original)])
    expect(await run({ source: "graylog" })).toEqual({ documents: 1, created: 1, merged: 0, skipped: 0, failed: 0 })
    const alert = (await alertsOf("ACME")).find((a) => a.alert_name === "Suricata: Alert - ET SCAN")!
    expect((await assetsOf(alert.id)).map((a) => [a.index_name, a.index_id])).toEqual([[original.index, original.id]])
    expect((await siemDoc("gl-events_0", "01JEVENT000000000000000001"))["fields"]).toEqual({ COPILOT_ALERT_ID: String(alert.id) })
    expect((await siemDoc(original.index, original.id))["alert_id"]).toBe(alert.id)
    // Written back: nothing is NONE any more; direct collection finds the original in the ledger.
    expect(await run({ source: "graylog" })).toEqual({ documents: 0, created: 0, merged: 0, skipped: 0, failed: 0 })
    expect(await run({ source: "wazuh" })).toEqual({ documents: 1, created: 0, merged: 0, skipped: 1, failed: 0 })
  })

  it("skips an event whose original was ingested already, and only writes it back", async () => {
    const alert = (await alertsOf("ACME")).find((a) => a.alert_name === "Suricata: Alert - ET SCAN")!
    const asset = (await assetsOf(alert.id))[0]!
    await indexDocuments(db.url, [glEvent("01JEVENT000000000000000002", { index: asset.index_name, id: asset.index_id })])
    expect(await run({ source: "graylog" })).toEqual({ documents: 1, created: 0, merged: 0, skipped: 1, failed: 0 })
    expect((await siemDoc("gl-events_0", "01JEVENT000000000000000002"))["fields"]).toEqual({ COPILOT_ALERT_ID: String(alert.id) })
  })
})

describe("failures (§f.5) and retries with backoff", () => {
  const failure = async (id: string) => (await rows<{ attempts: number; error: string; wait: number }>(
    `select attempts, error, extract(epoch from next_attempt_at - last_failed_at)::int as wait from sockeye_ingest_failures where doc_id = $1`, [id]))[0]

  it("records an unknown customer, backs off, and ingests once the customer exists", async () => {
    const doc = wazuhDoc("n1", { customer: "NEWCO", title: "Integrity checksum changed.", host: "fs-01" })
    await indexDocuments(db.url, [doc, wazuhDoc("n2", { customer: "ACME", title: "Integrity checksum changed.", host: "fs-01" })])
    // The failure never blocks the rest of the batch.
    expect(await run({ source: "wazuh" })).toEqual({ documents: 2, created: 1, merged: 0, skipped: 0, failed: 1 })
    expect(await failure("n1")).toEqual({ attempts: 1, error: "unknown customer NEWCO (has it been provisioned?)", wait: 60 })
    expect(await admin.call(Ingest.IngestFailures, {})).toEqual([
      { index: doc.index, id: "n1", error: "unknown customer NEWCO (has it been provisioned?)", attempts: 1, nextAttemptAt: expect.any(Date) }
    ])
    expect(await run({ source: "wazuh" })).toEqual({ documents: 0, created: 0, merged: 0, skipped: 0, failed: 0 })
    await query(db.url, `update sockeye_ingest_failures set next_attempt_at = now() where doc_id = 'n1'`)
    expect(await run({ source: "wazuh" })).toEqual({ documents: 1, created: 0, merged: 0, skipped: 0, failed: 1 })
    expect(await failure("n1")).toMatchObject({ attempts: 2, wait: 120 })
    await query(db.url, `update sockeye_ingest_failures set attempts = 30 where doc_id = 'n1'`)
    await query(db.url, `update sockeye_ingest_failures set next_attempt_at = now() where doc_id = 'n1'`)
    await run({ source: "wazuh" })
    expect(await failure("n1")).toMatchObject({ attempts: 31, wait: 86_400 })

    await seedCustomer(db.url, "NEWCO", "New Company")
    await query(db.url, `update sockeye_ingest_failures set next_attempt_at = now() where doc_id = 'n1'`)
    expect(await run({ source: "wazuh" })).toEqual({ documents: 1, created: 1, merged: 0, skipped: 0, failed: 0 })
    expect(await failure("n1")).toBeUndefined()
    expect(await admin.call(Ingest.IngestFailures, {})).toEqual([])
    expect((await alertsOf("NEWCO")).map((a) => a.alert_name)).toEqual(["Integrity checksum changed."])
  })

  it("names what is missing: a title, an asset, a source mapping, a customer field", async () => {
    const base = wazuhDoc("m0", { customer: "ACME", title: "t", host: "h" })
    const docs = [
      { ...base, id: "m1", source: { ...base.source, rule: { level: 3 } } },
      { ...base, id: "m2", source: { ...base.source, agent: { labels: { customer: "ACME" } } } },
      { ...base, id: "m3", source: { ...base.source, syslog_type: "fortigate" } },
      { ...base, id: "m4", source: { ...base.source, agent: { name: "h" } } }
    ]
    await indexDocuments(db.url, docs)
    expect(await run({ source: "wazuh" })).toMatchObject({ documents: 4, failed: 4 })
    expect(Object.fromEntries((await rows<{ doc_id: string; error: string }>(`select doc_id, error from sockeye_ingest_failures where doc_id like 'm%'`)).map((r) => [r.doc_id, r.error])))
      .toEqual({
        m1: "missing title field rule_description",
        m2: "missing asset field agent_name",
        m3: "source fortigate has no field mapping (ingest/fieldNames/set)",
        m4: "no customer code: none of agent_labels_customer, syslog_customer, customer_code, aws_account_id, cluster_node is set"
      })
  })

  it("is for SOC staff and admins only", async () => {
    const customerUser = await connectAs(daemon, "cus")
    try {
      await expect(customerUser.call(Ingest.IngestFailures, {})).rejects.toMatchObject({ _tag: "Forbidden" })
      await expect(analyst.call(Ingest.IngestRun, {})).rejects.toMatchObject({ _tag: "Forbidden" })
      await expect(customerUser.call(Ingest.FieldNamesSet, { source: "x", fields: wazuhDefaults })).rejects.toMatchObject({ _tag: "Forbidden" })
      expect((await analyst.call(Ingest.IngestFailures, { limit: 1 })).length).toBe(1)
    } finally {
      await customerUser.close()
    }
    await expect(run({ source: "bogus" })).rejects.toMatchObject({ _tag: "InvalidParams", message: expect.stringContaining("unknown collector bogus") })
  })
})

describe("field mappings (ingest/fieldNames/*)", () => {
  it("ships the recommended Wazuh mapping, the same as WazuhDefaults", async () => {
    expect(await admin.call(Ingest.Sources, {})).toEqual(["wazuh"])
    expect(await admin.call(Ingest.FieldNamesGet, { source: "wazuh" })).toEqual({ source: "wazuh", fields: wazuhDefaults })
  })

  it("replaces a source's mapping as a whole, audited, and reads it back", async () => {
    const first = { fieldName: ["data_office365_Operation", "data_office365_UserId"], asset: ["data_office365_UserId", "agent_name"], timestamp: "timestamp",
      title: "rule_description", ioc: ["data_office365_ClientIP"], customerCode: "data_office365_OrganizationId" }
    expect(await analyst.call(Ingest.FieldNamesSet, { source: "office365", fields: first })).toEqual({ source: "office365", fields: first })
    const second = { ...first, fieldName: ["data_office365_Workload"], ioc: [] }
    await admin.call(Ingest.FieldNamesSet, { source: "office365", fields: second })
    expect(await admin.call(Ingest.FieldNamesGet, { source: "office365" })).toEqual({ source: "office365", fields: second })
    expect(await admin.call(Ingest.Sources, {})).toEqual(["office365", "wazuh"])
    expect((await auditRows(db.url, "ingest/fieldNames/set")).map((r) => r.message)).toEqual([
      "field mapping of source office365 replaced: title rule_description, asset data_office365_UserId,agent_name, timestamp timestamp, customer code data_office365_OrganizationId, 1 IoC and 2 context fields",
      "field mapping of source office365 replaced: title rule_description, asset data_office365_UserId,agent_name, timestamp timestamp, customer code data_office365_OrganizationId, 0 IoC and 1 context fields"
    ])
    expect(Number((await rows(`select count(*) as n from incident_management_fieldname where source = 'office365'`))[0].n)).toBe(1)
  })

  it("refuses what the tables cannot hold, and answers NotFound for an unknown source", async () => {
    await expect(admin.call(Ingest.FieldNamesGet, { source: "nope" })).rejects.toMatchObject({ _tag: "NotFound", message: "source nope not found" })
    await expect(admin.call(Ingest.FieldNamesSet, { source: "x", fields: { ...wazuhDefaults, title: "t".repeat(101) } }))
      .rejects.toMatchObject({ _tag: "InvalidParams", issues: [{ path: ["fields", "title"], message: "at most 100 characters (the field_name column)" }] })
    await expect(admin.call(Ingest.FieldNamesSet, { source: "x", fields: { ...wazuhDefaults, ioc: ["a", "a"], asset: ["a,b"] } }))
      .rejects.toMatchObject({ _tag: "InvalidParams", issues: [{ path: ["fields", "asset", 0] }, { path: ["fields", "ioc", 1] }] })
    await expect(admin.call(Ingest.FieldNamesSet, { source: "x", fields: { ...wazuhDefaults, asset: [] } }))
      .rejects.toMatchObject({ _tag: "InvalidParams" })
    await expect(admin.call(Ingest.FieldNamesSet, { source: "", fields: wazuhDefaults })).rejects.toMatchObject({ _tag: "InvalidParams" })
    expect(await admin.call(Ingest.Sources, {})).toEqual(["office365", "wazuh"])
  })
})

describe("without a SIEM", () => {
  it("answers -32010 saying so, and ingests nothing", async () => {
    const other = await startDaemon({ databaseUrl: db.url, env: { SOCKEYE_SIEM: "none" } })
    const client = await connectAdmin(other)
    try {
      await expect(client.call(Ingest.IngestRun, {})).rejects.toMatchObject({ _tag: "Unavailable", message: expect.stringContaining("no SIEM is configured") })
      expect(await client.call(Ingest.FieldNamesGet, { source: "wazuh" })).toEqual({ source: "wazuh", fields: wazuhDefaults })
    } finally {
      await client.close()
      await other.stop()
    }
  })
})
