import type { SqlClient } from "@effect/sql"
import type { CaseDetail } from "@sockeye/protocol"
import { alertVisible, caseVisible } from "../Access.js"
import { optionalTimestampFromText, timestampFromText, type WithTextTimes } from "../../db/timestampText.js"
import {
  alertSummaryColumns, caseSummaryColumns, toAlertSummary, toCaseSummary, type AlertSummaryRow, type CaseSummaryRow
} from "../incidents/summaries.js"
import { commentsJson, toComment, type CommentJson } from "../incidents/comments.js"
import type { Principal } from "../Principal.js"
export interface FileRow {
  readonly id: number
  readonly fileName: string
  readonly fileSize: number | null
  readonly fileHash: string
  readonly uploadTime: Date
}

/**
 * cases/get as one statement, as alerts/get (AlertDetailQuery): the case's summary and
 * description with its visible alerts, comments and files as JSON arrays beside them. One round
 * trip and one snapshot instead of four statements on four pooled connections, and the case's
 * visibility decided once, in the WHERE the arrays' subqueries run behind. Linked alerts keep
 * their own visibility. Keys inside the arrays are the rows' fields; timestamps travel as text
 * (see timestampFromText). `offset 0` keeps the alerts' subquery, whose summary columns carry
 * predicates of their own, from being pulled up into the aggregate (see AlertDetailQuery).
 */
export const caseDetailStatement = (sql: SqlClient.SqlClient, principal: Principal, id: number) =>
  sql<CaseDetailRow>`
    select ${caseSummaryColumns(sql, principal)}, c.case_description,
      coalesce((
        select json_agg(json_build_object(
          'id', x.id, 'alertName', x.alert_name, 'status', x.status,
          'alertCreationTime', x.alert_creation_time::text, 'timeClosed', x.time_closed::text,
          'customerCode', x.customer_code, 'source', x.source, 'assignedTo', x.assigned_to, 'escalated', x.escalated,
          'tags', x.tags, 'iocCount', x.ioc_count, 'assetCount', x.asset_count, 'caseIds', to_json(x.case_ids))
          order by x.id)
        from (
          select ${alertSummaryColumns(sql, principal)}
          from incident_management_casealertlink l
          join incident_management_alert a on a.id = l.alert_id
          where l.case_id = c.id and ${alertVisible(sql, principal, "a")}
          offset 0
        ) x
      ), '[]'::json) as alerts,
      ${commentsJson(sql, "case", sql`c.id`)} as comments,
      coalesce((
        select json_agg(json_build_object(
          'id', f.id, 'fileName', f.file_name, 'fileSize', f.file_size, 'fileHash', f.file_hash,
          'uploadTime', f.upload_time::text)
          order by f.upload_time, f.id)
        from incident_management_case_datastore f
        where f.case_id = c.id
      ), '[]'::json) as files
    from incident_management_case c
    where c.id = ${id} and ${caseVisible(sql, principal, "c")}`

export interface CaseDetailRow extends CaseSummaryRow {
  readonly caseDescription: string
  readonly alerts: ReadonlyArray<WithTextTimes<AlertSummaryRow, "alertCreationTime" | "timeClosed">>
  readonly comments: ReadonlyArray<CommentJson>
  readonly files: ReadonlyArray<WithTextTimes<FileRow, "uploadTime">>
}

export const toCaseDetail = (row: CaseDetailRow): typeof CaseDetail.Type => ({
  ...toCaseSummary(row),
  description: row.caseDescription,
  alerts: row.alerts.map((x) => toAlertSummary({
    ...x, alertCreationTime: timestampFromText(x.alertCreationTime), timeClosed: optionalTimestampFromText(x.timeClosed)
  })),
  comments: row.comments.map(toComment),
  files: row.files.map((f) => ({
    id: f.id, fileName: f.fileName, sha256: f.fileHash, uploadedAt: timestampFromText(f.uploadTime),
    ...(f.fileSize === null ? {} : { size: f.fileSize })
  }))
})
