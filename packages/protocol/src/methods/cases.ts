import { Schema } from "effect"
import { mutation, query } from "../Method.js"
import { Id } from "../model/common.js"
import {
  CaseDetail, CaseSummary, Comment, CustomerCode, Cursor, IdList, Limit, SortDirection, Status, Username, page
} from "../model/Incident.js"

export const CaseFilter = Schema.Struct({
  status: Schema.optional(Schema.Array(Status).pipe(Schema.maxItems(3))),
  customerCodes: Schema.optional(Schema.Array(CustomerCode).pipe(Schema.maxItems(1000))),
  assignedTo: Schema.optional(Schema.NullOr(Username)),
  escalated: Schema.optional(Schema.Boolean),
  /** Case-insensitive substring of the name or description. */
  text: Schema.optional(Schema.String.pipe(Schema.maxLength(500))),
  /** The inverse of `text`: cases whose name and description both lack this substring. */
  notText: Schema.optional(Schema.String.pipe(Schema.maxLength(500)))
}).annotations({ identifier: "CaseFilter" })
export type CaseFilter = typeof CaseFilter.Type

export const CaseSortField = Schema.Literal("createdAt", "id", "status", "name", "customerCode", "assignedTo")

export const CasesList = query({
  method: "cases/list",
  description: "A page of cases the user may see (keyset pagination; default createdAt desc).",
  params: Schema.Struct({
    filter: Schema.optional(CaseFilter),
    sort: Schema.optional(Schema.Struct({ field: CaseSortField, direction: SortDirection })),
    limit: Schema.optional(Limit),
    cursor: Schema.optional(Cursor)
  }),
  result: page(CaseSummary)
})

export const CasesGet = query({
  method: "cases/get",
  description: "One case with its description, the linked alerts the user may see, comments and files.",
  params: Schema.Struct({ id: Id }),
  result: CaseDetail
})

const CaseName = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(10_000))
const CaseDescription = Schema.String.pipe(Schema.maxLength(100_000))

export const CasesCreate = mutation({
  method: "cases/create",
  description: "Open a case, optionally from alerts (their customer by default).",
  params: Schema.Struct({
    name: CaseName,
    description: CaseDescription,
    customerCode: Schema.optional(CustomerCode),
    alertIds: Schema.optional(Schema.Array(Id).pipe(Schema.maxItems(1000))),
    assignedTo: Schema.optional(Username)
  }),
  result: CaseSummary
})

export const CasesUpdate = mutation({
  method: "cases/update",
  description: "Change cases, all or nothing; closing closes their alerts, reopening moves them to IN_PROGRESS.",
  params: Schema.Struct({
    ids: IdList,
    set: Schema.Struct({
      status: Schema.optional(Status),
      assignedTo: Schema.optional(Schema.NullOr(Username)),
      escalated: Schema.optional(Schema.Boolean),
      name: Schema.optional(CaseName),
      description: Schema.optional(CaseDescription)
    }).pipe(Schema.filter((s) => Object.keys(s).length > 0 || "set at least one field"))
  }),
  result: Schema.Struct({ updated: Schema.Array(Id) }),
  idempotent: true
})

export const CasesAlertsLink = mutation({
  method: "cases/alerts/link",
  description: "Link alerts to a case.",
  params: Schema.Struct({ caseId: Id, alertIds: IdList }),
  result: Schema.Struct({ linked: Schema.Array(Id) }),
  idempotent: true
})

export const CasesAlertsUnlink = mutation({
  method: "cases/alerts/unlink",
  description: "Unlink alerts from a case.",
  params: Schema.Struct({ caseId: Id, alertIds: IdList }),
  result: Schema.Struct({ unlinked: Schema.Array(Id) }),
  idempotent: true
})

export const CasesCommentsAdd = mutation({
  method: "cases/comments/add",
  description: "Comment on a case as the current user.",
  params: Schema.Struct({ caseId: Id, comment: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1064)) }),
  result: Comment
})
