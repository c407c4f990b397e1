/**
 * $/progress over JSON-RPC against the built daemon: jobs/run and ingest/run with a progressToken
 * report begin, percentages and end; a job's reports go on after jobs/run has answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Ingest, Jobs, Notifications } from "@sockeye/protocol"
import type { DaemonClient } from "@sockeye/client"
import { createTestDatabase } from "../../fixtures/Postgres.js"
import { startDaemon, type RunningDaemon } from "../../fixtures/Daemon.js"
import { seedCustomer } from "../../fixtures/Seed.js"
import { connectAdmin, indexDocuments } from "../ingest/fixtures.js"

const COLLECT = "invoke_alert_creation_collect"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
let admin: DaemonClient
let clock = Date.UTC(2025, 2, 1, 8)

/** `n` Wazuh alerts of customer ACME on 10 hosts, each later than the last (direct collection reads in time order). */
const wazuhDocs = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => {
  const at = new Date(clock += 1000)
  return {
    index: `wazuh-alerts-4.x-${at.toISOString().slice(0, 10).replaceAll("-", ".")}`,
    id: `${prefix}-${i}`,
    source: {
      timestamp: at.toISOString().replace("Z", "+0000"),
      rule: { level: 10, description: `rule ${i % 7}`, id: "5712", groups: ["sshd"] },
      agent: { id: "007", name: `host-${i % 10}`, labels: { customer: "ACME" } },
      manager: { name: "wazuh-manager" },
      full_log: "sshd: Invalid user"
    }
  }
})

/** Collects one token's $/progress values until `end`. */
const progressOf = () => {
  const values: Array<Notifications.ProgressValue> = []
  let ended: () => void = () => {}
  const end = new Promise<void>((resolve) => { ended = resolve })
  const onProgress = (value: Notifications.ProgressValue) => {
    values.push(value)
    if (value.kind === "end") ended()
  }
  const settled = () => Promise.race([end, new Promise((_, reject) => setTimeout(() => reject(new Error(`no end after ${JSON.stringify(values)}`)), 20_000))])
  return { values, onProgress, settled }
}

const expectWellFormed = (values: ReadonlyArray<Notifications.ProgressValue>) => {
  expect(values[0]!.kind).toBe("begin")
  expect(values.at(-1)!.kind).toBe("end")
  expect(values.slice(1, -1).every((v) => v.kind === "report")).toBe(true)
  const percentages = values.slice(1, -1).map((v) => v.percentage!)
  expect(percentages).toEqual([...percentages].sort((a, b) => a - b))
  return percentages
}

beforeAll(async () => {
  db = await createTestDatabase("jobsprogress")
  daemon = await startDaemon({ databaseUrl: db.url })
  admin = await connectAdmin(daemon)
  await seedCustomer(db.url, "ACME", "Acme Corporation")
})
afterAll(async () => {
  await admin?.close()
  await daemon?.stop()
  await db?.drop()
})

describe("$/progress", () => {
  it("jobs/run: begin with the run, a report per batch, end with the outcome; jobs/changed beside it", async () => {
    await indexDocuments(db.url, wazuhDocs("a", 2500))
    const changed: Array<{ id: string; status: string }> = []
    admin.on(Notifications.JobsChanged, (p) => changed.push(p))
    const progress = progressOf()
    const { runId } = await admin.call(Jobs.JobsRun, { id: COLLECT }, { onProgress: progress.onProgress })
    await progress.settled()
    const percentages = expectWellFormed(progress.values)
    expect(progress.values[0]).toEqual({ kind: "begin", title: `${COLLECT}: run ${runId}`, percentage: 0 })
    // Retries, then three batches of Wazuh alerts (1000, 1000, 500), then the total.
    expect(progress.values.filter((v) => v.message?.startsWith("Wazuh alerts:")).map((v) => v.message))
      .toEqual(["Wazuh alerts: 1000 documents", "Wazuh alerts: 2000 documents", "Wazuh alerts: 2500 documents"])
    expect(percentages.some((p) => p > 0 && p < 100)).toBe(true)
    expect(percentages.at(-1)).toBe(100)
    expect(progress.values.at(-1)).toEqual({
      kind: "end", message: `run ${runId} succeeded: documents 2500, created 7, merged 2493, skipped 0, failed 0`
    })
    for (let i = 0; i < 200 && !changed.some((c) => c.id === COLLECT && c.status === "succeeded"); i++) await new Promise((r) => setTimeout(r, 25))
    expect(changed.filter((c) => c.id === COLLECT).map((c) => c.status)).toEqual(["running", "succeeded"])
    const [run] = await admin.call(Jobs.JobsRuns, { id: COLLECT, limit: 1 })
    expect(run).toMatchObject({ runId, status: "succeeded", counts: { documents: 2500, created: 7 } })
  })

  it("jobs/run refused: no progress, the error and a skipped run", async () => {
    const progress = progressOf()
    const error = await admin.call(Jobs.JobsRun, { id: "resize_wazuh_index_fields" }, { onProgress: progress.onProgress }).catch((e) => e)
    expect(error).toMatchObject({ _tag: "Unavailable" })
    expect(progress.values).toEqual([])
    expect((await admin.call(Jobs.JobsRuns, { id: "resize_wazuh_index_fields" }))[0]).toMatchObject({ status: "skipped" })
  })

  it("ingest/run: begin, reports, end with the counts, all before the answer", async () => {
    await indexDocuments(db.url, wazuhDocs("b", 1200))
    const progress = progressOf()
    const counts = await admin.call(Ingest.IngestRun, { source: "wazuh" }, { onProgress: progress.onProgress })
    expect(counts).toEqual({ documents: 1200, created: 0, merged: 1200, skipped: 0, failed: 0 })
    await progress.settled()
    expectWellFormed(progress.values)
    expect(progress.values[0]).toEqual({ kind: "begin", title: "ingest/run", percentage: 0 })
    expect(progress.values.at(-1)).toEqual({ kind: "end", message: "1200 documents: 0 created, 1200 merged, 0 skipped, 0 failed" })
  })

  it("ingest/run that fails ends its progress with the error", async () => {
    const other = await startDaemon({ databaseUrl: db.url, env: { SOCKEYE_SIEM: "none" } })
    const client = await connectAdmin(other)
    try {
      const progress = progressOf()
      const error = await client.call(Ingest.IngestRun, {}, { onProgress: progress.onProgress }).catch((e) => e)
      expect(error).toMatchObject({ _tag: "Unavailable" })
      await progress.settled()
      expect(progress.values).toEqual([
        { kind: "begin", title: "ingest/run", percentage: 0 },
        { kind: "end", message: `failed: ${error.message}` }
      ])
    } finally {
      await client.close()
      await other.stop()
    }
  })
})
