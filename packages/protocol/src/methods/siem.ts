import { Schema } from "effect"
import { query } from "../Method.js"
import { Id, Timestamp } from "../model/common.js"

/** One SIEM document: its index, id and `_source` as stored. */
export const SiemDocument = Schema.Struct({
  index: Schema.String,
  id: Schema.String,
  source: Schema.Unknown
}).annotations({ identifier: "SiemDocument" })

const IndexName = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255), Schema.pattern(/^[^\s,"*\\/?<>|#]+$/)).annotations({
  description: "an index name (no wildcards)"
})
const IndexPattern = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255), Schema.pattern(/^[^\s"\\/?<>|#]+$/)).annotations({
  description: "an index name or pattern, e.g. wazuh-alerts-* or gl-events*"
})

export const SiemGet = query({
  method: "siem/get",
  description: "One SIEM document by index and id (-32010 when no SIEM is configured or it is unreachable).",
  // Raw documents of every customer: staff only (customer users reach theirs through alerts/event).
  audience: "writer",
  params: Schema.Struct({ index: IndexName, id: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(512)) }),
  result: SiemDocument
})

export const SiemSearch = query({
  method: "siem/search",
  description: "Search SIEM documents: a query-string query over an index pattern, within a time range.",
  audience: "writer",
  params: Schema.Struct({
    indexPattern: IndexPattern,
    /** Lucene query-string syntax, e.g. `rule.level:>=10 AND agent.name:web*`; default all. */
    query: Schema.optional(Schema.String.pipe(Schema.maxLength(10_000))),
    /** On the document's timestamp field. */
    from: Schema.optional(Timestamp),
    to: Schema.optional(Timestamp),
    size: Schema.optional(Schema.Int.pipe(Schema.between(0, 500))),
    sort: Schema.optional(Schema.Struct({
      field: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255)),
      direction: Schema.Literal("asc", "desc")
    }))
  }),
  result: Schema.Struct({ total: Schema.Int, hits: Schema.Array(SiemDocument) })
})

export const AlertsEvent = query({
  method: "alerts/event",
  description: "The SIEM document behind an alert's asset (its first asset unless assetId is given).",
  params: Schema.Struct({ alertId: Id, assetId: Schema.optional(Id) }),
  result: SiemDocument
})
