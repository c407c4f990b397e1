import type { AlertSummary } from "@sockeye/protocol"
import { Status } from "@sockeye/protocol"
import { Box } from "ink"
import React, { useEffect, useMemo } from "react"
import { useAppActions, useAppState } from "../contexts/AppContext.js"
import { Priority, useKeyMatchers, useKeypress } from "../contexts/KeypressContext.js"
import { moveCursor } from "../hooks/cursor.js"
import { useAlerts } from "../hooks/useAlerts.js"
import { useNow } from "../hooks/useNow.js"
import { useVerbKeys } from "../hooks/useVerbKeys.js"
import { Command } from "../key/keyBindings.js"
import type { AlertQuery, AlertSortField, Entry } from "../model/routes.js"
import { theme } from "../theme/semantic-colors.js"
import { alertLayout, alertShows, narrowCells, wideCells, type AlertColumn } from "./alertColumns.js"
import { Line, type Segment } from "./Segments.js"
import { Empty, GUTTER, Table } from "./Table.js"

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
  useEffect(() => {
    actions.setRefresh(refresh)
    return () => actions.setRefresh(undefined)
  }, [actions, refresh])

  const rows = useMemo(() => {
    const items = page?.items ?? []
    return query.invert ? items.filter((a) => !alertShows(a, query.invert!)) : items
  }, [page, query.invert])
  const byId = rows.findIndex((a) => a.id === entry.memo.selected)
  const cursor = byId >= 0 ? byId : Math.min(entry.memo.line ?? 0, Math.max(0, rows.length - 1))
  const current: AlertSummary | undefined = rows[cursor]
  const tableHeight = height - 1

  const select = (index: number) => {
    const row = rows[index]
    actions.remember(entry.key, { selected: row?.id, line: index })
  }
  const goPage = (next: ReadonlyArray<string>) => actions.remember(entry.key, { cursors: next, selected: undefined, line: 0 })
  const withQuery = (q: AlertQuery) => actions.replace({ kind: "alerts", query: q })

  const sortBy = (field: AlertSortField) => withQuery({
    ...query,
    sort: { field, direction: query.sort.field === field ? (query.sort.direction === "asc" ? "desc" : "asc") : field === "createdAt" || field === "id" ? "desc" : "asc" }
  })

  useKeypress((key) => {
    const moved = moveCursor(m, key, cursor, rows.length, tableHeight - 1)
    if (moved !== undefined) {
      // PageDown on the last row reads the next page: keyset paging, as the list goes on.
      if (m[Command.PageDown](key) && cursor === rows.length - 1 && page?.nextCursor) goPage([...cursors, page.nextCursor])
      else select(moved)
      return true
    }
    if (m[Command.Open](key)) {
      if (current) actions.push({ kind: "alert", id: current.id })
      return true
    }
    if (m[Command.ShowEvent](key)) {
      if (current) actions.push({ kind: "event", alertId: current.id })
      return true
    }
    if (m[Command.NextPage](key)) {
      if (page?.nextCursor) goPage([...cursors, page.nextCursor])
      else actions.say("info", "this is the last page")
      return true
    }
    if (m[Command.PrevPage](key)) {
      if (cursors.length > 0) goPage(cursors.slice(0, -1))
      else actions.say("info", "this is the first page")
      return true
    }
    if (m[Command.Mark](key)) {
      if (current) {
        actions.toggleMark(current)
        select(Math.min(rows.length - 1, cursor + 1))
      }
      return true
    }
    if (m[Command.MarkAll](key)) return actions.setMarks(rows), true
    if (m[Command.ClearMarks](key)) return actions.clearMarks(), true
    if (m[Command.SortReverse](key)) return sortBy(query.sort.field), true
    if (m[Command.Sort](key)) {
      actions.prompt({
        kind: "choice",
        label: "sort by:",
        options: SORT_KEYS.map((s) => ({ key: s.key, label: s.label, run: () => sortBy(s.field) }))
      })
      return true
    }
    if (m[Command.Filter](key)) {
      actions.prompt({
        kind: "text",
        label: "/",
        initial: query.invert ? `!${query.invert}` : query.filter.text ?? "",
        onSubmit: (text) => {
          const { text: _text, ...filter } = query.filter
          const invert = text.startsWith("!") ? text.slice(1).trim() : undefined
          const plain = invert === undefined ? text.trim() : ""
          withQuery({ ...query, filter: plain ? { ...filter, text: plain } : filter, invert: invert || undefined })
        }
      })
      return true
    }
    if (m[Command.Back](key) && (query.filter.text || query.invert)) {
      // Esc first clears the filter (k9s), then goes back.
      const { text: _text, ...filter } = query.filter
      withQuery({ ...query, filter, invert: undefined })
      return true
    }
    return false
  }, { priority: Priority.View })

  useVerbKeys(() => (marks.size > 0 ? { kind: "alert", items: [...marks.values()] } : current ? { kind: "alert", items: [current] } : undefined),
    { isActive: true, alertVerbs: true })

  const narrow = width < 110
  const layout = useMemo(() => alertLayout(width - GUTTER), [width])
  const pageNo = cursors.length + 1
  const info = [
    `page ${pageNo}${page?.nextCursor ? "+" : ""}`,
    `${rows.length}${query.invert ? ` of ${page?.items.length ?? 0}` : ""} rows`,
    marks.size > 0 ? `${marks.size} marked` : "",
    loading ? "loading…" : ""
  ].filter(Boolean).join(" · ")

  return (
    <Box flexDirection="column" height={height}>
      <Line segments={countsLine(query, counts?.groups, info)} />
      {error && !page
        ? <Empty height={tableHeight} text={`alerts/list failed: ${error.message} (${error.code})`} />
        : !page ? <Empty height={tableHeight} text="loading…" />
        : rows.length === 0 ? <Empty height={tableHeight} text={query.invert ? "every row of this page matches the inverted filter" : "no alerts match"} />
        : <Table layout={layout} rows={rows} cursor={cursor} height={tableHeight} rowKey={(a) => a.id}
            cells={narrow ? narrowCells : wideCells} isMarked={(a) => marks.has(a.id)} now={now}
            sort={{ key: SORT_COLUMN[query.sort.field], direction: query.sort.direction }} highlight={query.filter.text} />}
    </Box>
  )
}
