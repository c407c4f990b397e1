import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as Passwords from "../auth/Passwords.js"
import { roleIds } from "../Principal.js"
import * as G from "./generator.js"

export const DEMO_PASSWORD = "sockeye-demo"

export interface DemoOptions {
  readonly alerts: number
  readonly cases: number
  readonly seed: number
}

const BATCH = 500
const DAY = 86_400_000

/**
 * Fills an empty database with a realistic SOC: customers, users of every role with customer
 * access and tag grants, tag RBAC on, alerts with assets, contexts, IoCs, tags and comments,
 * and cases. Refuses a database that already holds alerts.
 */
export class Demo extends Effect.Service<Demo>()("Demo/Demo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

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
      const tagIds = new Map<string, number>()
      for (const tag of G.tags) {
        const rows = yield* sql<{ id: number }>`insert into incident_management_alerttag (tag) values (${tag})
          on conflict (tag) do update set tag = excluded.tag returning id`
        tagIds.set(tag, rows[0]!.id)
      }
      // bob triages the network and malware queues only; customer users see what their tags allow.
      yield* sql`insert into user_tag_access (user_id, tag_id, created_at)
        select u.id, t.id, now() from "user" u, incident_management_alerttag t
        where u.username = 'bob' and t.tag in ('network', 'malware')`
      yield* sql`insert into role_tag_access (role_id, tag_id, created_at)
        select r, t.id, now() from unnest(array[2, 4]) r, incident_management_alerttag t where t.tag <> 'compliance'`
      yield* sql`insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior, default_tag_id, updated_at, updated_by)
        values (true, 'visible_to_all', null, now(), 'demo')`
      return tagIds
    })

    const alertBatch = (rng: G.Prng, count: number, tagIds: ReadonlyMap<string, number>, now: number) =>
      Effect.gen(function*() {
        const drafts = Array.from({ length: count }, () => {
          const d = rng.pick(G.detections)
          const customer = rng.pick(G.customers).code
          const created = new Date(now - Math.floor(rng.next() ** 2 * 14 * DAY))
          const roll = rng.next()
          const status = roll < 0.6 ? "OPEN" : roll < 0.85 ? "IN_PROGRESS" : "CLOSED"
          return { d, customer, created, status, host: G.hostName(rng, customer) }
        })
        const alerts = yield* sql<{ id: number }>`
          insert into incident_management_alert (alert_name, alert_description, status, alert_creation_time, customer_code, time_closed, source, assigned_to, escalated)
          select x.name, x.name, x.status, x.created, x.customer, x.closed, x.source, x.assignee, x.escalated
          from json_to_recordset(${json(drafts.map((a) => ({
            name: a.d.title, status: a.status, created: a.created.toISOString(), customer: a.customer,
            closed: a.status === "CLOSED" ? new Date(a.created.getTime() + rng.int(1, 48) * 3_600_000).toISOString() : null,
            source: a.d.source,
            assignee: a.status === "OPEN" && rng.chance(0.7) ? null : rng.pick(["alice", "bob", "dana"]),
            escalated: rng.chance(0.05)
          })))}) as x(name text, status text, created timestamptz, customer text, closed timestamptz, source text, assignee text, escalated boolean)
          returning id`
        const ids = alerts.map((r) => r.id)
        const contexts = yield* sql<{ id: number }>`
          insert into incident_management_alertcontext (source, context)
          select x.source, x.context from json_to_recordset(${json(drafts.map((a, i) => ({
            source: a.d.source,
            context: { rule_description: a.d.title, agent_name: a.host, rule_level: rng.int(3, 15), alert_id: ids[i] }
          })))}) as x(source text, context jsonb) returning id`
        yield* sql`insert into incident_management_asset (alert_linked, asset_name, alert_context_id, agent_id, customer_code, index_name, index_id)
          select x.alert, x.host, x.context, x.agent, x.customer, x.index_name, x.index_id
          from json_to_recordset(${json(drafts.map((a, i) => ({
            alert: ids[i], host: a.host, context: contexts[i]!.id, agent: String(rng.int(1, 400)).padStart(3, "0"),
            customer: a.customer, index_name: `wazuh-alerts-4.x-${a.created.toISOString().slice(0, 10).replaceAll("-", ".")}`,
            index_id: rng.hex(20)
          })))}) as x(alert int, host text, context int, agent text, customer text, index_name text, index_id text)`
        const links = drafts.flatMap((a, i) => a.d.tags.filter(() => rng.chance(0.8)).map((t) => ({ alert: ids[i], tag: tagIds.get(t) })))
        yield* sql`insert into incident_management_alert_to_tag (alert_id, tag_id)
          select x.alert, x.tag from json_to_recordset(${json(links)}) as x(alert int, tag int)`
        const iocs = drafts.flatMap((a, i) => a.d.ioc ? [{ alert: ids[i], type: a.d.ioc, value: G.iocValue(rng, a.d.ioc) }] : [])
        yield* sql`with x as (select * from json_to_recordset(${json(iocs)}) as x(alert int, type text, value text)),
          made as (insert into incident_management_ioc (value, type, description) select value, type, null from x returning id, value, type)
          insert into incident_management_alert_to_ioc (alert_id, ioc_id)
          select distinct x.alert, made.id from x join made on made.value = x.value and made.type = x.type`
        const notes = drafts.flatMap((a, i) => a.status !== "OPEN" && rng.chance(0.5)
          ? [{ alert: ids[i], comment: rng.pick(G.comments), user_name: rng.pick(["alice", "bob", "dana"]), at: new Date(a.created.getTime() + 600_000).toISOString() }]
          : [])
        yield* sql`insert into incident_management_comment (alert_id, comment, user_name, created_at)
          select x.alert, x.comment, x.user_name, x.at from json_to_recordset(${json(notes)}) as x(alert int, comment text, user_name text, at timestamptz)`
        return ids
      })

    const cases = (rng: G.Prng, count: number, now: number) =>
      Effect.gen(function*() {
        for (let i = 0; i < count; i++) {
          const customer = rng.pick(G.customers).code
          const status = rng.pick(["OPEN", "OPEN", "IN_PROGRESS", "CLOSED"])
          const created = new Date(now - rng.int(1, 13) * DAY)
          const made = yield* sql<{ id: number }>`
            insert into incident_management_case (case_name, case_description, case_creation_time, case_status, assigned_to, customer_code, notification_invoked_number, escalated, case_closed_time)
            values (${`${customer}: ${rng.pick(G.detections).title}`}, ${"Opened from related alerts during triage."}, ${created},
                    ${status}, ${rng.pick(["alice", "bob", "dana"])}, ${customer}, 0, ${rng.chance(0.2)},
                    ${status === "CLOSED" ? new Date(created.getTime() + DAY) : null})
            returning id`
          yield* sql`insert into incident_management_casealertlink (case_id, alert_id)
            select ${made[0]!.id}, a.id from incident_management_alert a
            where a.customer_code = ${customer} and a.id % ${rng.int(40, 90)} = ${rng.int(0, 39)}
            order by a.id limit ${rng.int(1, 8)}`
        }
      })

    const fill = Effect.fn("Demo.fill")(function*(options: DemoOptions) {
      return yield* sql.withTransaction(Effect.gen(function*() {
        const existing = yield* sql<{ n: number }>`select count(*)::int as n from incident_management_alert`
        if ((existing[0]?.n ?? 0) > 0) return { created: false as const, alerts: 0, cases: 0 }
        const rng = G.prng(options.seed)
        const tagIds = yield* people
        const now = Date.now()
        let made = 0
        while (made < options.alerts) {
          const ids = yield* alertBatch(rng, Math.min(BATCH, options.alerts - made), tagIds, now)
          made += ids.length
        }
        yield* cases(rng, options.cases, now)
        yield* sql`insert into log_entries (timestamp, event_type, user_id, route, method, status_code, message)
          values (now(), 'demo', null, 'demo', 'CLI', 200, ${`demo data: ${made} alerts, ${options.cases} cases`})`
        return { created: true as const, alerts: made, cases: options.cases }
      })).pipe(Effect.orDie)
    })

    return { fill } as const
  })
}) {}
