import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import { alertVisible, caseVisible } from "../Access.js"
import type { Principal } from "../Principal.js"
import { caseSummaryColumns, type CaseSummaryRow } from "../incidents/summaries.js"
import type { CommentRow } from "../incidents/comments.js"
import { caseDetailStatement } from "./CaseDetailQuery.js"

/**
 * Every statement of the cases area. Each one that reads or writes a case or an alert carries the
 * visibility predicate of Access.ts, except the status cascade (see cascade). SqlError is a
 * defect here: the domain errors are decided by the service from what these return.
 */

export interface PageRow extends CaseSummaryRow {
  readonly sortKey: string | null
}

export interface NewCase {
  readonly name: string
  readonly description: string
  readonly customerCode: string | null
  readonly assignedTo: string | null
}

export interface CaseChanges {
  readonly status?: string | undefined
  readonly assignedTo?: string | null | undefined
  readonly escalated?: boolean | undefined
  readonly name?: string | undefined
  readonly description?: string | undefined
}

export class CasesRepo extends Effect.Service<CasesRepo>()("Cases/CasesRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const ids = (values: ReadonlyArray<number>) => sql`${[...values]}::int[]`

    const page = (principal: Principal, q: { where: Fragment; keyset: Fragment; sortKey: Fragment; order: Fragment; limit: number }) =>
      sql<PageRow>`
        select ${caseSummaryColumns(sql, principal)}, ${q.sortKey} as sort_key
        from incident_management_case c
        where ${caseVisible(sql, principal, "c")} and ${q.where} and ${q.keyset}
        order by ${q.order}
        limit ${q.limit}`.pipe(Effect.orDie)

    const summaries = (principal: Principal, caseIds: ReadonlyArray<number>) =>
      sql<CaseSummaryRow>`
        select ${caseSummaryColumns(sql, principal)} from incident_management_case c
        where c.id = any(${ids(caseIds)}) and ${caseVisible(sql, principal, "c")}
        order by c.id`.pipe(Effect.orDie)

    /** cases/get's one statement: undefined when the case is missing or hidden. */
    const detail = (principal: Principal, id: number) =>
      caseDetailStatement(sql, principal, id).pipe(Effect.orDie, Effect.map((rows) => rows[0]))

    /** Visible cases among `caseIds`, locked against concurrent updates until the transaction ends. */
    const lockForUpdate = (principal: Principal, caseIds: ReadonlyArray<number>) =>
      sql<{ id: number; caseStatus: string }>`
        select c.id, c.case_status from incident_management_case c
        where c.id = any(${ids(caseIds)}) and ${caseVisible(sql, principal, "c")}
        order by c.id for update of c`.pipe(Effect.orDie)

    /** A visible case, kept from deletion and from status changes while its links or comments change. */
    const lockForLinking = (principal: Principal, caseId: number) =>
      sql<{ id: number }>`
        select c.id from incident_management_case c
        where c.id = ${caseId} and ${caseVisible(sql, principal, "c")}
        for key share of c`.pipe(Effect.orDie, Effect.map((rows) => rows.length > 0))

    /** Visible alerts among `alertIds`, kept from deletion until the links are written. */
    const visibleAlerts = (principal: Principal, alertIds: ReadonlyArray<number>) =>
      sql<{ id: number; customerCode: string }>`
        select a.id, a.customer_code from incident_management_alert a
        where a.id = any(${ids(alertIds)}) and ${alertVisible(sql, principal, "a")}
        order by a.id for key share of a`.pipe(Effect.orDie)

    /** The customer exists and a case of it would be visible to the principal. */
    const customerVisible = (principal: Principal, code: string) =>
      sql<{ customerCode: string }>`
        select cu.customer_code from customers cu
        where cu.customer_code = ${code} and ${caseVisible(sql, principal, "cu")}`.pipe(
        Effect.orDie, Effect.map((rows) => rows.length > 0))

    const userExists = (username: string) =>
      sql<{ id: number }>`select id from "user" where username = ${username}`.pipe(
        Effect.orDie, Effect.map((rows) => rows.length > 0))

    const insert = (c: NewCase) =>
      sql<{ id: number }>`
        insert into incident_management_case
          (case_name, case_description, case_creation_time, case_status, assigned_to, customer_code,
           notification_invoked_number, escalated)
        values (${c.name}, ${c.description}, now(), 'OPEN', ${c.assignedTo}, ${c.customerCode}, 0, false)
        returning id`.pipe(Effect.orDie, Effect.map((rows) => rows[0]!.id))

    /** Returns the alerts whose link is new. */
    const link = (caseId: number, alertIds: ReadonlyArray<number>) =>
      sql<{ alertId: number }>`
        insert into incident_management_casealertlink (case_id, alert_id)
        select ${caseId}, x from unnest(${ids(alertIds)}) x
        on conflict do nothing
        returning alert_id`.pipe(Effect.orDie, Effect.map((rows) => rows.map((r) => r.alertId).sort((a, b) => a - b)))

    const unlink = (caseId: number, alertIds: ReadonlyArray<number>) =>
      sql<{ alertId: number }>`
        delete from incident_management_casealertlink
        where case_id = ${caseId} and alert_id = any(${ids(alertIds)})
        returning alert_id`.pipe(Effect.orDie, Effect.map((rows) => rows.map((r) => r.alertId).sort((a, b) => a - b)))

    /**
     * Closing stamps case_closed_time (keeping the first stamp when the case was closed already, so
     * that repeating an update changes nothing), OPEN clears it, IN_PROGRESS leaves it (CoPilot §e).
     */
    const update = (principal: Principal, caseIds: ReadonlyArray<number>, set: CaseChanges) => {
      const sets: Array<Fragment> = []
      if (set.status !== undefined) {
        sets.push(sql`case_status = ${set.status}`)
        if (set.status === "CLOSED") {
          sets.push(sql`case_closed_time = case when c.case_status = 'CLOSED' then coalesce(c.case_closed_time, now()) else now() end`)
        } else if (set.status === "OPEN") {
          sets.push(sql`case_closed_time = null`)
        }
      }
      if (set.assignedTo !== undefined) sets.push(sql`assigned_to = ${set.assignedTo}`)
      if (set.escalated !== undefined) sets.push(sql`escalated = ${set.escalated}`)
      if (set.name !== undefined) sets.push(sql`case_name = ${set.name}`)
      if (set.description !== undefined) sets.push(sql`case_description = ${set.description}`)
      return sql<{ id: number }>`
        update incident_management_case c set ${sql.join(", ", false)(sets)}
        where c.id = any(${ids(caseIds)}) and ${caseVisible(sql, principal, "c")}
        returning c.id`.pipe(Effect.orDie, Effect.map((rows) => rows.map((r) => r.id)))
    }

    /**
     * The status cascade moves every alert linked to the cases, including alerts the acting user
     * cannot see: closing a case is a decision about the whole case (as in CoPilot). Alerts already
     * in the target status are left alone, so their closing time survives and only real changes
     * are returned.
     */
    const cascade = (caseIds: ReadonlyArray<number>, status: "CLOSED" | "IN_PROGRESS") =>
      // Locked in id order first, so two cases sharing alerts cannot deadlock each other.
      sql<{ id: number }>`
        with target as (
          select t.id from incident_management_alert t
          where t.id in (select l.alert_id from incident_management_casealertlink l where l.case_id = any(${ids(caseIds)}))
            and t.status <> ${status}
          order by t.id for no key update
        )
        update incident_management_alert a
        set status = ${status}${status === "CLOSED" ? sql`, time_closed = now()` : sql``}
        from target where a.id = target.id
        returning a.id`.pipe(Effect.orDie, Effect.map((rows) => rows.map((r) => r.id).sort((a, b) => a - b)))

    const addComment = (caseId: number, comment: string, userName: string) =>
      sql<CommentRow>`
        insert into incident_management_case_comment (case_id, comment, user_name, created_at)
        values (${caseId}, ${comment}, ${userName}, now())
        returning id, comment, user_name, created_at`.pipe(Effect.orDie, Effect.map((rows) => rows[0]!))

    return {
      page, summaries, detail, lockForUpdate, lockForLinking, visibleAlerts,
      customerVisible, userExists, insert, link, unlink, update, cascade, addComment
    } as const
  })
}) {}
