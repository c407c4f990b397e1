import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { SiemIndex } from "../../connectors/siem/SiemIndex.js"
import * as Passwords from "../auth/Passwords.js"
import { Ingest } from "../ingest/Ingest.js"
import { roleIds } from "../Principal.js"
import { demoDays, hostsOf } from "./documents.js"
import * as G from "./generator.js"
import { rules, tagsOfTitle } from "./rules.js"
import { triage } from "./triage.js"

export const DEMO_PASSWORD = "sockeye-demo"

export interface DemoOptions {
  /** Wazuh alert documents to generate; dedup into OPEN alerts makes fewer Sockeye alerts. */
  readonly alerts: number
  readonly cases: number
  readonly seed: number
}

export interface DemoResult {
  readonly created: boolean
  /** SIEM documents ingested. */
  readonly documents: number
  /** Alerts the ingestion made of them. */
  readonly alerts: number
  readonly cases: number
}

/**
 * Fills an empty database with a realistic SOC: customers, their Wazuh agents, users of every
 * role with customer access and tag grants, tag RBAC on; then, day by day over two weeks, Wazuh
 * alerts and Graylog events written to the SIEM and ingested by the real pipeline, with the
 * analysts' triage between days (so later documents open new alerts); then tags, comments and
 * cases. Refuses a database that already holds alerts.
 */
export class Demo extends Effect.Service<Demo>()("Demo/Demo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const siem = yield* SiemIndex
    const ingest = yield* Ingest

    const json = (rows: ReadonlyArray<unknown>) => JSON.stringify(rows)

    const people = Effect.gen(function*() {
      const hash = yield* Passwords.hash(DEMO_PASSWORD)
      for (const c of G.customers) {
        yield* sql`insert into customers (customer_code, customer_name, city, country, created_at)
          values (${c.code}, ${c.name}, ${c.city}, ${c.country}, now()) on conflict (customer_code) do nothing`
      }
      for (const p of G.people) {
        const rows = yield* sql<{ id: number }>`insert into "user" (username, password, email, created_at, role_id)
          values (${p.username}, ${hash}, ${p.email}, now(), ${roleIds[p.role]})
          on conflict (username) do update set email = excluded.email returning id`
        for (const code of p.customers ?? []) {
          yield* sql`insert into user_customer_access (user_id, customer_code, created_at) values (${rows[0]!.id}, ${code}, now())`
        }
      }
      for (const tag of G.tags) {
        yield* sql`insert into incident_management_alerttag (tag) values (${tag}) on conflict (tag) do nothing`
      }
      // bob triages the network and malware queues only; customer users see what their tags allow.
      yield* sql`insert into user_tag_access (user_id, tag_id, created_at)
        select u.id, t.id, now() from "user" u, incident_management_alerttag t
        where u.username = 'bob' and t.tag in ('network', 'malware')`
      yield* sql`insert into role_tag_access (role_id, tag_id, created_at)
        select r, t.id, now() from unnest(array[2, 4]) r, incident_management_alerttag t where t.tag <> 'compliance'`
      yield* sql`insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior, default_tag_id, updated_at, updated_by)
        values (true, 'visible_to_all', null, now(), 'demo')`
    })

    /** The agents table, so that ingestion finds each asset's Wazuh agent id by hostname. */
    const agents = (hosts: ReturnType<typeof hostsOf>) =>
      sql`insert into agents (agent_id, ip_address, os, hostname, label, wazuh_last_seen, wazuh_agent_version, wazuh_agent_status, customer_code)
        select x.agent_id, x.ip, x.os, x.hostname, x.customer, now(), 'Wazuh v4.14.7', 'active', x.customer
        from json_to_recordset(${json(hosts.map((h) => ({
          agent_id: h.agentId, ip: h.ip, os: h.os === "linux" ? "Ubuntu 24.04.3 LTS" : "Microsoft Windows 11 Enterprise", hostname: h.name, customer: h.customer
        })))}) as x(agent_id text, ip text, os text, hostname text, customer text)
        on conflict (agent_id) do nothing`

    /** Ingestion stamps alerts with the time they were made; the demo's history dates them by their first document. */
    const backdate = (sinceId: number, docs: ReadonlyArray<{ index: string; id: string; source: Record<string, unknown> }>) =>
      sql`update incident_management_alert a set alert_creation_time = t.first
        from (
          select s.alert_linked, min(x.t) as first
          from incident_management_asset s
          join json_to_recordset(${json(docs.map((d) => ({ i: d.index, d: d.id, t: d.source["@timestamp"] })))}) as x(i text, d text, t timestamptz)
            on s.index_name = x.i and s.index_id = x.d
          group by s.alert_linked
        ) t
        where a.id = t.alert_linked and a.id > ${sinceId}`

    const maxAlertId = sql<{ id: number }>`select coalesce(max(id), 0)::int as id from incident_management_alert`.pipe(
      Effect.map((rows) => rows[0]!.id))

    const tagsAndComments = (rng: G.Prng, now: number) =>
      Effect.gen(function*() {
        const alerts = yield* sql<{ id: number; alertName: string; status: string; alertCreationTime: Date }>`
          select id, alert_name, status, alert_creation_time from incident_management_alert
          order by alert_creation_time, customer_code, alert_name`
        const tagIds = new Map((yield* sql<{ id: number; tag: string }>`select id, tag from incident_management_alerttag`).map((t) => [t.tag, t.id]))
        const links = alerts.flatMap((a) => tagsOfTitle(a.alertName).filter(() => rng.chance(0.8)).map((t) => ({ alert: a.id, tag: tagIds.get(t) })))
        yield* sql`insert into incident_management_alert_to_tag (alert_id, tag_id)
          select x.alert, x.tag from json_to_recordset(${json(links)}) as x(alert int, tag int)`
        const notes = alerts.flatMap((a) => a.status !== "OPEN" && rng.chance(0.5)
          ? [{ alert: a.id, comment: rng.pick(G.comments), user_name: rng.pick(["alice", "bob", "dana"]), at: new Date(Math.min(now, a.alertCreationTime.getTime() + 600_000)).toISOString() }]
          : [])
        yield* sql`insert into incident_management_comment (alert_id, comment, user_name, created_at)
          select x.alert, x.comment, x.user_name, x.at from json_to_recordset(${json(notes)}) as x(alert int, comment text, user_name text, at timestamptz)`
      })

    const cases = (rng: G.Prng, count: number, now: number) =>
      Effect.gen(function*() {
        for (let i = 0; i < count; i++) {
          const customer = rng.pick(G.customers).code
          const status = rng.pick(["OPEN", "OPEN", "IN_PROGRESS", "CLOSED"])
          const created = new Date(now - rng.int(1, 13) * 86_400_000)
          const made = yield* sql<{ id: number }>`
            insert into incident_management_case (case_name, case_description, case_creation_time, case_status, assigned_to, customer_code, notification_invoked_number, escalated, case_closed_time)
            values (${`${customer}: ${rng.pick(rules).description}`}, ${"Opened from related alerts during triage."}, ${created},
                    ${status}, ${rng.pick(["alice", "bob", "dana"])}, ${customer}, 0, ${rng.chance(0.2)},
                    ${status === "CLOSED" ? new Date(created.getTime() + 86_400_000) : null})
            returning id`
          // Ordered by content, not id: ids depend on the order concurrent ingestion committed.
          yield* sql`insert into incident_management_casealertlink (case_id, alert_id)
            select ${made[0]!.id}, a.id from incident_management_alert a
            where a.customer_code = ${customer}
            order by md5(a.alert_name || ${String(i)} || a.alert_creation_time::text)
            limit ${rng.int(1, 8)}`
        }
      })

    const fill = Effect.fn("Demo.fill")(function*(options: DemoOptions) {
      const existing = yield* sql<{ n: number }>`
        select (select count(*) from incident_management_alert)::int + (select count(*) from sockeye_ingested_documents)::int as n`
      if ((existing[0]?.n ?? 0) > 0) return { created: false, documents: 0, alerts: 0, cases: 0 } satisfies DemoResult
      if (siem.kind === "none") return yield* Effect.dieMessage("sockeyed demo needs a SIEM to write its documents to: the local index (SOCKEYE_SIEM=local) or OpenSearch")
      const rng = G.prng(options.seed)
      const now = Date.now()
      const hosts = hostsOf(rng, G.customers)
      yield* sql.withTransaction(Effect.zipRight(people, agents(hosts)))
      const days = demoDays(rng, hosts, options.alerts, now)
      let documents = 0
      for (const [d, day] of days.entries()) {
        yield* siem.index([...day.alerts, ...day.events])
        const before = yield* maxAlertId
        // Graylog first, as the job runs it; direct collection then takes the alerts no event named.
        for (const collector of ["graylog", "wazuh"]) {
          const counts = yield* ingest.run(collector)
          documents += counts.created + counts.merged
        }
        yield* backdate(before, day.alerts)
        // The last day's queue stays as it came in.
        if (d < days.length - 1) yield* triage(sql, rng, day.to, now)
      }
      yield* tagsAndComments(rng, now)
      yield* cases(rng, options.cases, now)
      const alerts = yield* sql<{ n: number }>`select count(*)::int as n from incident_management_alert`
      const made = alerts[0]!.n
      yield* sql`insert into log_entries (timestamp, event_type, user_id, route, method, status_code, message)
        values (now(), 'demo', null, 'demo', 'CLI', 200, ${`demo data: ${documents} documents → ${made} alerts, ${options.cases} cases`})`
      return { created: true, documents, alerts: made, cases: options.cases } satisfies DemoResult
    }, (effect) => Effect.catchAll(effect, (e) => Effect.die(e)))

    return { fill } as const
  }),
  dependencies: [Ingest.Default]
}) {}
