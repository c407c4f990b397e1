import type { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Either } from "effect"
import type { QueryNode } from "./QueryString.js"
import type { SearchRequest } from "./SiemIndex.js"
import { MISSING_TIME_ASC, MISSING_TIME_DESC, TIME_FIELDS } from "./documents.js"

/**
 * Compiles searches over sockeye_siem_documents (alias `d`) to SQL. Every user value travels
 * as a bound parameter: a jsonpath is itself a parameter whose values are either `$vars`
 * (query strings) or JSON literals (terms, so that `@@` can use the GIN jsonb_path_ops index).
 * Paths use jsonpath's lax mode, which looks into arrays at every level as OpenSearch does.
 */

type Sql = SqlClient.SqlClient

class Refused {
  constructor(readonly message: string) {}
}

/** `$."a"."b"` for `a.b`: keys quoted, so a field name cannot change the path's meaning. */
export const jsonPath = (field: string) => `$${field.split(".").map((key) => `.${JSON.stringify(key)}`).join("")}`

export const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`)

const numeric = (value: string) => /^-?\d+(\.\d+)?$/.test(value) && Number.isFinite(Number(value))

/** `jsonb_path_exists` with its variables; silent, so `.double()` on a non-number is just false. */
const pathExists = (sql: Sql, path: string, vars: Record<string, unknown>) =>
  sql`coalesce(jsonb_path_exists(d.source, ${path}::jsonpath, ${JSON.stringify(vars)}::jsonb, true), false)`

/** Equality as OpenSearch's term on a keyword or numeric field: "10" and 10 are the same value. */
const equalTo = (sql: Sql, field: string, value: string) => {
  const conditions = ["@ == $s"]
  const vars: Record<string, unknown> = { s: value }
  if (numeric(value)) { conditions.push("@ == $n"); vars["n"] = Number(value) }
  if (value === "true" || value === "false") { conditions.push("@ == $b"); vars["b"] = value === "true" }
  return pathExists(sql, `${jsonPath(field)} ? (${conditions.join(" || ")})`, vars)
}

const column = (field: string) => (field === "_id" ? "doc_id" : field === "_index" ? "index_name" : undefined)

const compileNode = (sql: Sql, node: QueryNode): Fragment => {
  switch (node.kind) {
    case "all": return sql`true`
    case "and": return sql`(${sql.and(node.nodes.map((n) => compileNode(sql, n)))})`
    case "or": return sql`(${sql.or(node.nodes.map((n) => compileNode(sql, n)))})`
    case "not": return sql`(not ${compileNode(sql, node.node)})`
    case "text":
      // String and number values only, never keys; ILIKE over the unescaped text of each.
      return sql`exists (
        select 1 from jsonb_path_query(d.source, 'strict $.** ? (@.type() == "string" || @.type() == "number")') v
        where (v #>> '{}') ilike ${`%${escapeLike(node.text)}%`})`
    case "term": {
      const col = column(node.field)
      return col ? sql`d.${sql(col)} = ${node.value}` : equalTo(sql, node.field, node.value)
    }
    case "prefix": {
      const col = column(node.field)
      return col
        ? sql`d.${sql(col)} like ${`${escapeLike(node.prefix)}%`}`
        : pathExists(sql, `${jsonPath(node.field)} ? (@ starts with $p)`, { p: node.prefix })
    }
    case "compare":
      if (column(node.field)) throw new Refused(`${node.field} cannot be compared as a number`)
      // node.op is one of four literal operators, never user text.
      return pathExists(sql, `${jsonPath(node.field)} ? (@.double() ${node.op} $n)`, { n: node.value })
    case "exists":
      return column(node.field) ? sql`true` : pathExists(sql, `${jsonPath(node.field)} ? (@ != null)`, {})
  }
}

/** A term filter as `source @@ jsonpath` with the value as a JSON literal: indexable. */
const termFilter = (sql: Sql, field: string, value: string | number | boolean): Fragment => {
  const col = column(field)
  if (col) return sql`d.${sql(col)} = ${String(value)}`
  if (typeof value === "number" && !Number.isFinite(value)) throw new Refused(`terms.${field}: ${value} is not a number`)
  const path = jsonPath(field)
  const forms = new Set([JSON.stringify(value)])
  if (typeof value !== "string") forms.add(JSON.stringify(String(value)))
  else if (numeric(value)) forms.add(String(Number(value)))
  else if (value === "true" || value === "false") forms.add(value)
  return sql`d.source @@ ${[...forms].map((form) => `${path} == ${form}`).join(" || ")}::jsonpath`
}

/** `wazuh-alerts-*,gl-events*`: each name or pattern, `*` matching any run of characters. */
const indexFilter = (sql: Sql, pattern: string): Fragment =>
  sql`(${sql.or(pattern.split(",").map((piece) => {
    if (piece.startsWith("-")) throw new Refused(`index exclusions (${piece}) are not supported`)
    if (piece === "*" || piece === "_all") return sql`true`
    return piece.includes("*")
      ? sql`d.index_name like ${escapeLike(piece).replace(/\*/g, "%")}`
      : sql`d.index_name = ${piece}`
  }))})`

const isTimeField = (field: string) => (TIME_FIELDS as ReadonlyArray<string>).includes(field)

/**
 * A run of the result in sort order: the rows with a sort value, then those without (which
 * sort last, as OpenSearch's missing: _last). Each is its own index-friendly query: one OR
 * across the two would cost PostgreSQL its index range scan from the keyset position.
 */
export interface Segment {
  readonly position: Fragment
  readonly orderBy: Fragment
}

export interface CompiledSearch {
  /** Every condition except the keyset position: what `total` counts. */
  readonly where: Fragment
  /** Queried in turn until the page is full. */
  readonly segments: ReadonlyArray<Segment>
  /** The sort key of each row, as the `sort_value` column (epoch ms for times). */
  readonly sortValue: Fragment
}

const epochMillis = (sql: Sql, millis: number) => sql`timestamptz 'epoch' + ${millis} * interval '1 millisecond'`

/** The statement parts of a search, or the reason it cannot run on the local index. */
export const compileSearch = (sql: Sql, request: SearchRequest, query: QueryNode | undefined): Either.Either<CompiledSearch, string> => {
  try {
    const timeField = request.timeField ?? "timestamp"
    const conditions: Array<Fragment> = [indexFilter(sql, request.indexPattern)]
    if (query) conditions.push(compileNode(sql, query))
    for (const [field, value] of Object.entries(request.terms ?? {})) conditions.push(termFilter(sql, field, value))
    if (request.from || request.to) {
      if (!isTimeField(timeField)) throw new Refused(`the local index keeps times of ${TIME_FIELDS.join(" or ")} only, not ${timeField}`)
      if (request.from) conditions.push(sql`d.ts >= ${request.from}`)
      if (request.to) conditions.push(sql`d.ts < ${request.to}`)
    }
    const sort = request.sort ?? { field: timeField, direction: "desc" as const }
    const asc = sort.direction === "asc"
    const dir = sql.literal(asc ? "asc" : "desc")
    const cmp = sql.literal(asc ? ">" : "<")
    const after = request.after
    const where = sql.and(conditions)
    if (isTimeField(sort.field)) {
      const missing = asc ? MISSING_TIME_ASC : MISSING_TIME_DESC
      if (after && after.sortValue !== missing && typeof after.sortValue !== "number") {
        throw new Refused("after.sortValue of a time sort is epoch milliseconds")
      }
      const pastTimed = after?.sortValue === missing
      const timed = { position: after ? sql`(d.ts, d.doc_id) ${cmp} (${epochMillis(sql, after.sortValue as number)}, ${after.id})` : sql`d.ts is not null`, orderBy: sql`d.ts ${dir}, d.doc_id ${dir}` }
      const untimed = { position: pastTimed ? sql`d.ts is null and d.doc_id ${cmp} ${after!.id}` : sql`d.ts is null`, orderBy: sql`d.doc_id ${dir}` }
      return Either.right({
        where, segments: pastTimed ? [untimed] : [timed, untimed],
        sortValue: sql`coalesce(floor(extract(epoch from d.ts) * 1000), ${missing})::float8`
      })
    }
    if (sort.field === "_id") {
      return Either.right({
        where, sortValue: sql`to_jsonb(d.doc_id)`,
        segments: [{ position: after ? sql`d.doc_id ${cmp} ${String(after.id)}` : sql`true`, orderBy: sql`d.doc_id ${dir}` }]
      })
    }
    // jsonb order: numbers by value, strings by text. A hit without the field has no sort value,
    // so paging resumes only from hits that have one.
    const value = sql`(d.source #> string_to_array(${sort.field}, '.'))`
    return Either.right({
      where, sortValue: value,
      segments: [
        {
          position: after ? sql`(${value}, d.doc_id) ${cmp} (${JSON.stringify(after.sortValue)}::jsonb, ${after.id})` : sql`${value} is not null`,
          orderBy: sql`${value} ${dir}, d.doc_id ${dir}`
        },
        { position: sql`${value} is null`, orderBy: sql`d.doc_id ${dir}` }
      ]
    })
  } catch (error) {
    if (error instanceof Refused) return Either.left(error.message)
    throw error
  }
}
