/**
 * The incident-core data set, seeded with a few set-based statements (generate_series,
 * INSERT … SELECT) in one transaction, then VACUUM ANALYZE. The daemon must have migrated the
 * database first. A row `bench_seed` in sockeye_settings marks a seeded database, so a database
 * given in SOCKEYE_BENCH_DATABASE_URL is seeded once and reused.
 */
import bcrypt from "bcryptjs"
import pg from "pg"

export const SEED = {
  version: 1,
  alerts: 1_000_000,
  days: 90,
  customers: 100,
  tags: 1000,
  cases: 5000,
  /** The analyst holds every 20th tag. */
  analystTags: 50,
  analyst: "bench_analyst"
} as const

const MARKER = JSON.stringify(SEED)

export interface SeedReport {
  /** Seconds spent seeding now; undefined when the marker said the database was seeded already. */
  readonly seconds: number | undefined
  readonly steps: ReadonlyArray<string>
}

/**
 * Each step: a label and its statement. Tag ids are looked up by name; contexts take their
 * alert's id (ensureSeeded only seeds a database without alerts or contexts).
 */
const steps: ReadonlyArray<readonly [string, string]> = [
  ["customers", `insert into customers (customer_code, customer_name, created_at)
    select 'C' || lpad(g::text, 3, '0'), 'Customer ' || g, now() from generate_series(1, ${SEED.customers}) g`],
  ["tags", `insert into incident_management_alerttag (tag)
    select 'tag-' || lpad(g::text, 4, '0') from generate_series(1, ${SEED.tags}) g`],
  // Time grows with the id (ingestion order) with up to 10 minutes of jitter; newest alerts are
  // mostly OPEN, the older ones mostly CLOSED.
  ["alerts", `insert into incident_management_alert
      (alert_name, alert_description, status, alert_creation_time, customer_code, time_closed, source, assigned_to, escalated)
    select x.name, x.name || ' (seeded alert ' || x.g || ').', x.status, x.created,
           'C' || lpad((1 + floor(x.r2 * ${SEED.customers}))::text, 3, '0'),
           case when x.status = 'CLOSED' then x.created + interval '1 hour' * (1 + floor(x.r3 * 48)) end,
           (array['wazuh','graylog','velociraptor','office365','crowdstrike'])[1 + floor(x.r3 * 5)::int],
           case when x.status = 'OPEN' and x.r4 < 0.7 then null else 'analyst' || lpad((1 + floor(x.r4 * 20))::text, 2, '0') end,
           x.r5 < 0.03
    from (
      select g, r2, r3, r4, r5,
        now() - interval '${SEED.days} days' + interval '1 second' * (g * ${(SEED.days * 86400) / SEED.alerts} + r1 * 600) as created,
        (array['Suspicious PowerShell','Brute force on SSH','Malware detected','Impossible travel','Port scan',
               'New admin account','Defender disabled','Phishing link clicked','Data exfiltration','Ransomware note'])
          [1 + g % 10] || ' on host-' || (g % 5000) as name,
        case when g > ${SEED.alerts * 0.97} then
               case when r6 < 0.6 then 'OPEN' when r6 < 0.85 then 'IN_PROGRESS' else 'CLOSED' end
             else case when r6 < 0.13 then 'OPEN' when r6 < 0.22 then 'IN_PROGRESS' else 'CLOSED' end
        end as status
      from (select g, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6
            from generate_series(1, ${SEED.alerts}) g) r
    ) x
    order by x.g`],
  // One context and one asset per alert: alerts/get reads both.
  ["contexts", `insert into incident_management_alertcontext (id, source, context)
    select a.id, a.source, jsonb_build_object('rule_description', a.alert_name, 'agent_name', 'host-' || (a.id % 5000),
      'rule_level', 3 + a.id % 12, 'alert_id', a.id, 'data_win_eventdata_image', 'C:\\Windows\\System32\\cmd.exe')
    from incident_management_alert a order by a.id`],
  ["context sequence", `select setval(pg_get_serial_sequence('incident_management_alertcontext', 'id'),
    (select max(id) from incident_management_alertcontext))`],
  ["assets", `insert into incident_management_asset
      (alert_linked, asset_name, alert_context_id, agent_id, customer_code, index_name, index_id)
    select a.id, 'host-' || (a.id % 5000), a.id, lpad((a.id % 400)::text, 3, '0'), a.customer_code,
      'wazuh-alerts-4.x-' || to_char(a.alert_creation_time, 'YYYY.MM.DD'), md5(a.id::text)
    from incident_management_alert a order by a.id`],
  // 0–3 distinct tags per alert, uniform over the 1000 tags.
  ["alert tags", `with t as (select array_agg(id order by tag) as ids from incident_management_alerttag where tag like 'tag-%')
    insert into incident_management_alert_to_tag (alert_id, tag_id)
    select x.id, t.ids[1 + (x.base + j * 337) % ${SEED.tags}]
    from (select a.id, floor(random() * ${SEED.tags})::int as base, floor(random() * 4)::int as k
          from incident_management_alert a) x
    cross join t cross join lateral generate_series(0, x.k - 1) j
    order by x.id, j`],
  ["cases", `insert into incident_management_case
      (case_name, case_description, case_creation_time, case_status, assigned_to, customer_code, escalated, case_closed_time)
    select 'Case ' || g, 'Seeded case.', c.created, c.status, 'analyst' || lpad((1 + g % 20)::text, 2, '0'),
           'C' || lpad((1 + g % ${SEED.customers})::text, 3, '0'), g % 10 = 0,
           case when c.status = 'CLOSED' then c.created + interval '2 days' end
    from generate_series(1, ${SEED.cases}) g
    cross join lateral (select now() - interval '${SEED.days} days' * random() as created,
      (array['OPEN','IN_PROGRESS','CLOSED','CLOSED'])[1 + g % 4] as status) c`],
  // Each case links the 1–20 alerts of its customer just before it was opened.
  ["case links", `insert into incident_management_casealertlink (case_id, alert_id)
    select c.id, a.id from incident_management_case c
    cross join lateral (select a.id from incident_management_alert a
      where a.customer_code = c.customer_code and a.alert_creation_time <= c.case_creation_time
      order by a.alert_creation_time desc, a.id desc limit 1 + c.id % 20) a`],
  ["analyst", `insert into "user" (username, password, email, created_at, role_id)
    values ('${SEED.analyst}', 'unset', '${SEED.analyst}@bench.invalid', now(), 2)`],
  ["analyst tags", `insert into user_tag_access (user_id, tag_id, created_at)
    select u.id, t.id, now() from "user" u,
      (select id, row_number() over (order by tag) as n from incident_management_alerttag where tag like 'tag-%') t
    where u.username = '${SEED.analyst}' and t.n % ${SEED.tags / SEED.analystTags} = 1`],
  ["rbac settings", `update incident_management_tag_access_settings
    set enabled = true, untagged_alert_behavior = 'visible_to_all', default_tag_id = null, updated_by = 'bench'`],
  ["rbac settings row", `insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior, updated_by)
    select true, 'visible_to_all', 'bench' where not exists (select 1 from incident_management_tag_access_settings)`],
  ["marker", `insert into sockeye_settings (key, value) values ('bench_seed', '${MARKER}')`]
]

const VACUUMED = ["incident_management_alert", "incident_management_alertcontext", "incident_management_asset",
  "incident_management_alert_to_tag", "incident_management_case", "incident_management_casealertlink",
  "incident_management_alerttag", "customers", "user_tag_access", '"user"']

/** Seeds the data set unless the marker is there; refuses a database holding other alerts. */
export const ensureSeeded = async (url: string, log: (line: string) => void): Promise<SeedReport> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const marker = await client.query<{ value: string }>("select value from sockeye_settings where key = 'bench_seed'")
    if (marker.rows[0]) {
      if (marker.rows[0].value !== MARKER) throw new Error(`database seeded as ${marker.rows[0].value}, expected ${MARKER}`)
      log("database already seeded (sockeye_settings bench_seed): reusing it")
      return { seconds: undefined, steps: [] }
    }
    const existing = await client.query(`select 1 from incident_management_alert
      union all select 1 from incident_management_alertcontext limit 1`)
    if (existing.rowCount) throw new Error("the database holds alerts but no bench_seed marker: give the bench an empty one")
    const started = performance.now()
    const done: Array<string> = []
    await client.query("set synchronous_commit = off")
    await client.query("begin")
    for (const [label, text] of steps) {
      const t = performance.now()
      const result = await client.query(text)
      const line = `${label}: ${result.rowCount ?? 0} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`
      log(`seed ${line}`)
      done.push(line)
    }
    await client.query("commit")
    const t = performance.now()
    await client.query(`vacuum (analyze) ${VACUUMED.join(", ")}`)
    done.push(`vacuum (analyze): ${((performance.now() - t) / 1000).toFixed(1)} s`)
    log(`seed ${done[done.length - 1]}`)
    return { seconds: (performance.now() - started) / 1000, steps: done }
  } catch (error) {
    await client.query("rollback").catch(() => undefined)
    throw error
  } finally {
    await client.end()
  }
}

/** Sets the passwords of admin and the analyst for this run (a reused database keeps old hashes). */
export const setPasswords = async (url: string, passwords: { admin: string; analyst: string }) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    for (const [username, password] of [["admin", passwords.admin], [SEED.analyst, passwords.analyst]] as const) {
      const result = await client.query(`update "user" set password = $1 where username = $2 returning id`,
        [bcrypt.hashSync(password, 4), username])
      if (result.rowCount !== 1) throw new Error(`no user ${username} to sign in as`)
    }
    const ids = await client.query<{ username: string; id: number }>(
      `select username, id from "user" where username in ('admin', $1)`, [SEED.analyst])
    return Object.fromEntries(ids.rows.map((r) => [r.username, r.id])) as Record<string, number>
  } finally {
    await client.end()
  }
}

/** Sizes for the report: the database and the biggest tables with their indexes. */
export const sizes = async (url: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const db = await client.query<{ size: string }>("select pg_size_pretty(pg_database_size(current_database())) as size")
    const tables = await client.query<{ name: string; rows: string; size: string }>(`
      select c.relname as name, c.reltuples::bigint::text as rows, pg_size_pretty(pg_total_relation_size(c.oid)) as size
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by pg_total_relation_size(c.oid) desc limit 6`)
    return { database: db.rows[0]?.size ?? "?", tables: tables.rows }
  } finally {
    await client.end()
  }
}
