import type { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import type { Comment } from "@sockeye/protocol"
import { timestampFromText, type WithTextTimes } from "../../db/timestampText.js"

/** A comment of an alert or a case, as a row. */
export interface CommentRow {
  readonly id: number
  readonly comment: string
  readonly userName: string
  readonly createdAt: Date
}

const owners = {
  alert: { table: "incident_management_comment", column: "alert_id" },
  case: { table: "incident_management_case_comment", column: "case_id" }
} as const

/**
 * The comments of the alert or case whose id is `owner`, oldest first (ties by id), as a JSON
 * array for a detail statement: CommentRow's fields, createdAt as text (see timestampFromText).
 */
export const commentsJson = (sql: SqlClient.SqlClient, of: keyof typeof owners, owner: Fragment) => sql`coalesce((
  select json_agg(json_build_object(
    'id', m.id, 'comment', m.comment, 'userName', m.user_name, 'createdAt', m.created_at::text)
    order by m.created_at, m.id)
  from ${sql.literal(owners[of].table)} m
  where m.${sql.literal(owners[of].column)} = ${owner}
), '[]'::json)`

export type CommentJson = WithTextTimes<CommentRow, "createdAt">

export const toComment = (m: CommentJson): typeof Comment.Type => ({ ...m, createdAt: timestampFromText(m.createdAt) })
