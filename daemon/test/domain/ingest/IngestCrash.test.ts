import { afterAll, afterEach, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Ingest } from "@sockeye/protocol"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { execFileSync } from "node:child_process"
import { DAEMON_BIN, startDaemon, type RunningDaemon } from "../../fixtures/Daemon.js"
import { demoDays, hostsOf } from "../../../src/domain/demo/documents.js"
import * as G from "../../../src/domain/demo/generator.js"
import { connectAdmin, indexDocuments } from "./fixtures.js"

/**
 * Exactly once: a daemon killed (SIGKILL) in the middle of a run, and two daemons collecting the
 * same documents at the same time. Either way every document is in the ledger once, counted as
 * created or merged by exactly one run, and the alerts are exactly one per customer and title.
 */

const DOCUMENTS = 5000
const databases: Array<Awaited<ReturnType<typeof createTestDatabase>>> = []
const daemons: Array<RunningDaemon> = []
const clients: Array<DaemonClient> = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)))
  await Promise.all(daemons.splice(0).map((d) => d.stop()))
})
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()))
})

interface Counts { documents: number; created: number; merged: number; skipped: number; failed: number }

/** A database with the demo's customers and DOCUMENTS generated Wazuh alerts in its local index. */
const world = async (label: string, seed: number) => {
  const db = await createTestDatabase(label)
  databases.push(db)
  execFileSync(process.execPath, [DAEMON_BIN, "migrate"], { env: { ...process.env, SOCKEYE_DATABASE_URL: db.url } })
  for (const c of G.customers) await query(db.url, `insert into customers (customer_code, customer_name) values ($1, $2)`, [c.code, c.name])
  const rng = G.prng(seed)
  const docs = demoDays(rng, hostsOf(rng, G.customers), DOCUMENTS, Date.UTC(2025, 5, 1)).flatMap((d) => d.alerts)
  await indexDocuments(db.url, docs)
  return db
}

const start = async (url: string) => {
  const daemon = await startDaemon({ databaseUrl: url })
  daemons.push(daemon)
  const client = await connectAdmin(daemon)
  clients.push(client)
  return { daemon, client }
}

const count = async (url: string, sql: string) => Number((await query(url, sql))[0].n)
const sum = (all: ReadonlyArray<Counts>) => all.reduce((a, c) => ({
  documents: a.documents + c.documents, created: a.created + c.created, merged: a.merged + c.merged, skipped: a.skipped + c.skipped, failed: a.failed + c.failed
}), { documents: 0, created: 0, merged: 0, skipped: 0, failed: 0 })

const runUntilIdle = async (client: DaemonClient) => {
  const runs: Array<Counts> = []
  for (let i = 0; i < 20; i++) {
    const counts: Counts = await client.call(Ingest.IngestRun, { source: "wazuh" })
    runs.push(counts)
    if (counts.documents === 0) return runs
  }
  throw new Error("ingestion did not settle")
}

/** What must hold once everything is ingested, however many runs and daemons it took. */
const expectExactlyOnce = async (url: string) => {
  expect(await count(url, `select count(*) as n from sockeye_ingested_documents`)).toBe(DOCUMENTS)
  // Each document's alert has the document's customer and title.
  expect(await count(url, `select count(*) as n from sockeye_ingested_documents l
    join sockeye_siem_documents d on d.index_name = l.index_name and d.doc_id = l.doc_id
    join incident_management_alert a on a.id = l.alert_id
    where a.customer_code = d.source->'agent'->'labels'->>'customer' and a.alert_name = d.source->'rule'->>'description'`)).toBe(DOCUMENTS)
  // One alert per customer and title, all OPEN: no document opened a second one.
  expect(await count(url, `select count(*) as n from incident_management_alert`))
    .toBe(await count(url, `select count(distinct (source->'agent'->'labels'->>'customer', source->'rule'->>'description')) as n from sockeye_siem_documents`))
  expect(await count(url, `select count(*) as n from incident_management_alert where status <> 'OPEN'`)).toBe(0)
  // No document made two assets; each alert has one asset per host.
  expect(await count(url, `select count(*) as n from (select index_name, index_id from incident_management_asset group by 1, 2 having count(*) > 1) x`)).toBe(0)
  expect(await count(url, `select count(*) as n from (select alert_linked, asset_name from incident_management_asset group by 1, 2 having count(*) > 1) x`)).toBe(0)
  // Every document carries its alert id, written back after its commit.
  expect(await count(url, `select count(*) as n from sockeye_ingested_documents l
    join sockeye_siem_documents d on d.index_name = l.index_name and d.doc_id = l.doc_id
    where (d.source->>'alert_id')::int = l.alert_id`)).toBe(DOCUMENTS)
  expect(await count(url, `select count(*) as n from sockeye_ingest_failures`)).toBe(0)
}

describe("exactly once", () => {
  it("survives a daemon killed mid-run: a restarted one finishes, and no document is ingested twice", async () => {
    const db = await world("ingestkill", 7)
    const first = await start(db.url)
    const killed = first.client.call(Ingest.IngestRun, { source: "wazuh" }).then(() => "finished", () => "lost")
    let before = 0
    for (let i = 0; i < 3000 && before === 0; i++) {
      await new Promise((r) => setTimeout(r, 5))
      before = await count(db.url, `select count(*) as n from sockeye_ingested_documents`)
    }
    first.daemon.process.kill("SIGKILL")
    expect(await first.daemon.exited).toBe(null)
    expect(await killed).toBe("lost")
    const committed = await count(db.url, `select count(*) as n from sockeye_ingested_documents`)
    expect(committed).toBeGreaterThan(0)
    expect(committed).toBeLessThan(DOCUMENTS)

    const second = await start(db.url)
    const total = sum(await runUntilIdle(second.client))
    // What the killed daemon committed, and nothing else, is skipped; the rest is created or merged once.
    expect(committed + total.created + total.merged).toBe(DOCUMENTS)
    expect(total.failed).toBe(0)
    expect(total.documents).toBe(total.created + total.merged + total.skipped)
    await expectExactlyOnce(db.url)
  })

  it("lets two daemons collect the same documents at once: each document is made an alert by one of them", async () => {
    const db = await world("ingesttwo", 11)
    const [a, b] = await Promise.all([start(db.url), start(db.url)])
    const [runsA, runsB] = await Promise.all([runUntilIdle(a.client), runUntilIdle(b.client)])
    const total = sum([...runsA, ...runsB])
    expect(total.created + total.merged).toBe(DOCUMENTS)
    expect(total.created).toBe(await count(db.url, `select count(*) as n from incident_management_alert`))
    expect(total.failed).toBe(0)
    await expectExactlyOnce(db.url)
  })
})
