import { Status } from "@sockeye/protocol"
import { Box } from "ink"
import React, { useMemo } from "react"
import { useAppActions, useAppState } from "../contexts/AppContext.js"
import { Priority, useKeyMatchers, useKeypress } from "../contexts/KeypressContext.js"
import { useAlerts } from "../hooks/useAlerts.js"
import { useListView } from "../hooks/useListView.js"
import { useNow } from "../hooks/useNow.js"
import { useVerbKeys } from "../hooks/useVerbKeys.js"
import { Command } from "../key/keyBindings.js"
import type { AlertQuery, AlertSortField, Entry } from "../model/routes.js"
import { theme } from "../theme/semantic-colors.js"
import { alertLayout, narrowCells, wideCells, type AlertColumn } from "./alertColumns.js"
import { Line, type Segment } from "./Segments.js"
import { Empty, GUTTER, Table } from "./Table.js"
import { useViewRefresh } from "../hooks/useViewRefresh.js"

const SORT_COLUMN: Record<AlertSortField, AlertColumn> = {
  createdAt: "age", id: "id", status: "status", name: "name", customerCode: "customer", source: "source", assignedTo: "assignee"
}
const SORT_KEYS: ReadonlyArray<{ key: string; field: AlertSortField; label: string }> = [
  { key: "a", field: "createdAt", label: "age" }, { key: "i", field: "id", label: "id" }, { key: "n", field: "name", label: "name" },
  { key: "s", field: "status", label: "status" }, { key: "c", field: "customerCode", label: "customer" },
  { key: "o", field: "source", label: "source" }, { key: "u", field: "assignedTo", label: "assignee" }
]

/** Counts by status for the filter (status aside), the statuses the filter keeps in bold. */
const countsLine = (query: AlertQuery, groups: ReadonlyArray<{ key: string | null; count: number }> | undefined, info: string): Array<Segment> => {
  const out: Array<Segment> = [{ text: " " }]
  for (const status of Status.literals) {
    const count = groups ? groups.find((g) => g.key === status)?.count ?? 0 : undefined
    const kept = !query.filter.status || query.filter.status.includes(status)
    out.push({ text: `${status} `, color: theme.incident[status], bold: kept, dim: !kept })
    out.push({ text: `${count ?? "…"}  `, bold: kept, dim: !kept })
  }
  out.push({ text: `│ ${info}`, color: theme.text.secondary })
  return out
}

/** The alerts table: the home view. */
export const AlertsView = ({ entry, width, height }: { readonly entry: Entry; readonly width: number; readonly height: number }) => {
  if (entry.route.kind !== "alerts") throw new Error("AlertsView needs an alerts route")
  const query = entry.route.query
  const { marks } = useAppState()
  const actions = useAppActions()
  const m = useKeyMatchers()
  const now = useNow()
  const cursors = entry.memo.cursors ?? []
  const { page, counts, error, loading, refresh } = useAlerts(query, cursors[cursors.length - 1])
  useViewRefresh(refresh)
  const tableHeight = height - 1
  const list = useListView({
    entry, query, page, sortKeys: SORT_KEYS, visible: tableHeight - 1,
    withQuery: (q: AlertQuery) => actions.replace({ kind: "alerts", query: q }),
    open: (a) => actions.push({ kind: "alert", id: a.id })
  })
  const { rows, cursor, current } = list

  useKeypress((key) => {
    if (list.handleKey(key)) return true
    if (m[Command.ShowEvent](key)) return current && actions.push({ kind: "event", alertId: current.id }), true
    if (m[Command.Mark](key)) {
      if (current) {
        actions.toggleMark(current)
        list.select(Math.min(rows.length - 1, cursor + 1))
      }
      return true
    }
    if (m[Command.MarkAll](key)) return actions.setMarks(rows), true
    if (m[Command.ClearMarks](key)) return actions.clearMarks(), true
    return false
  }, { priority: Priority.View })

  useVerbKeys(() => (marks.size > 0 ? { kind: "alert", items: [...marks.values()] } : current ? { kind: "alert", items: [current] } : undefined),
    { isActive: true, alertVerbs: true })

  const narrow = width < 110
  const layout = useMemo(() => alertLayout(width - GUTTER), [width])
  const info = [...list.info, marks.size > 0 ? `${marks.size} marked` : "", loading ? "loading…" : ""].filter(Boolean).join(" · ")
  return (
    <Box flexDirection="column" height={height}>
      <Line segments={countsLine(query, counts?.groups, info)} />
      {error && !page
        ? <Empty height={tableHeight} text={`alerts/list failed: ${error.message} (${error.code})`} />
        : !page ? <Empty height={tableHeight} text="loading…" />
        : rows.length === 0 ? <Empty height={tableHeight} text="no alerts match" />
        : <Table layout={layout} rows={rows} cursor={cursor} height={tableHeight} rowKey={(a) => a.id}
            cells={narrow ? narrowCells : wideCells} isMarked={(a) => marks.has(a.id)} now={now}
            sort={{ key: SORT_COLUMN[query.sort.field], direction: query.sort.direction }} highlight={query.filter.text} />}
    </Box>
  )
}
