import type { Alerts, Cases } from "@sockeye/protocol"

export type SortDirection = "asc" | "desc"
export type AlertSortField = (typeof Alerts.AlertSortField.Type)
export type CaseSortField = (typeof Cases.CaseSortField.Type)

/** What the alerts view lists: the daemon's filter and sort. */
export interface AlertQuery {
  readonly filter: Alerts.AlertFilter
  readonly sort: { readonly field: AlertSortField; readonly direction: SortDirection }
  /** How the query was asked for, e.g. "status=open tag=network" (shown in the breadcrumb). */
  readonly label: string
}

export interface CaseQuery {
  readonly filter: Cases.CaseFilter
  readonly sort: { readonly field: CaseSortField; readonly direction: SortDirection }
  readonly label: string
}

export type Route =
  | { readonly kind: "alerts"; readonly query: AlertQuery }
  | { readonly kind: "alert"; readonly id: number }
  | { readonly kind: "event"; readonly alertId: number; readonly assetId?: number | undefined; readonly label?: string | undefined }
  | { readonly kind: "cases"; readonly query: CaseQuery }
  | { readonly kind: "case"; readonly id: number }
  | { readonly kind: "jobs" }

export const defaultAlertQuery: AlertQuery = { filter: {}, sort: { field: "createdAt", direction: "desc" }, label: "" }
export const defaultCaseQuery: CaseQuery = { filter: {}, sort: { field: "createdAt", direction: "desc" }, label: "" }

/** A view's position, kept in the history stack so that Esc returns to the same row and page. */
export interface ViewMemo {
  /** The selected row's id (alerts, cases) or job id. */
  readonly selected?: number | string | undefined
  /** Keyset cursors of the pages before the current one (the first page has none). */
  readonly cursors?: ReadonlyArray<string> | undefined
  /** The cursor line of a pager view. */
  readonly line?: number | undefined
}

export interface Entry {
  readonly key: number
  readonly route: Route
  readonly memo: ViewMemo
}

const filterParts = (query: AlertQuery | CaseQuery) =>
  [query.label, query.filter.text ? `/${query.filter.text}` : "", query.filter.notText ? `/!${query.filter.notText}` : ""]
    .filter(Boolean).join(" ")

/** The breadcrumb of one route: "alerts(status=open)", "alert 123", "event 123". */
export const crumbOf = (route: Route): string => {
  switch (route.kind) {
    case "alerts": {
      const parts = filterParts(route.query)
      return parts ? `alerts(${parts})` : "alerts"
    }
    case "alert": return `alert ${route.id}`
    case "event": return `event ${route.alertId}${route.label ? ` ${route.label}` : ""}`
    case "cases": {
      const parts = filterParts(route.query)
      return parts ? `cases(${parts})` : "cases"
    }
    case "case": return `case ${route.id}`
    case "jobs": return "jobs"
  }
}
