import { Schema } from "effect"
import { mutation, query } from "../Method.js"
import { Id, Timestamp } from "../model/common.js"
import {
  AlertDetail, AlertSummary, Comment, CustomerCode, Cursor, IdList, Ioc, IocType, Limit, SortDirection, Status,
  Tag, TagText, UniqueIdList, Username, page
} from "../model/Incident.js"

const Text = (max: number) => Schema.String.pipe(Schema.maxLength(max))

export const AlertFilter = Schema.Struct({
  status: Schema.optional(Schema.Array(Status).pipe(Schema.maxItems(3))),
  customerCodes: Schema.optional(Schema.Array(CustomerCode).pipe(Schema.maxItems(1000))),
  sources: Schema.optional(Schema.Array(Text(50)).pipe(Schema.maxItems(1000))),
  /** A username, or null for unassigned alerts. */
  assignedTo: Schema.optional(Schema.NullOr(Username)),
  escalated: Schema.optional(Schema.Boolean),
  /** Alerts carrying any of these tags. */
  tagIds: Schema.optional(Schema.Array(Id).pipe(Schema.maxItems(1000))),
  /** Alerts with an IoC of exactly this value. */
  iocValue: Schema.optional(Text(250)),
  /** Case-insensitive substring of the name, an asset name or an IoC value. */
  text: Schema.optional(Text(500)),
  /** The inverse of `text`: alerts whose name, asset names and IoC values all lack this substring. */
  notText: Schema.optional(Text(500)),
  createdAfter: Schema.optional(Timestamp),
  createdBefore: Schema.optional(Timestamp)
}).annotations({ identifier: "AlertFilter" })
export type AlertFilter = typeof AlertFilter.Type

export const AlertSortField = Schema.Literal("createdAt", "id", "status", "name", "customerCode", "source", "assignedTo")

export const AlertsList = query({
  method: "alerts/list",
  description: "A page of alerts the user may see, filtered and sorted (keyset pagination).",
  params: Schema.Struct({
    filter: Schema.optional(AlertFilter),
    /** Default: createdAt desc. */
    sort: Schema.optional(Schema.Struct({ field: AlertSortField, direction: SortDirection })),
    limit: Schema.optional(Limit),
    cursor: Schema.optional(Cursor)
  }),
  result: page(AlertSummary)
})

export const AlertGroupBy = Schema.Literal("status", "customerCode", "source", "assignedTo", "tag")

export const AlertsCount = query({
  method: "alerts/count",
  description: "How many alerts the user may see match the filter, optionally by group.",
  params: Schema.Struct({ filter: Schema.optional(AlertFilter), groupBy: Schema.optional(AlertGroupBy) }),
  result: Schema.Struct({
    total: Schema.Int,
    /** For groupBy: one entry per value; key null for unassigned (assignedTo) and untagged (tag). */
    groups: Schema.optional(Schema.Array(Schema.Struct({ key: Schema.NullOr(Schema.String), count: Schema.Int })))
  })
})

export const AlertsGet = query({
  method: "alerts/get",
  description: "One alert with its description, assets, IoCs, comments, cases and context.",
  params: Schema.Struct({ id: Id }),
  result: AlertDetail
})

export const NewAsset = Schema.Struct({
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255)),
  agentId: Schema.optional(Text(50)),
  velociraptorId: Schema.optional(Text(150)),
  indexName: Schema.optional(Text(255)),
  indexId: Schema.optional(Text(255))
}).annotations({ identifier: "NewAsset" })

export const NewIoc = Schema.Struct({
  value: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(250)),
  type: IocType,
  description: Schema.optional(Text(10000))
}).annotations({ identifier: "NewIoc" })

export const AlertsCreate = mutation({
  method: "alerts/create",
  description: "Create an alert by hand (admin or analyst).",
  params: Schema.Struct({
    name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(10_000)),
    description: Text(100_000),
    customerCode: CustomerCode,
    source: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(50)),
    assets: Schema.optional(Schema.Array(NewAsset).pipe(Schema.maxItems(100))),
    iocs: Schema.optional(Schema.Array(NewIoc).pipe(Schema.maxItems(100))),
    tags: Schema.optional(Schema.Array(TagText).pipe(Schema.maxItems(100)))
  }),
  result: AlertSummary
})

export const AlertsUpdate = mutation({
  method: "alerts/update",
  description: "Set status, assignee or escalation on alerts, all or nothing.",
  params: Schema.Struct({
    ids: IdList,
    set: Schema.Struct({
      status: Schema.optional(Status),
      /** A username, or null to unassign. */
      assignedTo: Schema.optional(Schema.NullOr(Username)),
      escalated: Schema.optional(Schema.Boolean)
    }).pipe(Schema.filter((s) => Object.keys(s).length > 0 || "set at least one of status, assignedTo, escalated"))
  }),
  result: Schema.Struct({ updated: Schema.Array(Id) }),
  idempotent: true
})

const CommentText = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(100_000))

export const AlertsCommentsAdd = mutation({
  method: "alerts/comments/add",
  description: "Comment on an alert as the current user.",
  params: Schema.Struct({ alertId: Id, comment: CommentText }),
  result: Comment
})

/** A comment with the alert it is on: one element of alerts/comments/addMany's result. */
export const AlertComment = Schema.Struct({ alertId: Id, ...Comment.fields }).annotations({ identifier: "AlertComment" })

export const AlertsCommentsAddMany = mutation({
  method: "alerts/comments/addMany",
  description: "The same comment on each of several alerts as the current user, all or nothing: if any alert is missing "
    + "or hidden the call fails naming it (-32004) and no comment is written. Comments come back in the order of alertIds.",
  params: Schema.Struct({ alertIds: UniqueIdList(500), comment: CommentText }),
  result: Schema.Struct({ comments: Schema.Array(AlertComment) })
})

export const AlertsTagsAdd = mutation({
  method: "alerts/tags/add",
  description: "Tag alerts; a new tag name creates the tag, an existing one is reused.",
  params: Schema.Struct({ alertIds: IdList, tag: TagText }),
  result: Schema.Struct({ tag: Tag, updated: Schema.Array(Id) }),
  idempotent: true
})

export const AlertsTagsRemove = mutation({
  method: "alerts/tags/remove",
  description: "Remove a tag from alerts; the tag itself stays.",
  params: Schema.Struct({ alertIds: IdList, tagId: Id }),
  result: Schema.Struct({ updated: Schema.Array(Id) }),
  idempotent: true
})

export const AlertsIocsAdd = mutation({
  method: "alerts/iocs/add",
  description: "Attach an IoC to an alert (an existing IoC of the same value and type is reused).",
  params: Schema.Struct({ alertId: Id, ...NewIoc.fields }),
  result: Ioc
})

export const AlertsIocsRemove = mutation({
  method: "alerts/iocs/remove",
  description: "Detach an IoC from an alert; the IoC row stays for other alerts.",
  params: Schema.Struct({ alertId: Id, iocId: Id }),
  result: Schema.Struct({ updated: Schema.Array(Id) }),
  idempotent: true
})

export const AlertsDelete = mutation({
  method: "alerts/delete",
  description: "Delete alerts with their assets, comments and links (admin); alerts linked to a case are refused.",
  params: Schema.Struct({ ids: IdList }),
  result: Schema.Struct({ deleted: Schema.Array(Id) }),
  audience: "admin",
  destructive: true,
  idempotent: true
})
