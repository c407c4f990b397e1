import { Schema } from "effect"
import { Id, Timestamp } from "./common.js"

/** Alert and case status, as CoPilot stores them. */
export const Status = Schema.Literal("OPEN", "IN_PROGRESS", "CLOSED").annotations({ identifier: "Status" })
export type Status = typeof Status.Type

/** An IoC's type, as CoPilot's ingestion types them. */
export const IocType = Schema.Literal("IP", "DOMAIN", "HASH", "URL").annotations({ identifier: "IocType" })

/** A customer code: `customers.customer_code`. */
export const CustomerCode = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(50)).annotations({ identifier: "CustomerCode" })

/** A username used as an assignee: `user.username` (assigned_to is varchar(50)). */
export const Username = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(50)).annotations({ identifier: "Username" })

/** A tag's text: `incident_management_alerttag.tag` (varchar(50)), unique; surrounding spaces are trimmed. */
export const TagText = Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(50)).annotations({ identifier: "TagText" })

export const Tag = Schema.Struct({
  id: Id,
  tag: Schema.String
}).annotations({ identifier: "Tag" })
export type Tag = typeof Tag.Type

export const AlertSummary = Schema.Struct({
  id: Id,
  /** `alert_name`. */
  name: Schema.String,
  status: Status,
  /** `alert_creation_time`: when the alert was made, not the SIEM event time. */
  createdAt: Timestamp,
  /** `time_closed`. */
  closedAt: Schema.NullOr(Timestamp),
  customerCode: Schema.String,
  source: Schema.String,
  assignedTo: Schema.NullOr(Schema.String),
  escalated: Schema.Boolean,
  tags: Schema.Array(Tag),
  iocCount: Schema.Int,
  assetCount: Schema.Int,
  /** Cases the alert is linked to (those the user may see). */
  caseIds: Schema.Array(Id)
}).annotations({ identifier: "AlertSummary" })
export type AlertSummary = typeof AlertSummary.Type

export const Asset = Schema.Struct({
  id: Id,
  /** `asset_name`. */
  name: Schema.String,
  agentId: Schema.NullOr(Schema.String),
  velociraptorId: Schema.NullOr(Schema.String),
  customerCode: Schema.String,
  /** The SIEM document behind the asset: index and document id. */
  indexName: Schema.String,
  indexId: Schema.String,
  alertContextId: Id
}).annotations({ identifier: "Asset" })

export const Ioc = Schema.Struct({
  id: Id,
  value: Schema.String,
  type: Schema.String,
  description: Schema.NullOr(Schema.String)
}).annotations({ identifier: "Ioc" })

export const Comment = Schema.Struct({
  id: Id,
  comment: Schema.String,
  /** Who wrote it: the author's username (taken from the session, never from params). */
  userName: Schema.String,
  createdAt: Timestamp
}).annotations({ identifier: "Comment" })

export const CaseSummary = Schema.Struct({
  id: Id,
  /** `case_name`. */
  name: Schema.String,
  status: Schema.String,
  createdAt: Timestamp,
  /** `case_closed_time`. */
  closedAt: Schema.NullOr(Timestamp),
  customerCode: Schema.NullOr(Schema.String),
  assignedTo: Schema.NullOr(Schema.String),
  escalated: Schema.Boolean,
  /** `notification_invoked_number`. */
  notificationCount: Schema.Int,
  /** Linked alerts the user may see. */
  alertCount: Schema.Int
}).annotations({ identifier: "CaseSummary" })
export type CaseSummary = typeof CaseSummary.Type

export const CaseFile = Schema.Struct({
  id: Id,
  fileName: Schema.String,
  size: Schema.optional(Schema.Int),
  sha256: Schema.String,
  uploadedAt: Timestamp
}).annotations({ identifier: "CaseFile" })

export const AlertDetail = Schema.Struct({
  ...AlertSummary.fields,
  description: Schema.String,
  assets: Schema.Array(Asset),
  iocs: Schema.Array(Ioc),
  comments: Schema.Array(Comment),
  cases: Schema.Array(CaseSummary),
  /** The alert context's JSON (the SIEM fields kept at ingestion), if any. */
  context: Schema.NullOr(Schema.Unknown)
}).annotations({ identifier: "AlertDetail" })

export const CaseDetail = Schema.Struct({
  ...CaseSummary.fields,
  description: Schema.String,
  alerts: Schema.Array(AlertSummary),
  comments: Schema.Array(Comment),
  files: Schema.Array(CaseFile)
}).annotations({ identifier: "CaseDetail" })

/** A page of a keyset-paginated list; pass `nextCursor` back to get the next page. */
export const page = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({ items: Schema.Array(item), nextCursor: Schema.NullOr(Schema.String) })

export const SortDirection = Schema.Literal("asc", "desc")

/** 1..500 rows a page, 50 when omitted. */
export const Limit = Schema.Int.pipe(Schema.between(1, 500)).annotations({ identifier: "Limit" })

/** An opaque cursor from a previous page's `nextCursor`; a tampered one is refused. */
export const Cursor = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(2048)).annotations({ identifier: "Cursor" })

/** The ids a write touched. */
export const Touched = (key: string) => Schema.Struct({ [key]: Schema.Array(Id) })

/** A bounded, non-empty list of ids for bulk writes. */
export const IdList = Schema.Array(Id).pipe(Schema.minItems(1), Schema.maxItems(1000)).annotations({ identifier: "IdList" })

/** 1 to `max` ids, none twice: for writes whose result has one entry per id. */
export const UniqueIdList = (max: number) => Schema.Array(Id).pipe(
  Schema.minItems(1), Schema.maxItems(max),
  Schema.filter((ids) => {
    const seen = new Set<number>()
    const repeated = ids.find((id) => seen.size === seen.add(id).size)
    return repeated === undefined || `id ${repeated} is listed twice`
  })
)
