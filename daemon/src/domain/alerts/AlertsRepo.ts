import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { alertVisible, caseVisible } from "../Access.js"
import type { Principal } from "../Principal.js"
import {
  alertSummaryColumns, caseSummaryColumns, type AlertSummaryRow, type CaseSummaryRow
} from "../incidents/summaries.js"
import {
  filterCondition, groupKeys, pageStatement, type AlertFilter, type GroupBy, type PageQuery, type TextFold
} from "./AlertsQuery.js"
import { onceSucceeded } from "../../lib/lazy.js"

export interface AssetRow {
  readonly id: number
  readonly assetName: string
  readonly agentId: string | null
  readonly velociraptorId: string | null
  readonly customerCode: string
  readonly indexName: string
  readonly indexId: string
  readonly alertContextId: number
}

export interface IocRow {
  readonly id: number
  readonly value: string
  readonly type: string
  readonly description: string | null
}

export interface CommentRow {
  readonly id: number
  readonly comment: string
  readonly userName: string
  readonly createdAt: Date
}

export interface Counted {
  readonly total: number
  readonly groups: ReadonlyArray<{ readonly key: string | null; readonly count: number }> | undefined
}

interface GroupRow {
  readonly isTotal: boolean
  readonly key: string | null
  readonly count: number
}

/**
 * Alert reads. Every statement carries the visibility predicate for the alert it reads (or whose
 * dependants it reads), so a hidden alert and a missing one look the same to the caller.
 */
export class AlertsRepo extends Effect.Service<AlertsRepo>()("Alerts/AlertsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    // PostgreSQL built without ICU has no und-x-icu: text filters then fold as the database does.
    const fold = onceSucceeded(sql<{ icu: boolean }>`
      select exists (select 1 from pg_collation where collname = 'und-x-icu') as icu`.pipe(
        Effect.orDie, Effect.map((rows): TextFold => (rows[0]?.icu ? "icu" : "database"))))

    const page = (principal: Principal, q: Omit<PageQuery, "fold">) =>
      Effect.flatMap(fold, (f) => pageStatement(sql, principal, { ...q, fold: f }).pipe(Effect.orDie, Effect.map((rows) => rows[0]!)))

    /** The total and, for a groupBy, every group, from one statement (one snapshot). */
    const count = (principal: Principal, filter: AlertFilter | undefined, groupBy: GroupBy | undefined) =>
      Effect.flatMap(fold, (f) => countIn(principal, filter, groupBy, f))

    const countIn = (
      principal: Principal, filter: AlertFilter | undefined, groupBy: GroupBy | undefined, fold: TextFold
    ): Effect.Effect<Counted> => {
      const matching = sql`
        select a.id${groupBy && groupBy !== "tag" ? sql`, (${sql.literal(groupKeys[groupBy])})::text as key` : sql``}
        from incident_management_alert a
        where ${filterCondition(sql, filter, fold)} and ${alertVisible(sql, principal, "a")}`
      if (!groupBy) {
        return sql<{ count: number }>`select count(*)::int as count from (${matching}) m`.pipe(
          Effect.orDie,
          Effect.map((rows) => ({ total: rows[0]?.count ?? 0, groups: undefined }))
        )
      }
      const groups = groupBy === "tag"
        ? sql`
          select false, t.tag::text, count(*)::int from m
          left join incident_management_alert_to_tag l on l.alert_id = m.id
          left join incident_management_alerttag t on t.id = l.tag_id
          group by t.tag`
        : sql`select false, m.key, count(*)::int from m group by m.key`
      return sql<GroupRow>`
        with m as materialized (${matching})
        select true as is_total, null::text as key, count(*)::int as count from m
        union all
        ${groups}`.pipe(
          Effect.orDie,
          Effect.map((rows) => ({
            total: rows.find((r) => r.isTotal)?.count ?? 0,
            groups: rows.filter((r) => !r.isTotal).map((r) => ({ key: r.key, count: r.count }))
          }))
        )
    }

    const detail = (principal: Principal, id: number) =>
      sql<AlertSummaryRow & { alertDescription: string }>`
        select ${alertSummaryColumns(sql, principal)}, a.alert_description
        from incident_management_alert a
        where a.id = ${id} and ${alertVisible(sql, principal, "a")}`.pipe(Effect.orDie, Effect.map((rows) => rows[0]))

    /**
     * The summary of an alert the caller just created, without the visibility predicate: tag RBAC
     * may hide a new alert from its own creator, who still gets to see what was made.
     */
    const createdSummary = (principal: Principal, id: number) =>
      sql<AlertSummaryRow>`
        select ${alertSummaryColumns(sql, principal)} from incident_management_alert a where a.id = ${id}`.pipe(
          Effect.orDie, Effect.map((rows) => rows[0]!))

    // The dependants below read by alert id alone: Alerts.get calls them only after `detail` found
    // the alert visible, in the same repeatable-read transaction, so they see what it saw. Planning
    // the visibility predicate again in each cost more than running all five.

    const assets = (id: number) =>
      sql<AssetRow>`
        select s.id, s.asset_name, s.agent_id, s.velociraptor_id, s.customer_code, s.index_name, s.index_id,
               s.alert_context_id
        from incident_management_asset s
        where s.alert_linked = ${id}
        order by s.id`.pipe(Effect.orDie)

    const iocs = (id: number) =>
      sql<IocRow>`
        select i.id, i.value, i.type, i.description
        from incident_management_alert_to_ioc l
        join incident_management_ioc i on i.id = l.ioc_id
        where l.alert_id = ${id}
        order by i.id`.pipe(Effect.orDie)

    const comments = (id: number) =>
      sql<CommentRow>`
        select c.id, c.comment, c.user_name, c.created_at
        from incident_management_comment c
        where c.alert_id = ${id}
        order by c.created_at, c.id`.pipe(Effect.orDie)

    /** Cases have visibility of their own (customer access), checked here. */
    const cases = (principal: Principal, id: number) =>
      sql<CaseSummaryRow>`
        select ${caseSummaryColumns(sql, principal)}
        from incident_management_case c
        join incident_management_casealertlink cl on cl.case_id = c.id
        where cl.alert_id = ${id} and ${caseVisible(sql, principal, "c")}
        order by c.id`.pipe(Effect.orDie)

    /**
     * The first asset's context, read as text and parsed here so the SIEM field names it keeps come
     * back exactly as stored, whatever the client's result transforms.
     */
    const context = (id: number) =>
      sql<{ contextJson: string | null }>`
        select x.context::text as context_json
        from incident_management_asset s
        join incident_management_alertcontext x on x.id = s.alert_context_id
        where s.alert_linked = ${id}
        order by s.id
        limit 1`.pipe(
          Effect.orDie,
          Effect.map((rows) => {
            const text = rows[0]?.contextJson
            return text === undefined || text === null ? null : JSON.parse(text) as unknown
          })
        )

    return { page, count, detail, createdSummary, assets, iocs, comments, cases, context } as const
  })
}) {}
