import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import type { Alerts as Methods, Status } from "@sockeye/protocol"
import { alertVisible, alertVisibleTo, customerVisible } from "../Access.js"
import type { Principal } from "../Principal.js"
import type { CommentRow } from "../incidents/comments.js"
import type { IocRow } from "./AlertDetailQuery.js"

type NewAsset = typeof Methods.NewAsset.Type
type NewIoc = typeof Methods.NewIoc.Type

export interface AlertChanges {
  readonly status?: Status | undefined
  readonly assignedTo?: string | null | undefined
  readonly escalated?: boolean | undefined
}

/** Namespace of the advisory locks that serialise "find or insert" of one IoC (value, type). */
const IOC_LOCK = 0x696f63

/**
 * Alert writes. Callers run them inside one transaction; statements that touch an alert carry
 * the visibility predicate themselves, so a write never reaches a row the reader could not see.
 */
export class AlertsWrites extends Effect.Service<AlertsWrites>()("Alerts/AlertsWrites", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const ids = (rows: ReadonlyArray<{ id: number }>) => new Set(rows.map((r) => r.id))

    /**
     * Which of `alertIds` the principal may see, row-locked for the rest of the transaction (in id
     * order, so two bulk writers over overlapping ids queue instead of deadlocking).
     */
    const lockVisible = (principal: Principal, alertIds: ReadonlyArray<number>) =>
      sql<{ id: number }>`
        select a.id from incident_management_alert a
        where a.id in ${sql.in(alertIds)} and ${alertVisible(sql, principal, "a")}
        order by a.id
        for update of a`.pipe(Effect.orDie, Effect.map(ids))

    const customerExists = (principal: Principal, code: string) =>
      sql<{ id: number }>`
        select c.id from customers c
        where c.customer_code = ${code}
          and ${principal.system ? sql`true` : customerVisible(sql, principal.user.id, sql`c.customer_code`)}`.pipe(
            Effect.orDie, Effect.map((rows) => rows.length > 0))

    const userExists = (username: string) =>
      sql<{ id: number }>`select u.id from "user" u where u.username = ${username} limit 1`.pipe(
        Effect.orDie, Effect.map((rows) => rows.length > 0))

    const insertAlert = (alert: { name: string; description: string; customerCode: string; source: string }) =>
      sql<{ id: number }>`
        insert into incident_management_alert
          (alert_name, alert_description, status, alert_creation_time, customer_code, source, escalated)
        values (${alert.name}, ${alert.description}, 'OPEN', now(), ${alert.customerCode}, ${alert.source}, false)
        returning id`.pipe(Effect.orDie, Effect.map((rows) => rows[0]!.id))

    /** A manual alert's assets share one context row: there is no SIEM document to describe. */
    const insertAssets = (alertId: number, customerCode: string, source: string, assets: ReadonlyArray<NewAsset>) =>
      Effect.gen(function*() {
        if (assets.length === 0) return
        const [context] = yield* sql<{ id: number }>`
          insert into incident_management_alertcontext (source, context) values (${source}, null) returning id`
        yield* sql`insert into incident_management_asset ${sql.insert(assets.map((asset) => ({
          alert_linked: alertId,
          asset_name: asset.name,
          alert_context_id: context!.id,
          agent_id: asset.agentId ?? null,
          velociraptor_id: asset.velociraptorId ?? null,
          customer_code: customerCode,
          index_name: asset.indexName ?? "",
          index_id: asset.indexId ?? ""
        })))}`
      }).pipe(Effect.orDie)

    /** The tag named `text`, created if new; the upsert makes concurrent creators agree on one row. */
    const upsertTag = (text: string) =>
      sql<{ id: number; tag: string }>`
        insert into incident_management_alerttag (tag) values (${text})
        on conflict (tag) do update set tag = excluded.tag
        returning id, tag`.pipe(Effect.orDie, Effect.map((rows) => rows[0]!))

    const tagExists = (tagId: number) =>
      sql<{ id: number }>`select t.id from incident_management_alerttag t where t.id = ${tagId}`.pipe(
        Effect.orDie, Effect.map((rows) => rows.length > 0))

    /** Links the tag to the visible alerts among `alertIds`; returns those newly linked. */
    const linkTag = (principal: Principal, alertIds: ReadonlyArray<number>, tagId: number) =>
      sql<{ id: number }>`
        insert into incident_management_alert_to_tag (alert_id, tag_id)
        select a.id, ${tagId} from incident_management_alert a
        where a.id in ${sql.in(alertIds)} and ${alertVisible(sql, principal, "a")}
        on conflict (alert_id, tag_id) do nothing
        returning alert_id as id`.pipe(Effect.orDie, Effect.map(ids))

    const unlinkTag = (principal: Principal, alertIds: ReadonlyArray<number>, tagId: number) =>
      sql<{ id: number }>`
        delete from incident_management_alert_to_tag l
        using incident_management_alert a
        where l.alert_id = a.id and l.tag_id = ${tagId} and a.id in ${sql.in(alertIds)}
          and ${alertVisible(sql, principal, "a")}
        returning l.alert_id as id`.pipe(Effect.orDie, Effect.map(ids))

    /**
     * The IoC with this value and type, inserted if there is none. The table has no unique key on
     * (value, type), so an advisory lock keeps two writers from inserting the same IoC twice.
     */
    const findOrInsertIoc = (ioc: NewIoc) =>
      Effect.gen(function*() {
        yield* sql`select pg_advisory_xact_lock(${IOC_LOCK}, hashtext(${`${ioc.type} ${ioc.value}`}))`
        const found = yield* sql<IocRow>`
          select i.id, i.value, i.type, i.description from incident_management_ioc i
          where i.value = ${ioc.value} and i.type = ${ioc.type}
          order by i.id limit 1`
        if (found[0]) return found[0]
        const inserted = yield* sql<IocRow>`
          insert into incident_management_ioc (value, type, description)
          values (${ioc.value}, ${ioc.type}, ${ioc.description ?? null})
          returning id, value, type, description`
        return inserted[0]!
      }).pipe(Effect.orDie)

    const linkIoc = (principal: Principal, alertId: number, iocId: number) =>
      sql`
        insert into incident_management_alert_to_ioc (alert_id, ioc_id)
        select a.id, ${iocId} from incident_management_alert a
        where a.id = ${alertId} and ${alertVisible(sql, principal, "a")}
        on conflict (alert_id, ioc_id) do nothing`.pipe(Effect.orDie, Effect.asVoid)

    const unlinkIoc = (principal: Principal, alertId: number, iocId: number) =>
      sql<{ id: number }>`
        delete from incident_management_alert_to_ioc l
        using incident_management_alert a
        where l.alert_id = a.id and a.id = ${alertId} and l.ioc_id = ${iocId}
          and ${alertVisible(sql, principal, "a")}
        returning l.alert_id as id`.pipe(Effect.orDie, Effect.map((rows) => rows.length > 0))

    /**
     * CLOSED stamps time_closed, OPEN clears it, IN_PROGRESS keeps it (CoPilot's quirk: an alert
     * reopened as IN_PROGRESS still shows when it was last closed).
     */
    const update = (principal: Principal, alertIds: ReadonlyArray<number>, set: AlertChanges) => {
      const assignments: Array<Fragment> = []
      if (set.status !== undefined) {
        assignments.push(sql`status = ${set.status}`)
        if (set.status === "CLOSED") assignments.push(sql`time_closed = now()`)
        if (set.status === "OPEN") assignments.push(sql`time_closed = null`)
      }
      if (set.assignedTo !== undefined) assignments.push(sql`assigned_to = ${set.assignedTo}`)
      if (set.escalated !== undefined) assignments.push(sql`escalated = ${set.escalated}`)
      return sql<{ id: number }>`
        update incident_management_alert a set ${sql.join(", ", false)(assignments)}
        where a.id in ${sql.in(alertIds)} and ${alertVisible(sql, principal, "a")}
        returning a.id`.pipe(Effect.orDie, Effect.map(ids))
    }

    /** The same comment on each visible alert among `alertIds`; the rows written, by alert. */
    const insertComments = (principal: Principal, alertIds: ReadonlyArray<number>, comment: string) =>
      sql<CommentRow & { alertId: number }>`
        insert into incident_management_comment (alert_id, comment, user_name, created_at)
        select a.id, ${comment}, ${principal.user.username}, now() from incident_management_alert a
        where a.id in ${sql.in(alertIds)} and ${alertVisible(sql, principal, "a")}
        order by a.id
        returning id, alert_id, comment, user_name, created_at`.pipe(
          Effect.orDie, Effect.map((rows) => new Map(rows.map(({ alertId, ...comment }) => [alertId, comment]))))

    const firstCaseLink = (alertIds: ReadonlyArray<number>) =>
      sql<{ alertId: number; caseId: number }>`
        select k.alert_id, k.case_id from incident_management_casealertlink k
        where k.alert_id in ${sql.in(alertIds)}
        order by k.alert_id, k.case_id limit 1`.pipe(Effect.orDie, Effect.map((rows) => rows[0]))

    /** For each alert, the users who may see it: the audience of its deletion notice. */
    const audiences = (alertIds: ReadonlyArray<number>) =>
      sql<{ id: number; audience: ReadonlyArray<number> }>`
        select a.id, array(
          select u.id from "user" u where ${alertVisibleTo(sql, sql`u.id`, "a")} order by u.id
        ) as audience
        from incident_management_alert a
        where a.id in ${sql.in(alertIds)}`.pipe(Effect.orDie)

    /**
     * Deletes the alerts and what hangs off them; IoC and tag rows stay for other alerts. A
     * context goes only once no asset refers to it, since ingestion may share one between alerts.
     */
    const remove = (alertIds: ReadonlyArray<number>) =>
      Effect.gen(function*() {
        const among = sql.in(alertIds)
        yield* sql`delete from incident_management_comment where alert_id in ${among}`
        const contexts = yield* sql<{ alertContextId: number }>`
          delete from incident_management_asset where alert_linked in ${among} returning alert_context_id`
        const contextIds = [...new Set(contexts.map((c) => c.alertContextId))]
        if (contextIds.length > 0) {
          yield* sql`
            delete from incident_management_alertcontext x
            where x.id in ${sql.in(contextIds)}
              and not exists (select 1 from incident_management_asset s where s.alert_context_id = x.id)`
        }
        yield* sql`delete from incident_management_alert_to_tag where alert_id in ${among}`
        yield* sql`delete from incident_management_alert_to_ioc where alert_id in ${among}`
        // No visibility predicate here: the caller checked and row-locked these alerts in this
        // transaction (lockVisible), and removing their tag links above may change what tag RBAC
        // would say now; re-checking would strand an alert stripped of its children.
        const deleted = yield* sql<{ id: number }>`
          delete from incident_management_alert a where a.id in ${among} returning a.id`
        return ids(deleted)
      }).pipe(Effect.orDie)

    return {
      lockVisible, customerExists, userExists, insertAlert, insertAssets, upsertTag, tagExists, linkTag, unlinkTag,
      findOrInsertIoc, linkIoc, unlinkIoc, update, insertComments, firstCaseLink, audiences, remove
    } as const
  })
}) {}
