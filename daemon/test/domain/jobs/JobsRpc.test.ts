/**
 * jobs/list, jobs/update, jobs/run and jobs/runs over JSON-RPC against the built daemon. jobs/run
 * starts the run itself, so none of this needs the background loop.
 */
import { describe, expect, it } from "vitest"
import { codeOf, Jobs, Notifications, type RpcError } from "@sockeye/protocol"
import type { DaemonClient } from "@sockeye/client"
import * as os from "node:os"
import pg from "pg"
import { ADMIN_PASSWORD, startDaemon } from "../../fixtures/Daemon.js"
import { query } from "../../fixtures/Postgres.js"
import { connectAs, seedUser } from "../../fixtures/Seed.js"
import { rejection, useDaemon } from "../users/harness.js"

const { harness, track } = useDaemon("jobsrpc")
const LICENSE = "license_cache_expiry"
const NEEDS_INDEXER = "needs the Wazuh indexer (SOCKEYE_OPENSEARCH_URL)"

const changes = (client: DaemonClient) => {
  const received: Array<{ id: string; status: string }> = []
  client.on(Notifications.JobsChanged, (p) => received.push(p))
  const waitFor = async (id: string, status: string) => {
    for (let i = 0; i < 200 && !received.some((p) => p.id === id && p.status === status); i++) await new Promise((r) => setTimeout(r, 25))
    expect(received, `jobs/changed ${id} ${status}`).toContainEqual({ id, status })
  }
  return { received, waitFor }
}

/** Waits for the run to leave `running` and returns it. */
const finished = async (client: DaemonClient, id: string, runId: number) => {
  for (let i = 0; i < 200; i++) {
    const run = (await client.call(Jobs.JobsRuns, { id })).find((r) => r.runId === runId)
    if (run && run.status !== "running") return run
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`run ${runId} of ${id} did not finish`)
}

const session = async () => {
  const client = new pg.Client({ connectionString: harness.url })
  await client.connect()
  return client
}

describe("jobs over JSON-RPC", () => {
  it("jobs/list: every job with its settings; the indexer's jobs unavailable with the reason", async () => {
    await seedUser(harness.url, { username: "ana", role: "analyst" })
    const analyst = track(await connectAs(harness.daemon, "ana"))
    const jobs = await analyst.call(Jobs.JobsList, {})
    const byId = new Map(jobs.map((j) => [j.id, j]))
    expect(byId.get(LICENSE)).toMatchObject({ enabled: true, intervalMinutes: 60, running: false, lastSuccess: null })
    expect(byId.get(LICENSE)!.unavailable).toBeUndefined()
    expect(byId.get(LICENSE)!.nextRunAt).toBeInstanceOf(Date)
    expect(byId.get("invoke_snapshot_schedules")).toMatchObject({ intervalMinutes: 60, unavailable: NEEDS_INDEXER })
    expect(byId.get("resize_wazuh_index_fields")).toMatchObject({ intervalMinutes: 60, unavailable: NEEDS_INDEXER })
    const rows = await query(harness.url, "select job_id, time_interval, enabled from scheduled_job_metadata where job_id = $1", [LICENSE])
    expect(rows).toEqual([{ job_id: LICENSE, time_interval: 60, enabled: true }])
  })

  it("jobs/update: admin or scheduler only, audited, published; unknown jobs are not found", async () => {
    await seedUser(harness.url, { username: "bo", role: "analyst" })
    await seedUser(harness.url, { username: "sched", role: "scheduler" })
    const analyst = track(await connectAs(harness.daemon, "bo"))
    const scheduler = track(await connectAs(harness.daemon, "sched"))
    const feed = changes(analyst)
    await rejection(analyst.call(Jobs.JobsUpdate, { id: LICENSE, enabled: false }), -32003)
    await rejection(analyst.call(Jobs.JobsRun, { id: LICENSE }), -32003)
    const off = await harness.admin.call(Jobs.JobsUpdate, { id: LICENSE, enabled: false })
    expect(off).toMatchObject({ id: LICENSE, enabled: false, nextRunAt: null })
    await feed.waitFor(LICENSE, "disabled")
    const on = await scheduler.call(Jobs.JobsUpdate, { id: LICENSE, enabled: true, intervalMinutes: 30 })
    expect(on).toMatchObject({ enabled: true, intervalMinutes: 30 })
    expect(on.nextRunAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 60_000)
    const audit = await query(harness.url, "select route, message from log_entries where route = 'jobs/update' order by id")
    expect(audit).toEqual([
      { route: "jobs/update", message: `job ${LICENSE}: enabled true -> false, interval 60 -> 60 minutes` },
      { route: "jobs/update", message: `job ${LICENSE}: enabled false -> true, interval 60 -> 30 minutes` }
    ])
    const missing = await rejection(harness.admin.call(Jobs.JobsUpdate, { id: "agent_sync", enabled: false }), -32004)
    expect(missing.message).toBe("job agent_sync not found")
    await rejection(harness.admin.call(Jobs.JobsRuns, { id: "agent_sync" }), -32004)
  })

  it("jobs/run: starts a run in the background, progress as jobs/changed, history by jobs/runs", async () => {
    await query(harness.url, `insert into license_cache (license_key, feature_name, is_enabled, cached_at, expires_at)
      values ('k', 'expired', true, now() - interval '2 days', now() - interval '1 day'),
             ('k', 'live', true, now(), now() + interval '1 day')`)
    const feed = changes(harness.admin)
    const { runId } = await harness.admin.call(Jobs.JobsRun, { id: LICENSE })
    await feed.waitFor(LICENSE, "running")
    await feed.waitFor(LICENSE, "succeeded")
    const run = await finished(harness.admin, LICENSE, runId)
    expect(run).toMatchObject({ runId, jobId: LICENSE, status: "succeeded", counts: { deleted: 1 }, error: null })
    expect(run.runner).toMatch(/^.+:\d+$/)
    expect(run.durationMs).toBeGreaterThanOrEqual(0)
    expect(await query(harness.url, "select feature_name from license_cache")).toEqual([{ feature_name: "live" }])
    const listed = (await harness.admin.call(Jobs.JobsList, {})).find((j) => j.id === LICENSE)!
    expect(listed).toMatchObject({ running: false, lastRun: { status: "succeeded", startedAt: run.startedAt } })
    expect(listed.lastSuccess).toEqual(run.finishedAt)
    const audit = await query(harness.url, "select message from log_entries where route = 'jobs/run'")
    expect(audit).toContainEqual({ message: `job ${LICENSE}: run ${runId} started` })

    const second = await harness.admin.call(Jobs.JobsRun, { id: LICENSE })
    await finished(harness.admin, LICENSE, second.runId)
    const history = await harness.admin.call(Jobs.JobsRuns, { id: LICENSE, limit: 1 })
    expect(history.map((r) => r.runId)).toEqual([second.runId])
    expect((await harness.admin.call(Jobs.JobsRuns, { id: LICENSE })).map((r) => r.runId)).toEqual([second.runId, runId])
  })

  it("jobs/run: a second run while one is in progress is refused with -32009", async () => {
    const blocker = await session()
    try {
      // The run's DELETE waits behind this lock, so the run stays in progress.
      await blocker.query("begin")
      await blocker.query("lock table license_cache in access exclusive mode")
      const { runId } = await harness.admin.call(Jobs.JobsRun, { id: LICENSE })
      const busy = await rejection(harness.admin.call(Jobs.JobsRun, { id: LICENSE }), -32009)
      expect(busy.message).toMatch(new RegExp(`^job ${LICENSE} is already running: run \\d+ on \\S+:\\d+$`))
      const listed = (await harness.admin.call(Jobs.JobsList, {})).find((j) => j.id === LICENSE)!
      expect(listed).toMatchObject({ running: true, lastRun: { status: "running", durationMs: null } })
      await blocker.query("rollback")
      expect(await finished(harness.admin, LICENSE, runId)).toMatchObject({ status: "succeeded" })
    } finally {
      await blocker.end()
    }
  })

  it("jobs/run: the lock held by another daemon, or its live run, refuse the run; a dead run does not", async () => {
    const other = await session()
    try {
      await other.query("select pg_advisory_lock(hashtext($1))", [`sockeye-job:${LICENSE}`])
      await rejection(harness.admin.call(Jobs.JobsRun, { id: LICENSE }), -32009)
      await other.query("select pg_advisory_unlock(hashtext($1))", [`sockeye-job:${LICENSE}`])
    } finally {
      await other.end()
    }
    const [{ id }] = await query<{ id: number }>(harness.url, `insert into sockeye_job_runs (job_id, status, started_at, runner, heartbeat_at)
      values ($1, 'running', now(), 'otherhost:1', now()) returning id`, [LICENSE])
    await rejection(harness.admin.call(Jobs.JobsRun, { id: LICENSE }), -32009)
    await query(harness.url, "update sockeye_job_runs set heartbeat_at = now() - interval '5 minutes' where id = $1", [id])
    const { runId } = await harness.admin.call(Jobs.JobsRun, { id: LICENSE })
    expect(await finished(harness.admin, LICENSE, runId)).toMatchObject({ status: "succeeded" })
    const [dead] = await query(harness.url, "select status, error from sockeye_job_runs where id = $1", [id])
    expect(dead.status).toBe("failed")
    expect(dead.error).toMatch(/^runner died: otherhost:1 sent no heartbeat since /)
  })

  it("jobs/run: unavailable jobs are refused with the reason (-32010) and recorded skipped, unknown ones with -32004", async () => {
    const refused = await rejection(harness.admin.call(Jobs.JobsRun, { id: "invoke_snapshot_schedules" }), -32010)
    expect(refused.message).toBe(`job invoke_snapshot_schedules cannot run: ${NEEDS_INDEXER}`)
    await rejection(harness.admin.call(Jobs.JobsRun, { id: "no_such_job" }), -32004)
    // The refusal is in the history: a skipped run with the reason.
    expect(await harness.admin.call(Jobs.JobsRuns, { id: "invoke_snapshot_schedules" })).toMatchObject([
      { status: "skipped", error: NEEDS_INDEXER, counts: { skips: 1 }, durationMs: null }])
  })
})

describe("a daemon that stops mid-run", () => {
  const blockedRun = async () => {
    const daemon = await startDaemon({ databaseUrl: harness.url })
    const client = await connectAs(daemon, "admin", ADMIN_PASSWORD)
    const blocker = await session()
    await blocker.query("begin")
    await blocker.query("lock table license_cache in access exclusive mode")
    const { runId } = await client.call(Jobs.JobsRun, { id: LICENSE })
    await client.close()
    return { daemon, blocker, runId }
  }

  it("SIGTERM: the run is interrupted and recorded failed", async () => {
    const { daemon, blocker, runId } = await blockedRun()
    try {
      await daemon.stop()
      const [row] = await query(harness.url, "select status, error, finished_at from sockeye_job_runs where id = $1", [runId])
      expect(row).toMatchObject({ status: "failed", error: "interrupted: the daemon stopped during the run" })
      expect(row.finished_at).toBeInstanceOf(Date)
    } finally {
      await blocker.query("rollback")
      await blocker.end()
    }
  })

  it("SIGKILL: the run stays 'running' until the next daemon to take the lock marks it failed and goes ahead", async () => {
    const { daemon, blocker, runId } = await blockedRun()
    daemon.process.kill("SIGKILL")
    await daemon.exited
    await blocker.query("rollback")
    await blocker.end()
    expect((await query(harness.url, "select status from sockeye_job_runs where id = $1", [runId]))[0].status).toBe("running")
    // PostgreSQL drops the killed daemon's sessions, and its lock, as it notices them gone.
    let next: { runId: number } | undefined
    for (let i = 0; i < 100 && !next; i++) {
      next = await harness.admin.call(Jobs.JobsRun, { id: LICENSE }).catch(async (e) => {
        expect(codeOf(e as RpcError)).toBe(-32009)
        await new Promise((r) => setTimeout(r, 50))
        return undefined
      })
    }
    expect(await finished(harness.admin, LICENSE, next!.runId)).toMatchObject({ status: "succeeded" })
    const [dead] = await query(harness.url, "select status, error from sockeye_job_runs where id = $1", [runId])
    expect(dead).toEqual({ status: "failed", error: `runner died: process ${daemon.process.pid} on ${os.hostname()} is gone` })
  })
})
