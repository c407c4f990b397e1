import type { Alerts, Cases, Tag } from "@sockeye/protocol"
import type { AlertSpec } from "./commandLine.js"
import { defaultAlertQuery, defaultCaseQuery, type AlertQuery, type AlertSortField, type CaseQuery, type CaseSortField } from "./routes.js"

export interface ResolveContext {
  /** tags/list: tag names in a command become the ids the daemon filters on. */
  readonly tags: ReadonlyArray<Tag>
  /** The session's username, for assignee=me. */
  readonly me: string
  /** customers/list codes: customer=acme finds ACME. */
  readonly customers?: ReadonlyArray<string>
}

const canonical = (names: ReadonlyArray<string>, known: ReadonlyArray<string> | undefined) =>
  names.map((n) => known?.find((k) => k.toLowerCase() === n.toLowerCase()) ?? n)

/** A parsed `:alerts ...` as the alerts/list query; a tag name the daemon does not know is an error. */
export const alertQueryOf = (spec: AlertSpec, label: string, ctx: ResolveContext): AlertQuery | string => {
  const filter: { -readonly [K in keyof Alerts.AlertFilter]: Alerts.AlertFilter[K] } = {}
  if (spec.status) filter.status = spec.status
  if (spec.tags) {
    const ids: Array<number> = []
    for (const name of spec.tags) {
      const tag = ctx.tags.find((t) => t.tag.toLowerCase() === name.toLowerCase())
      if (!tag) return `unknown tag "${name}"`
      ids.push(tag.id)
    }
    filter.tagIds = ids
  }
  if (spec.customers) filter.customerCodes = canonical(spec.customers, ctx.customers)
  if (spec.sources) filter.sources = spec.sources
  if (spec.assignee !== undefined) filter.assignedTo = spec.assignee === "me" ? ctx.me : spec.assignee
  if (spec.escalated !== undefined) filter.escalated = spec.escalated
  if (spec.ioc) filter.iocValue = spec.ioc
  if (spec.text) filter.text = spec.text
  if (spec.createdAfter) filter.createdAfter = spec.createdAfter
  const sort = spec.sort ? { field: spec.sort.field as AlertSortField, direction: spec.sort.direction } : defaultAlertQuery.sort
  // The text filter shows as /text in the breadcrumb: keep it out of the label.
  return { filter, sort, label: label.split(/\s+/).filter((w) => w.includes("=") && !w.startsWith("text=")).join(" ") }
}

export const caseQueryOf = (spec: AlertSpec, label: string, ctx: Omit<ResolveContext, "tags">): CaseQuery => {
  const filter: { -readonly [K in keyof Cases.CaseFilter]: Cases.CaseFilter[K] } = {}
  if (spec.status) filter.status = spec.status
  if (spec.customers) filter.customerCodes = canonical(spec.customers, ctx.customers)
  if (spec.assignee !== undefined) filter.assignedTo = spec.assignee === "me" ? ctx.me : spec.assignee
  if (spec.escalated !== undefined) filter.escalated = spec.escalated
  if (spec.text) filter.text = spec.text
  const sort = spec.sort ? { field: spec.sort.field as CaseSortField, direction: spec.sort.direction } : defaultCaseQuery.sort
  return { filter, sort, label: label.split(/\s+/).filter((w) => w.includes("=") && !w.startsWith("text=")).join(" ") }
}
