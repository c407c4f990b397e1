import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Principal } from "../Principal.js"
import { alertSummaryColumns, type AlertSummaryRow } from "../incidents/summaries.js"
import { detailStatement } from "./AlertDetailQuery.js"
import {
  groupedCountStatement, pageStatement, type AlertFilter, type GroupBy, type PageQuery, type TextFold
} from "./AlertsQuery.js"
import { onceSucceeded } from "../../lib/lazy.js"

export interface Counted {
  readonly total: number
  readonly groups: ReadonlyArray<{ readonly key: string | null; readonly count: number }> | undefined
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
    ): Effect.Effect<Counted> =>
      groupedCountStatement(sql, principal, filter, groupBy, fold).pipe(
        Effect.orDie,
        Effect.map((rows) => ({
          total: rows.find((r) => r.isTotal)?.count ?? 0,
          groups: groupBy ? rows.filter((r) => !r.isTotal).map((r) => ({ key: r.key, count: r.count })) : undefined
        }))
      )

    /** alerts/get's one statement: undefined when the alert is missing or hidden. */
    const detail = (principal: Principal, id: number) =>
      detailStatement(sql, principal, id).pipe(Effect.orDie, Effect.map((rows) => rows[0]))

    /**
     * The summary of an alert the caller just created, without the visibility predicate: tag RBAC
     * may hide a new alert from its own creator, who still gets to see what was made.
     */
    const createdSummary = (principal: Principal, id: number) =>
      sql<AlertSummaryRow>`
        select ${alertSummaryColumns(sql, principal)} from incident_management_alert a where a.id = ${id}`.pipe(
          Effect.orDie, Effect.map((rows) => rows[0]!))

    return { page, count, detail, createdSummary } as const
  })
}) {}
