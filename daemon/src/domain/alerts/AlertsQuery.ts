import type { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import type { Alerts as Methods } from "@sockeye/protocol"
import { alertVisible } from "../Access.js"
import type { CursorPayload } from "../Cursors.js"
import { alertSummaryJson } from "../incidents/summaries.js"
import type { Principal } from "../Principal.js"

/**
 * The SQL pieces of alert lists and counts: the filter, the sort with its keyset condition, and
 * the group keys, each for the alert aliased `a`. Values always travel as parameters; only the
 * constant column expressions below are spliced in as literals.
 */

export type AlertFilter = Methods.AlertFilter
export type SortField = typeof Methods.AlertSortField.Type
export type GroupBy = typeof Methods.AlertGroupBy.Type
export type Direction = "asc" | "desc"

export interface Sort {
  readonly field: SortField
  readonly direction: Direction
}

export const defaultSort: Sort = { field: "createdAt", direction: "desc" }

/** An ILIKE pattern for "contains `text`", with the user's %, _ and \ taken literally. */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

const some = <A>(values: ReadonlyArray<A> | undefined): values is ReadonlyArray<A> =>
  values !== undefined && values.length > 0

/**
 * How text matching folds case. ILIKE folds with the database's LC_CTYPE, which is ASCII-only
 * under the C locale (the embedded cluster's); the ICU root collation folds all of Unicode.
 */
export type TextFold = "icu" | "database"

const folded = (sql: SqlClient.SqlClient, column: string, fold: TextFold) =>
  fold === "icu" ? sql.literal(`(${column} collate "und-x-icu")`) : sql.literal(column)

/** Whether the name, an asset name or an IoC value contains `text`: never NULL, so NOT inverts it. */
const textMatch = (sql: SqlClient.SqlClient, text: string, fold: TextFold): Fragment => {
  const pattern = containsPattern(text)
  return sql`coalesce((
      ${folded(sql, "a.alert_name", fold)} ilike ${pattern} escape '\\'
      or exists (
        select 1 from incident_management_asset fs
        where fs.alert_linked = a.id and ${folded(sql, "fs.asset_name", fold)} ilike ${pattern} escape '\\')
      or exists (
        select 1 from incident_management_alert_to_ioc fl2 join incident_management_ioc fi2 on fi2.id = fl2.ioc_id
        where fl2.alert_id = a.id and ${folded(sql, "fi2.value", fold)} ilike ${pattern} escape '\\')
    ), false)`
}

/**
 * The filter as one condition. An empty list means "no constraint on that field" (a client with
 * nothing picked in a multi-select), not "match nothing".
 */
export const filterCondition = (sql: SqlClient.SqlClient, filter: AlertFilter | undefined, fold: TextFold): Fragment => {
  if (!filter) return sql`true`
  const clauses: Array<Fragment> = []
  if (some(filter.status)) clauses.push(sql`a.status in ${sql.in(filter.status)}`)
  if (some(filter.customerCodes)) clauses.push(sql`a.customer_code in ${sql.in(filter.customerCodes)}`)
  if (some(filter.sources)) clauses.push(sql`a.source in ${sql.in(filter.sources)}`)
  if (filter.assignedTo === null) clauses.push(sql`a.assigned_to is null`)
  else if (filter.assignedTo !== undefined) clauses.push(sql`a.assigned_to = ${filter.assignedTo}`)
  if (filter.escalated !== undefined) clauses.push(sql`a.escalated = ${filter.escalated}`)
  if (some(filter.tagIds)) {
    clauses.push(sql`exists (
      select 1 from incident_management_alert_to_tag ft
      where ft.alert_id = a.id and ft.tag_id in ${sql.in(filter.tagIds)})`)
  }
  if (filter.iocValue !== undefined) {
    clauses.push(sql`exists (
      select 1 from incident_management_alert_to_ioc fl join incident_management_ioc fi on fi.id = fl.ioc_id
      where fl.alert_id = a.id and fi.value = ${filter.iocValue})`)
  }
  if (filter.text !== undefined && filter.text !== "") clauses.push(textMatch(sql, filter.text, fold))
  if (filter.notText !== undefined && filter.notText !== "") clauses.push(sql`not ${textMatch(sql, filter.notText, fold)}`)
  if (filter.createdAfter) clauses.push(sql`a.alert_creation_time >= ${filter.createdAfter}`)
  if (filter.createdBefore) clauses.push(sql`a.alert_creation_time < ${filter.createdBefore}`)
  return sql.and(clauses)
}

/** The ORDER BY expression of each sort field; an unassigned alert sorts as ''. */
const sortExpressions: Record<SortField, string> = {
  createdAt: "a.alert_creation_time",
  id: "a.id",
  status: "a.status",
  name: "a.alert_name",
  customerCode: "a.customer_code",
  source: "a.source",
  assignedTo: "coalesce(a.assigned_to, '')"
}

/**
 * What the cursor remembers of the last row. Times go out as text with microseconds, because a
 * JavaScript Date keeps only milliseconds and the next page would repeat or skip rows.
 */
const sortKeyExpressions: Record<SortField, string> = {
  ...sortExpressions,
  createdAt: `to_char(a.alert_creation_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  id: "null::text"
}

export const sortKey = (sql: SqlClient.SqlClient, sort: Sort) => sql.literal(sortKeyExpressions[sort.field])

/** ORDER BY: the field, then id in the same direction, so the order is total and matches the indexes. */
export const orderBy = (sql: SqlClient.SqlClient, sort: Sort) => {
  const dir = sql.literal(sort.direction === "asc" ? "asc" : "desc")
  return sort.field === "id"
    ? sql`a.id ${dir}`
    : sql`${sql.literal(sortExpressions[sort.field])} ${dir}, a.id ${dir}`
}

/**
 * Rows strictly after the cursor's row in the sort order. A row comparison, so that PostgreSQL
 * can start the index scan at the cursor (for the default sort) instead of filtering from the top.
 */
export const afterCursor = (sql: SqlClient.SqlClient, sort: Sort, cursor: CursorPayload | undefined): Fragment => {
  if (!cursor) return sql`true`
  const op = sql.literal(sort.direction === "asc" ? ">" : "<")
  switch (sort.field) {
    case "id":
      return sql`a.id ${op} ${cursor.i}`
    case "createdAt":
      return sql`(a.alert_creation_time, a.id) ${op} (${String(cursor.v)}::timestamptz, ${cursor.i})`
    default:
      return sql`(${sql.literal(sortExpressions[sort.field])}, a.id) ${op} (${String(cursor.v ?? "")}::text, ${cursor.i})`
  }
}

/** The grouping expression of alerts/count (tag is a join, handled by the repo). */
export const groupKeys: Record<Exclude<GroupBy, "tag">, string> = {
  status: "a.status",
  customerCode: "a.customer_code",
  source: "a.source",
  assignedTo: "a.assigned_to"
}

export interface PageQuery {
  readonly filter: AlertFilter | undefined
  readonly fold: TextFold
  readonly sort: Sort
  readonly after: CursorPayload | undefined
  readonly limit: number
}

/** A page as its wire JSON, and what the next cursor needs: the last item's sort key and id. */
export interface PageJson {
  /** The items, a JSON array of AlertSummary in wire form. */
  readonly items: string
  /** Rows read: one more than the limit when there is a next page. */
  readonly fetched: number
  readonly lastSortKey: string | null
  readonly lastId: number | null
}

/** The page's order again, over the columns `s` (the sort value) and `id` of the subquery `p`. */
const pageOrder = (sql: SqlClient.SqlClient, sort: Sort) => {
  const dir = sql.literal(sort.direction === "asc" ? "asc" : "desc")
  return sort.field === "id" ? sql`p.id ${dir}` : sql`p.s ${dir}, p.id ${dir}`
}

/**
 * One page plus one row (the extra row says whether there is a next page), as one statement
 * that also builds the page's JSON. The outer aggregate orders by the same values as the scan
 * (`s` keeps the column's collation). Exported on its own so that tests and the benchmark's floor
 * run exactly what the daemon runs.
 */
export const pageStatement = (sql: SqlClient.SqlClient, principal: Principal, q: PageQuery) => {
  const order = pageOrder(sql, q.sort)
  return sql<PageJson>`
    select coalesce(array_to_json((array_agg(p.item order by ${order}))[1:${q.limit}]), '[]'::json)::text as items,
      count(*)::int as fetched,
      (array_agg(p.sort_key order by ${order}))[${q.limit}] as last_sort_key,
      (array_agg(p.id order by ${order}))[${q.limit}] as last_id
    from (
      select a.id, ${sql.literal(sortExpressions[q.sort.field])} as s, ${sortKey(sql, q.sort)} as sort_key,
        ${alertSummaryJson(sql, principal)} as item
      from incident_management_alert a
      where ${filterCondition(sql, q.filter, q.fold)}
        and ${afterCursor(sql, q.sort, q.after)}
        and ${alertVisible(sql, principal, "a")}
      order by ${orderBy(sql, q.sort)}
      limit ${q.limit + 1}
    ) p`
}

export interface CountRow {
  readonly isTotal: boolean
  readonly key: string | null
  readonly count: number
}

/**
 * alerts/count as one statement (one snapshot): the total row, and for a groupBy a row per group
 * (by tag: an alert in each of its tags' groups, untagged in the null group). Exported, like
 * pageStatement, so that the benchmark's floor runs exactly this.
 */
export const groupedCountStatement = (
  sql: SqlClient.SqlClient, principal: Principal, filter: AlertFilter | undefined, groupBy: GroupBy | undefined, fold: TextFold
) => {
  const matching = sql`
        select a.id${groupBy && groupBy !== "tag" ? sql`, (${sql.literal(groupKeys[groupBy])})::text as key` : sql``}
        from incident_management_alert a
        where ${filterCondition(sql, filter, fold)} and ${alertVisible(sql, principal, "a")}`
  if (!groupBy) return sql<CountRow>`select true as is_total, null::text as key, count(*)::int as count from (${matching}) m`
  const groups = groupBy === "tag"
    ? sql`
          select false, t.tag::text, count(*)::int from m
          left join incident_management_alert_to_tag l on l.alert_id = m.id
          left join incident_management_alerttag t on t.id = l.tag_id
          group by t.tag`
    : sql`select false, m.key, count(*)::int from m group by m.key`
  return sql<CountRow>`
        with m as materialized (${matching})
        select true as is_total, null::text as key, count(*)::int as count from m
        union all
        ${groups}`
}
