import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { JobDefinition } from "./Job.js"

export type RunStatus = "running" | "succeeded" | "failed" | "skipped"

/** A job's persisted settings and state, with its latest run. */
export interface JobStateRow {
  readonly jobId: string
  readonly jobDescription: string | null
  readonly enabled: boolean
  readonly timeInterval: number
  readonly lastSuccess: Date | null
  /** schedulerjob.next_run_time: epoch seconds, null while disabled. */
  readonly nextRunTime: number | null
  readonly running: boolean
  readonly lastStatus: RunStatus | null
  readonly lastStartedAt: Date | null
  readonly lastFinishedAt: Date | null
  readonly lastError: string | null
}

export interface RunRow {
  readonly runId: number
  readonly jobId: string
  readonly status: RunStatus
  readonly startedAt: Date
  readonly finishedAt: Date | null
  readonly counts: Record<string, number> | null
  readonly error: string | null
  readonly runner: string
}

export interface RunningRow {
  readonly id: number
  readonly runner: string
  readonly heartbeatAt: Date
}

/** Runs kept per job; older finished runs are pruned when a run ends. */
export const HISTORY_KEEP = 1000

export const epochSeconds = (date: Date) => date.getTime() / 1000

/**
 * The scheduler's SQL: CoPilot's scheduled_job_metadata (settings) and schedulerjob
 * (next_run_time), and Sockeye's sockeye_job_runs (history). Times come from the caller's Clock.
 */
export class JobsRepo extends Effect.Service<JobsRepo>()("Jobs/JobsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** False until migration 0013 has run: a daemon builds its services before it migrates. */
    const schemaReady = sql<{ ready: boolean }>`select to_regclass('sockeye_job_runs') is not null as ready`.pipe(
      Effect.map((rows) => rows[0]?.ready === true))

    /**
     * Inserts a missing job with its defaults; an existing row keeps its enabled flag and interval
     * (an admin's choice survives restarts, unlike CoPilot). Only the code's description is refreshed.
     */
    const register = (job: JobDefinition, now: Date) =>
      Effect.gen(function*() {
        yield* sql`
          insert into scheduled_job_metadata (job_id, time_interval, enabled, job_description)
          values (${job.id}, ${job.defaultIntervalMinutes}, ${job.defaultEnabled}, ${job.description.slice(0, 1024)})
          on conflict (job_id) do update set job_description = excluded.job_description
          where scheduled_job_metadata.job_description is distinct from excluded.job_description`
        // job_state is APScheduler's pickled job in CoPilot; Sockeye keeps the row shape, empty.
        yield* sql`
          insert into schedulerjob (id, next_run_time, job_state)
          select m.job_id, case when m.enabled then ${epochSeconds(now)}::double precision + m.time_interval * 60 end, '\\x'::bytea
          from scheduled_job_metadata m where m.job_id = ${job.id}
          on conflict (id) do update set next_run_time = excluded.next_run_time
          where schedulerjob.next_run_time is null and excluded.next_run_time is not null`
      })

    const states = (ids: ReadonlyArray<string>) =>
      ids.length === 0 ? Effect.succeed([] as ReadonlyArray<JobStateRow>) : sql<JobStateRow>`
        select m.job_id, m.job_description, m.enabled, m.time_interval, m.last_success, s.next_run_time,
               exists (select 1 from sockeye_job_runs r where r.job_id = m.job_id and r.status = 'running') as running,
               l.status as last_status, l.started_at as last_started_at, l.finished_at as last_finished_at,
               l.error as last_error
        from scheduled_job_metadata m
        left join schedulerjob s on s.id = m.job_id
        left join lateral (
          -- The latest real run; skipped rows only for a job that never ran. A slot skipped
          -- during a long run, or a refused jobs/run, does not hide the run in progress.
          select r.status, r.started_at, r.finished_at, r.error from sockeye_job_runs r
          where r.job_id = m.job_id order by r.status = 'skipped', r.id desc limit 1
        ) l on true
        where m.job_id in ${sql.in(ids)}
        order by m.job_id`

    /** The settings row, locked until the transaction ends (jobs/update). */
    const lockSettings = (id: string) =>
      sql<{ enabled: boolean; timeInterval: number; nextRunTime: number | null }>`
        select m.enabled, m.time_interval, s.next_run_time
        from scheduled_job_metadata m left join schedulerjob s on s.id = m.job_id
        where m.job_id = ${id}
        for update of m`.pipe(Effect.map((rows) => rows[0]))

    const saveSettings = (id: string, enabled: boolean, intervalMinutes: number, nextRunTime: number | null) =>
      Effect.gen(function*() {
        yield* sql`update scheduled_job_metadata set enabled = ${enabled}, time_interval = ${intervalMinutes} where job_id = ${id}`
        yield* setNextRun(id, nextRunTime)
      })

    const setNextRun = (id: string, nextRunTime: number | null) =>
      sql`
        insert into schedulerjob (id, next_run_time, job_state) values (${id}, ${nextRunTime}, '\\x'::bytea)
        on conflict (id) do update set next_run_time = excluded.next_run_time`

    /**
     * Moves the next slot on only if it is still the one the caller saw: daemons that see the
     * same due slot without its lock (it is held by a run) agree on who records the skip.
     */
    const advanceIfNext = (id: string, seen: number | null, next: number) =>
      sql<{ id: string }>`
        update schedulerjob set next_run_time = ${next}
        where id = ${id} and next_run_time is not distinct from ${seen}
        returning id`.pipe(Effect.map((rows) => rows.length > 0))

    /**
     * Records a skipped slot. Consecutive skips for the same reason share one row, so an
     * unconfigured job does not fill its history: started_at is the first skip, finished_at the
     * latest, counts.skips how many. The latest row is locked so two recorders do not both insert.
     */
    const recordSkip = (jobId: string, now: Date, reason: string, runner: string) =>
      Effect.gen(function*() {
        const error = reason.slice(0, 4000)
        const coalesced = yield* sql<{ id: number }>`
          with latest as (
            select id, status, error from sockeye_job_runs where job_id = ${jobId}
            order by id desc limit 1 for update
          )
          update sockeye_job_runs r
          set finished_at = ${now}, heartbeat_at = ${now}, runner = ${runner},
              counts = jsonb_build_object('skips', coalesce((r.counts->>'skips')::int, 1) + 1)
          from latest
          where r.id = latest.id and latest.status = 'skipped' and latest.error = ${error}
          returning r.id`
        if (coalesced.length > 0) return coalesced[0]!.id
        const inserted = yield* sql<{ id: number }>`
          insert into sockeye_job_runs (job_id, status, started_at, finished_at, counts, error, runner, heartbeat_at)
          values (${jobId}, 'skipped', ${now}, ${now}, '{"skips":1}'::jsonb, ${error}, ${runner}, ${now})
          returning id`
        return inserted[0]!.id
      })

    const runningRows = (id: string) =>
      sql<RunningRow>`select id, runner, heartbeat_at from sockeye_job_runs where job_id = ${id} and status = 'running' order by id`

    const markFailed = (ids: ReadonlyArray<number>, now: Date, error: string) =>
      ids.length === 0 ? Effect.void : Effect.asVoid(sql`
        update sockeye_job_runs set status = 'failed', finished_at = ${now}, error = ${error}
        where id in ${sql.in(ids)} and status = 'running'`)

    const insertRun = (jobId: string, now: Date, runner: string) =>
      sql<{ id: number }>`
        insert into sockeye_job_runs (job_id, status, started_at, runner, heartbeat_at)
        values (${jobId}, 'running', ${now}, ${runner}, ${now})
        returning id`.pipe(Effect.map((rows) => rows[0]!.id))

    const heartbeat = (runId: number, now: Date) =>
      sql`update sockeye_job_runs set heartbeat_at = ${now} where id = ${runId}`

    const finishRun = (
      runId: number, status: RunStatus, now: Date, counts: Record<string, number> | null, error: string | null
    ) =>
      sql`
        update sockeye_job_runs
        set status = ${status}, finished_at = ${now}, heartbeat_at = ${now},
            counts = ${counts === null ? null : JSON.stringify(counts)}::jsonb, error = ${error}
        where id = ${runId}`

    const setLastSuccess = (jobId: string, now: Date) =>
      sql`update scheduled_job_metadata set last_success = ${now} where job_id = ${jobId}`

    const prune = (jobId: string) =>
      sql`
        delete from sockeye_job_runs
        where job_id = ${jobId} and status <> 'running' and id < (
          select id from sockeye_job_runs where job_id = ${jobId} order by id desc offset ${HISTORY_KEEP - 1} limit 1)`

    const runs = (jobId: string, limit: number) =>
      sql<RunRow>`
        select id as run_id, job_id, status, started_at, finished_at, counts, error, runner
        from sockeye_job_runs where job_id = ${jobId}
        order by id desc limit ${limit}`

    return {
      schemaReady, register, states, lockSettings, saveSettings, setNextRun, runningRows, markFailed,
      insertRun, heartbeat, finishRun, advanceIfNext, recordSkip, setLastSuccess, prune, runs
    } as const
  })
}) {}
