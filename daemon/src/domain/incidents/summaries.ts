import type { SqlClient } from "@effect/sql"
import type { AlertSummary, CaseSummary, Status } from "@sockeye/protocol"
import { alertVisible, caseVisible } from "../Access.js"
import type { Principal } from "../Principal.js"

/**
 * The read models shared by every method that returns alert or case summaries: one select list
 * each (tags, counts and case ids gathered by correlated subqueries, so a page costs one
 * statement), and the row-to-wire mapping. Callers add FROM, WHERE and ORDER BY.
 */

/** Columns of an AlertSummary for the alert aliased `a`. */
export const alertSummaryColumns = (sql: SqlClient.SqlClient, principal: Principal) => sql`
  a.id, a.alert_name, a.status, a.alert_creation_time, a.time_closed, a.customer_code, a.source,
  a.assigned_to, a.escalated,
  coalesce((
    select json_agg(json_build_object('id', t.id, 'tag', t.tag) order by t.tag)
    from incident_management_alert_to_tag l join incident_management_alerttag t on t.id = l.tag_id
    where l.alert_id = a.id
  ), '[]'::json) as tags,
  (select count(*)::int from incident_management_alert_to_ioc i where i.alert_id = a.id) as ioc_count,
  (select count(*)::int from incident_management_asset s where s.alert_linked = a.id) as asset_count,
  array(
    select k.case_id from incident_management_casealertlink k
    join incident_management_case c on c.id = k.case_id
    where k.alert_id = a.id and ${caseVisible(sql, principal, "c")}
    order by k.case_id
  ) as case_ids`

/** A timestamptz as the wire's ISO-8601 UTC text, milliseconds truncated as a JavaScript Date keeps them. */
export const isoTimestamp = (sql: SqlClient.SqlClient, column: string) =>
  sql.literal(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)

/**
 * The AlertSummary of the alert aliased `a` as wire JSON, built by PostgreSQL: pages of
 * alerts/list go out without a row parse, a Schema walk or a stringify in the daemon. It is
 * `toAlertSummary` encoded by the protocol's Schema, key for key; the parity test over the demo
 * data (test/domain/alerts/SummaryJson.test.ts) holds the two together.
 */
export const alertSummaryJson = (sql: SqlClient.SqlClient, principal: Principal) => sql`(
  select row_to_json(j) from (select
    a.id, a.alert_name as name,
    case when a.status in ('OPEN', 'IN_PROGRESS', 'CLOSED') then a.status else 'OPEN' end as status,
    ${isoTimestamp(sql, "a.alert_creation_time")} as "createdAt",
    ${isoTimestamp(sql, "a.time_closed")} as "closedAt",
    a.customer_code as "customerCode", a.source, a.assigned_to as "assignedTo", a.escalated,
    coalesce((
      select json_agg(t2 order by t2.tag) from (
        select t.id, t.tag from incident_management_alert_to_tag l join incident_management_alerttag t on t.id = l.tag_id
        where l.alert_id = a.id
      ) t2
    ), '[]'::json) as tags,
    (select count(*)::int from incident_management_alert_to_ioc i where i.alert_id = a.id) as "iocCount",
    (select count(*)::int from incident_management_asset s where s.alert_linked = a.id) as "assetCount",
    array(
      select k.case_id from incident_management_casealertlink k
      join incident_management_case c on c.id = k.case_id
      where k.alert_id = a.id and ${caseVisible(sql, principal, "c")}
      order by k.case_id
    ) as "caseIds"
  ) j
)`

export interface AlertSummaryRow {
  readonly id: number
  readonly alertName: string
  readonly status: string
  readonly alertCreationTime: Date
  readonly timeClosed: Date | null
  readonly customerCode: string
  readonly source: string
  readonly assignedTo: string | null
  readonly escalated: boolean
  readonly tags: ReadonlyArray<{ id: number; tag: string }>
  readonly iocCount: number
  readonly assetCount: number
  readonly caseIds: ReadonlyArray<number>
}

/** CoPilot validates status only in request schemas; a stray stored value reads as OPEN rather than failing the page. */
const asStatus = (value: string): Status =>
  value === "OPEN" || value === "IN_PROGRESS" || value === "CLOSED" ? value : "OPEN"

export const toAlertSummary = (row: AlertSummaryRow): AlertSummary => ({
  id: row.id,
  name: row.alertName,
  status: asStatus(row.status),
  createdAt: row.alertCreationTime,
  closedAt: row.timeClosed,
  customerCode: row.customerCode,
  source: row.source,
  assignedTo: row.assignedTo,
  escalated: row.escalated,
  tags: row.tags,
  iocCount: row.iocCount,
  assetCount: row.assetCount,
  caseIds: row.caseIds
})

/** Columns of a CaseSummary for the case aliased `c`; alertCount counts only alerts the user may see. */
export const caseSummaryColumns = (sql: SqlClient.SqlClient, principal: Principal) => sql`
  c.id, c.case_name, c.case_status, c.case_creation_time, c.case_closed_time, c.customer_code,
  c.assigned_to, c.escalated, coalesce(c.notification_invoked_number, 0) as notification_invoked_number,
  (
    select count(*)::int from incident_management_casealertlink k
    join incident_management_alert a on a.id = k.alert_id
    where k.case_id = c.id and ${alertVisible(sql, principal, "a")}
  ) as alert_count`

export interface CaseSummaryRow {
  readonly id: number
  readonly caseName: string
  readonly caseStatus: string
  readonly caseCreationTime: Date
  readonly caseClosedTime: Date | null
  readonly customerCode: string | null
  readonly assignedTo: string | null
  readonly escalated: boolean
  readonly notificationInvokedNumber: number
  readonly alertCount: number
}

export const toCaseSummary = (row: CaseSummaryRow): CaseSummary => ({
  id: row.id,
  name: row.caseName,
  status: row.caseStatus,
  createdAt: row.caseCreationTime,
  closedAt: row.caseClosedTime,
  customerCode: row.customerCode,
  assignedTo: row.assignedTo,
  escalated: row.escalated,
  notificationCount: row.notificationInvokedNumber,
  alertCount: row.alertCount
})
