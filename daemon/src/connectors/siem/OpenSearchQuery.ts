import type { SearchRequest, SearchResult } from "./SiemIndex.js"
import { MISSING_TIME_ASC, MISSING_TIME_DESC, TIME_FIELDS } from "./documents.js"

/**
 * The OpenSearch request body of a SearchRequest, and its hits back. Sort is [field, _id] in
 * one direction with documents lacking the field last, as the local index sorts.
 */

export interface RawHit {
  readonly _index: string
  readonly _id: string
  readonly _source?: Record<string, unknown>
  readonly sort?: ReadonlyArray<unknown>
}

const isTime = (field: string) => (TIME_FIELDS as ReadonlyArray<string>).includes(field)
const sortOf = (request: SearchRequest) => request.sort ?? { field: request.timeField ?? "timestamp", direction: "desc" as const }
const missingTime = (direction: "asc" | "desc") => (direction === "asc" ? MISSING_TIME_ASC : MISSING_TIME_DESC)

export const searchBody = (request: SearchRequest): Record<string, unknown> => {
  const timeField = request.timeField ?? "timestamp"
  const sort = sortOf(request)
  const filter: Array<unknown> = Object.entries(request.terms ?? {}).map(([field, value]) => ({ term: { [field]: value } }))
  if (request.from || request.to) {
    filter.push({
      range: {
        [timeField]: {
          ...(request.from ? { gte: request.from.toISOString() } : {}),
          ...(request.to ? { lt: request.to.toISOString() } : {}),
          // Our ISO bounds, whatever the field's own format (Graylog's is yyyy-MM-dd HH:mm:ss.SSS).
          format: "strict_date_optional_time"
        }
      }
    })
  }
  const must = request.query !== undefined && request.query.trim() !== ""
    ? [{ query_string: { query: request.query, default_operator: "AND" } }]
    : []
  const after = request.after
  // OpenSearch gives a missing time Long.MAX_VALUE (or MIN), which JSON numbers cannot carry
  // back: after such a position, the rest is "no time, id beyond", asked for directly.
  const pastMissing = after !== undefined && isTime(sort.field) && after.sortValue === missingTime(sort.direction)
  if (pastMissing) filter.push({ bool: { must_not: { exists: { field: sort.field } } } })
  const fieldSort = {
    [sort.field]: { order: sort.direction, missing: "_last", unmapped_type: isTime(sort.field) ? "date" : "keyword" }
  }
  return {
    query: { bool: { filter, must } },
    sort: pastMissing || sort.field === "_id" ? [{ _id: { order: sort.direction } }] : [fieldSort, { _id: { order: sort.direction } }],
    ...(after ? { search_after: pastMissing || sort.field === "_id" ? [after.id] : [after.sortValue, after.id] } : {}),
    size: request.size,
    track_total_hits: request.trackTotalHits !== false
  }
}

/** Values beyond ±2^53 are OpenSearch's Long.MAX/MIN stand-ins for a missing field. */
const sortValueOf = (hit: RawHit, request: SearchRequest): string | number | undefined => {
  const sort = sortOf(request)
  const pastMissing = request.after !== undefined && isTime(sort.field) && request.after.sortValue === missingTime(sort.direction)
  if (pastMissing) return missingTime(sort.direction)
  const value = sort.field === "_id" ? hit._id : hit.sort?.[0]
  if (typeof value === "number" && !Number.isSafeInteger(value) && Math.abs(value) > 9e18) {
    return isTime(sort.field) ? missingTime(sort.direction) : undefined
  }
  return typeof value === "string" || typeof value === "number" ? value : undefined
}

export const toHit = (hit: RawHit, request: SearchRequest): SearchResult["hits"][number] => {
  const sortValue = sortValueOf(hit, request)
  return { index: hit._index, id: hit._id, source: hit._source ?? {}, ...(sortValue === undefined ? {} : { sortValue }) }
}
