import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Effect, Layer, ManagedRuntime, Option, Redacted } from "effect"
import * as net from "node:net"
import type { DaemonClient } from "@sockeye/client"
import { Siem } from "@sockeye/protocol"
import * as DaemonConfig from "../../../src/DaemonConfig.js"
import * as Database from "../../../src/db/Database.js"
import * as LocalIndex from "../../../src/connectors/siem/LocalIndex.js"
import { NO_SIEM_MESSAGE } from "../../../src/connectors/siem/layer.js"
import { SiemIndex } from "../../../src/connectors/siem/SiemIndex.js"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { startDaemon, type RunningDaemon } from "../../fixtures/Daemon.js"
import { startOpenSearchServer, type OpenSearchServer } from "../../fixtures/OpenSearchServer.js"
import { connectAs, seedCustomer, seedUser } from "../../fixtures/Seed.js"
import { loadFixtureDocs } from "../../connectors/siem/siemFixtures.js"

/**
 * siem/get, siem/search and alerts/event over the daemon's JSON-RPC: with the default local
 * index (filled with the real fixture documents), with SOCKEYE_SIEM=none, with an OpenSearch
 * URL on a closed port, and with the OpenSearch stand-in server (test/fixtures/OpenSearchServer.ts,
 * an HTTP server that stands in for OpenSearch, which cannot run here).
 */

let db: Awaited<ReturnType<typeof createTestDatabase>>
const daemons: Array<RunningDaemon> = []
const clients: Array<DaemonClient> = []
let local: RunningDaemon
let opensearch: OpenSearchServer
const docs = loadFixtureDocs()
const sshd = docs.find((d) => d.id === "wazuh__integratord-test-case__read_valid_json_alert:0")!
const office = docs.find((d) => d.id === "0NRwVY0B9LTh695MCISi")!
const ids: Record<string, number> = {}

const start = async (env: Record<string, string> = {}) => {
  const daemon = await startDaemon({ databaseUrl: db.url, env })
  daemons.push(daemon)
  return daemon
}
const as = async (daemon: RunningDaemon, username: string) => {
  const client = await connectAs(daemon, username)
  clients.push(client)
  return client
}

/** An alert of `customer` with assets pointing at SIEM documents. */
const seedAlert = async (customer: string, assets: ReadonlyArray<{ index: string; id: string }>) => {
  const [alert] = await query(db.url, `insert into incident_management_alert (alert_name, alert_description, status, customer_code, source)
    values ('sshd brute force', 'd', 'OPEN', $1, 'wazuh') returning id`, [customer])
  const [context] = await query(db.url, `insert into incident_management_alertcontext (source, context) values ('wazuh', '{}') returning id`)
  const assetIds: Array<number> = []
  for (const asset of assets) {
    const [row] = await query(db.url, `insert into incident_management_asset
      (alert_linked, asset_name, alert_context_id, customer_code, index_name, index_id) values ($1, 'host', $2, $3, $4, $5) returning id`,
    [alert.id, context.id, customer, asset.index, asset.id])
    assetIds.push(row.id)
  }
  return { id: alert.id as number, assets: assetIds }
}

const closedPort = () => new Promise<number>((done) => {
  const probe = net.createServer().listen(0, "127.0.0.1", () => {
    const port = (probe.address() as net.AddressInfo).port
    probe.close(() => done(port))
  })
})

let alertC1: { id: number; assets: Array<number> }
let alertC2: { id: number; assets: Array<number> }
let bare: { id: number; assets: Array<number> }
let webhook: { id: number; assets: Array<number> }

beforeAll(async () => {
  db = await createTestDatabase("siemrpc")
  local = await start()
  // The daemon has migrated: fill its local index the way the demo would, through the layer.
  const config = DaemonConfig.layer({ databaseUrl: Option.some(Redacted.make(db.url)) })
  const runtime = ManagedRuntime.make(LocalIndex.layer.pipe(Layer.provide(Database.layer), Layer.provide(config)))
  await runtime.runPromise(Effect.flatMap(SiemIndex, (s) => s.index(docs)))
  await runtime.dispose()
  await seedCustomer(db.url, "C1")
  await seedCustomer(db.url, "C2")
  ids["analyst"] = await seedUser(db.url, { username: "analyst", role: "analyst" })
  ids["cust1"] = await seedUser(db.url, { username: "cust1", role: "customer_user" })
  ids["cust2"] = await seedUser(db.url, { username: "cust2", role: "customer_user" })
  ids["sched"] = await seedUser(db.url, { username: "sched", role: "scheduler" })
  await query(db.url, `insert into user_customer_access (user_id, customer_code) values ($1, 'C1'), ($2, 'C2')`, [ids["cust1"], ids["cust2"]])
  alertC1 = await seedAlert("C1", [sshd, office])
  alertC2 = await seedAlert("C2", [{ index: sshd.index, id: "gone" }])
  bare = await seedAlert("C1", [])
  webhook = await seedAlert("C1", [{ index: "not_applicable", id: "not_applicable" }])
  opensearch = await startOpenSearchServer()
  opensearch.put(sshd.index, sshd.id, sshd.source)
})
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined)
  for (const daemon of daemons) await daemon.stop()
  await opensearch?.close()
  await db?.drop()
})

describe("siem/* with the local index (the default)", () => {
  it("siem/get: the document as stored; a missing one is -32004", async () => {
    const analyst = await as(local, "analyst")
    expect(await analyst.call(Siem.SiemGet, { index: office.index, id: office.id })).toEqual({ index: office.index, id: office.id, source: office.source })
    await expect(analyst.call(Siem.SiemGet, { index: office.index, id: "nope" }))
      .rejects.toMatchObject({ _tag: "NotFound", message: `document nope not found in index ${office.index}` })
  })

  it("siem/search: query, time range, sort and size; 50 hits by default", async () => {
    const analyst = await as(local, "analyst")
    const found = await analyst.call(Siem.SiemSearch, {
      indexPattern: "wazuh-alerts-*", query: "rule.groups:sshd AND rule.level:>=10", sort: { field: "timestamp", direction: "asc" },
      from: new Date("2022-01-01T00:00:00Z"), to: new Date("2023-01-01T00:00:00Z")
    })
    expect(found).toEqual({ total: 1, hits: [{ index: sshd.index, id: sshd.id, source: sshd.source }] })
    const all = await analyst.call(Siem.SiemSearch, { indexPattern: "wazuh-alerts-*" })
    expect(all.total).toBe(2696)
    expect(all.hits).toHaveLength(50)
    expect((await analyst.call(Siem.SiemSearch, { indexPattern: "gl-events*", size: 500 })).hits).toHaveLength(31)
  })

  it("siem/search: unsupported syntax is -32602 at params.query; size over 500 is refused by the schema", async () => {
    const analyst = await as(local, "analyst")
    await expect(analyst.call(Siem.SiemSearch, { indexPattern: "*", query: "rule.level:10^2" })).rejects.toMatchObject({
      _tag: "InvalidParams",
      issues: [{ path: ["query"], message: "query: boosts (^) are not supported (at character 14)" }]
    })
    await expect(analyst.call(Siem.SiemSearch, { indexPattern: "*", size: 501 })).rejects.toMatchObject({ _tag: "InvalidParams" })
  })

  it("siem/get and siem/search are staff only: -32003 for customer_user and scheduler", async () => {
    for (const username of ["cust1", "sched"]) {
      const client = await as(local, username)
      await expect(client.call(Siem.SiemSearch, { indexPattern: "*" })).rejects.toMatchObject({ _tag: "Forbidden" })
      await expect(client.call(Siem.SiemGet, { index: sshd.index, id: sshd.id })).rejects.toMatchObject({ _tag: "Forbidden" })
    }
  })

  it("alerts/event: the first asset's document, or the asset asked for", async () => {
    const cust1 = await as(local, "cust1")
    expect(await cust1.call(Siem.AlertsEvent, { alertId: alertC1.id })).toEqual({ index: sshd.index, id: sshd.id, source: sshd.source })
    expect(await cust1.call(Siem.AlertsEvent, { alertId: alertC1.id, assetId: alertC1.assets[1]! }))
      .toMatchObject({ index: office.index, id: office.id })
  })

  it("alerts/event: an alert the user may not see is NotFound exactly like one that does not exist", async () => {
    const cust2 = await as(local, "cust2")
    const hidden = await cust2.call(Siem.AlertsEvent, { alertId: alertC1.id }).catch((e) => e)
    const missing = await cust2.call(Siem.AlertsEvent, { alertId: 999_999 }).catch((e) => e)
    expect(hidden).toMatchObject({ _tag: "NotFound", message: `alert ${alertC1.id} not found` })
    expect(missing).toMatchObject({ _tag: "NotFound", message: "alert 999999 not found" })
    // Another alert's asset does not open this one's document.
    await expect(cust2.call(Siem.AlertsEvent, { alertId: alertC2.id, assetId: alertC1.assets[0]! }))
      .rejects.toMatchObject({ _tag: "NotFound", message: `asset ${alertC1.assets[0]} of alert ${alertC2.id} not found` })
  })

  it("alerts/event: no asset, a webhook alert, a document gone from the index", async () => {
    const analyst = await as(local, "analyst")
    await expect(analyst.call(Siem.AlertsEvent, { alertId: bare.id })).rejects.toMatchObject({ _tag: "NotFound", message: `alert ${bare.id} has no asset` })
    await expect(analyst.call(Siem.AlertsEvent, { alertId: webhook.id })).rejects.toMatchObject({ _tag: "NotFound", message: expect.stringContaining("has no SIEM document") })
    await expect(analyst.call(Siem.AlertsEvent, { alertId: alertC2.id }))
      .rejects.toMatchObject({ _tag: "NotFound", message: `document gone not found in index ${sshd.index}` })
  })
})

describe("siem/* without a usable SIEM: -32010, saying which", () => {
  it("SOCKEYE_SIEM=none: unconfigured", async () => {
    const daemon = await start({ SOCKEYE_SIEM: "none" })
    const analyst = await as(daemon, "analyst")
    await expect(analyst.call(Siem.SiemSearch, { indexPattern: "*" })).rejects.toMatchObject({ _tag: "Unavailable", message: NO_SIEM_MESSAGE })
    // alerts/event checks visibility first, then needs the SIEM.
    await expect((await as(daemon, "cust1")).call(Siem.AlertsEvent, { alertId: alertC1.id }))
      .rejects.toMatchObject({ _tag: "Unavailable", message: NO_SIEM_MESSAGE })
    await expect((await as(daemon, "cust2")).call(Siem.AlertsEvent, { alertId: alertC1.id })).rejects.toMatchObject({ _tag: "NotFound" })
  })

  it("an OpenSearch URL on a closed port: the daemon starts, and calls say the SIEM at that URL is unreachable", async () => {
    const port = await closedPort()
    const daemon = await start({ SOCKEYE_OPENSEARCH_URL: `http://127.0.0.1:${port}`, SOCKEYE_OPENSEARCH_TIMEOUT_MS: "2000" })
    const analyst = await as(daemon, "analyst")
    await expect(analyst.call(Siem.SiemGet, { index: sshd.index, id: sshd.id })).rejects.toMatchObject({
      _tag: "Unavailable", message: expect.stringMatching(new RegExp(`^the SIEM at http://127\\.0\\.0\\.1:${port} is unreachable: .*ECONNREFUSED`))
    })
  })
})

describe("siem/* through the OpenSearch stand-in", () => {
  it("SOCKEYE_OPENSEARCH_URL with basic auth: siem/get and alerts/event read the indexer", async () => {
    const daemon = await start({
      SOCKEYE_OPENSEARCH_URL: opensearch.url, SOCKEYE_OPENSEARCH_USERNAME: "wazuh", SOCKEYE_OPENSEARCH_PASSWORD: "pw"
    })
    const analyst = await as(daemon, "analyst")
    expect(await analyst.call(Siem.SiemGet, { index: sshd.index, id: sshd.id })).toEqual({ index: sshd.index, id: sshd.id, source: sshd.source })
    expect(await (await as(daemon, "cust1")).call(Siem.AlertsEvent, { alertId: alertC1.id })).toMatchObject({ id: sshd.id })
    const gets = opensearch.requests.filter((r) => r.path === `/${sshd.index}/_doc/${encodeURIComponent(sshd.id)}`)
    expect(gets).toHaveLength(2)
    for (const r of gets) expect(r.headers.authorization).toBe(`Basic ${Buffer.from("wazuh:pw").toString("base64")}`)
  })
})
