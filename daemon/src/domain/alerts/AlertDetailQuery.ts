import type { SqlClient } from "@effect/sql"
import type { AlertDetail } from "@sockeye/protocol"
import { alertVisible, caseVisible } from "../Access.js"
import { optionalTimestampFromText, timestampFromText, type WithTextTimes } from "../../db/timestampText.js"
import {
  alertSummaryColumns, caseSummaryColumns, toAlertSummary, toCaseSummary, type AlertSummaryRow, type CaseSummaryRow
} from "../incidents/summaries.js"
import { commentsJson, toComment, type CommentJson } from "../incidents/comments.js"
import type { Principal } from "../Principal.js"

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

/**
 * alerts/get as one statement: the alert's summary and description, and its dependants as JSON
 * arrays beside them. One round trip and one snapshot, with no transaction around it (on a busy
 * machine every extra round trip waits in the run queue again: daemon/bench/RESULTS.md, "load"),
 * and the visibility predicate planned once: the dependants' subqueries run only for the row it
 * let through. Exported on its own so that the bench runs exactly this statement as its floor.
 *
 * Keys inside the arrays are written as the rows' fields (the client's camelCase transform stops
 * at column names), and timestamps travel as text (see timestampFromText). Cases keep their own
 * visibility (customer access), so a hidden case is not listed. The context (the first asset's)
 * comes as text, parsed here, so the SIEM field names in it come back exactly as stored whatever
 * the client's result transforms.
 *
 * `offset 0` keeps the cases' subquery from being pulled up into the aggregate: pulled up, with
 * its alertCount (another visibility predicate), the statement took 3.7–5.7 ms to plan instead
 * of 2.4 for an analyst at 1M alerts.
 */
export const detailStatement = (sql: SqlClient.SqlClient, principal: Principal, id: number) =>
  sql<DetailRow>`
    select ${alertSummaryColumns(sql, principal)}, a.alert_description,
      coalesce((
        select json_agg(json_build_object(
          'id', s.id, 'assetName', s.asset_name, 'agentId', s.agent_id, 'velociraptorId', s.velociraptor_id,
          'customerCode', s.customer_code, 'indexName', s.index_name, 'indexId', s.index_id,
          'alertContextId', s.alert_context_id) order by s.id)
        from incident_management_asset s
        where s.alert_linked = a.id
      ), '[]'::json) as assets,
      coalesce((
        select json_agg(json_build_object('id', i.id, 'value', i.value, 'type', i.type, 'description', i.description)
          order by i.id)
        from incident_management_alert_to_ioc l
        join incident_management_ioc i on i.id = l.ioc_id
        where l.alert_id = a.id
      ), '[]'::json) as iocs,
      ${commentsJson(sql, "alert", sql`a.id`)} as comments,
      coalesce((
        select json_agg(json_build_object(
          'id', k.id, 'caseName', k.case_name, 'caseStatus', k.case_status,
          'caseCreationTime', k.case_creation_time::text, 'caseClosedTime', k.case_closed_time::text,
          'customerCode', k.customer_code, 'assignedTo', k.assigned_to, 'escalated', k.escalated,
          'notificationInvokedNumber', k.notification_invoked_number, 'alertCount', k.alert_count) order by k.id)
        from (
          select ${caseSummaryColumns(sql, principal)}
          from incident_management_case c
          join incident_management_casealertlink cl on cl.case_id = c.id
          where cl.alert_id = a.id and ${caseVisible(sql, principal, "c")}
          offset 0
        ) k
      ), '[]'::json) as cases,
      (
        select x.context::text
        from incident_management_asset s
        join incident_management_alertcontext x on x.id = s.alert_context_id
        where s.alert_linked = a.id
        order by s.id
        limit 1
      ) as context_json
    from incident_management_alert a
    where a.id = ${id} and ${alertVisible(sql, principal, "a")}`

export interface DetailRow extends AlertSummaryRow {
  readonly alertDescription: string
  readonly assets: ReadonlyArray<AssetRow>
  readonly iocs: ReadonlyArray<IocRow>
  readonly comments: ReadonlyArray<CommentJson>
  readonly cases: ReadonlyArray<WithTextTimes<CaseSummaryRow, "caseCreationTime" | "caseClosedTime">>
  readonly contextJson: string | null
}

export const toAlertDetail = (row: DetailRow): typeof AlertDetail.Type => ({
  ...toAlertSummary(row),
  description: row.alertDescription,
  assets: row.assets.map((s) => ({
    id: s.id,
    name: s.assetName,
    agentId: s.agentId,
    velociraptorId: s.velociraptorId,
    customerCode: s.customerCode,
    indexName: s.indexName,
    indexId: s.indexId,
    alertContextId: s.alertContextId
  })),
  iocs: row.iocs,
  comments: row.comments.map(toComment),
  cases: row.cases.map((k) => toCaseSummary({
    ...k,
    caseCreationTime: timestampFromText(k.caseCreationTime),
    caseClosedTime: optionalTimestampFromText(k.caseClosedTime)
  })),
  context: row.contextJson === null ? null : JSON.parse(row.contextJson) as unknown
})
