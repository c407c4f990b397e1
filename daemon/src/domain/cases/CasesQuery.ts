import type { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import type { Cases as Api, ParamsOf } from "@sockeye/protocol"

/**
 * The SQL pieces of cases/list: filter predicates, sort orders and keyset conditions, as
 * fragments for CasesRepo.page. Values are always bound parameters; only the constant column
 * expressions below go in as literals.
 */

export type CaseFilter = NonNullable<ParamsOf<typeof Api.CasesList>["filter"]>
export type SortField = NonNullable<ParamsOf<typeof Api.CasesList>["sort"]>["field"]
export type Direction = "asc" | "desc"

export interface Sort {
  readonly field: SortField
  readonly direction: Direction
}

export const defaultSort: Sort = { field: "createdAt", direction: "desc" }

/** Where a page starts: after the row with this sort key and id. */
export interface After {
  readonly key: string | number | boolean | null
  readonly id: number
}

// NULL customers and assignees sort as '' so that the keyset row comparison never meets a NULL.
const sortExpr: Record<SortField, string> = {
  createdAt: "c.case_creation_time",
  id: "c.id",
  status: "c.case_status",
  name: "c.case_name",
  customerCode: "coalesce(c.customer_code, '')",
  assignedTo: "coalesce(c.assigned_to, '')"
}

/**
 * The sort key a cursor remembers, as text. Timestamps keep their microseconds (a JS Date would
 * drop them and rows created in the same millisecond would be skipped or repeated).
 */
export const sortKeyColumn = (sql: SqlClient.SqlClient, field: SortField): Fragment => {
  switch (field) {
    case "id": return sql`null::text`
    case "createdAt": return sql`to_char(c.case_creation_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    default: return sql.literal(`${sortExpr[field]}::text`)
  }
}

export const orderBy = (sql: SqlClient.SqlClient, sort: Sort): Fragment => {
  const dir = sql.literal(sort.direction === "asc" ? "asc" : "desc")
  return sort.field === "id"
    ? sql`c.id ${dir}`
    : sql`${sql.literal(sortExpr[sort.field])} ${dir}, c.id ${dir}`
}

/** Rows strictly after the cursor's row in the sort order (ties broken by id). */
export const keyset = (sql: SqlClient.SqlClient, sort: Sort, after: After | undefined): Fragment => {
  if (!after) return sql`true`
  const op = sql.literal(sort.direction === "asc" ? ">" : "<")
  if (sort.field === "id") return sql`c.id ${op} ${after.id}`
  const value = sort.field === "createdAt" ? sql`${after.key}::timestamptz` : sql`${after.key}::text`
  return sql`(${sql.literal(sortExpr[sort.field])}, c.id) ${op} (${value}, ${after.id})`
}

/** `text` as a LIKE pattern matching itself literally anywhere: \ % _ are escaped. */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`

/** Whether the name or the description contains `text`: never NULL, so NOT inverts it. */
const textMatch = (sql: SqlClient.SqlClient, text: string): Fragment => {
  const pattern = containsPattern(text)
  return sql`coalesce(c.case_name ilike ${pattern} escape '\\' or c.case_description ilike ${pattern} escape '\\', false)`
}

export const filterWhere = (sql: SqlClient.SqlClient, filter: CaseFilter | undefined): Fragment => {
  if (!filter) return sql`true`
  const clauses: Array<Fragment> = []
  if (filter.status) clauses.push(sql`c.case_status = any(${[...filter.status]}::text[])`)
  if (filter.customerCodes) clauses.push(sql`c.customer_code = any(${[...filter.customerCodes]}::text[])`)
  if (filter.assignedTo === null) clauses.push(sql`c.assigned_to is null`)
  else if (filter.assignedTo !== undefined) clauses.push(sql`c.assigned_to = ${filter.assignedTo}`)
  if (filter.escalated !== undefined) clauses.push(sql`c.escalated = ${filter.escalated}`)
  if (filter.text !== undefined) clauses.push(textMatch(sql, filter.text))
  if (filter.notText !== undefined && filter.notText !== "") clauses.push(sql`not ${textMatch(sql, filter.notText)}`)
  return clauses.length === 0 ? sql`true` : sql.join(" and ", true)(clauses)
}
