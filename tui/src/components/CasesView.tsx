import type { CaseSummary } from "@sockeye/protocol"
import { Box } from "ink"
import React, { useMemo } from "react"
import { useAppActions } from "../contexts/AppContext.js"
import { Priority, useKeypress } from "../contexts/KeypressContext.js"
import { useCases } from "../hooks/useCases.js"
import { useListView } from "../hooks/useListView.js"
import { useNow } from "../hooks/useNow.js"
import { useVerbKeys } from "../hooks/useVerbKeys.js"
import { layoutColumns, type Column } from "../model/columns.js"
import { age } from "../model/format.js"
import type { CaseQuery, CaseSortField, Entry } from "../model/routes.js"
import { theme } from "../theme/semantic-colors.js"
import { Line } from "./Segments.js"
import { Empty, GUTTER, Table, type Cell } from "./Table.js"
import { useViewRefresh } from "../hooks/useViewRefresh.js"

type CaseColumn = "id" | "age" | "name" | "status" | "customer" | "assignee" | "alerts"

const COLUMNS: ReadonlyArray<Column<CaseColumn>> = [
  { key: "id", title: "ID", width: 6, align: "right" },
  { key: "age", title: "AGE", width: 4, align: "right" },
  { key: "name", title: "NAME", width: 20, flex: true, max: 100 },
  { key: "status", title: "STATUS", width: 11 },
  { key: "customer", title: "CUSTOMER", width: 10, drop: 2 },
  { key: "assignee", title: "ASSIGNEE", width: 10, drop: 1 },
  { key: "alerts", title: "ALERTS", width: 6, align: "right" }
]

const cells = (c: CaseSummary, now: number): Record<CaseColumn, Cell> => ({
  id: { text: String(c.id), color: theme.text.secondary },
  age: { text: age(c.createdAt, now), color: theme.text.secondary },
  name: c.escalated ? { text: `! ${c.name}`, color: theme.incident["escalated"], bold: true } : { text: c.name },
  status: { text: c.status, color: theme.incident[c.status] },
  customer: { text: c.customerCode ?? "-" },
  assignee: { text: c.assignedTo ?? "-", color: c.assignedTo ? theme.text.primary : theme.text.secondary },
  alerts: { text: String(c.alertCount), color: theme.text.accent }
})

const SORT_COLUMN: Record<CaseSortField, CaseColumn> = {
  createdAt: "age", id: "id", status: "status", name: "name", customerCode: "customer", assignedTo: "assignee"
}
const SORT_KEYS: ReadonlyArray<{ key: string; field: CaseSortField; label: string }> = [
  { key: "a", field: "createdAt", label: "age" }, { key: "i", field: "id", label: "id" }, { key: "n", field: "name", label: "name" },
  { key: "s", field: "status", label: "status" }, { key: "c", field: "customerCode", label: "customer" }, { key: "u", field: "assignedTo", label: "assignee" }
]

/** The cases table. */
export const CasesView = ({ entry, width, height }: { readonly entry: Entry; readonly width: number; readonly height: number }) => {
  if (entry.route.kind !== "cases") throw new Error("CasesView needs a cases route")
  const query = entry.route.query
  const actions = useAppActions()
  const now = useNow()
  const cursors = entry.memo.cursors ?? []
  const { page, error, loading, refresh } = useCases(query, cursors[cursors.length - 1])
  useViewRefresh(refresh)
  const tableHeight = height - 1
  const list = useListView({
    entry, query, page, sortKeys: SORT_KEYS, visible: tableHeight - 1,
    withQuery: (q: CaseQuery) => actions.replace({ kind: "cases", query: q }),
    open: (c) => actions.push({ kind: "case", id: c.id })
  })
  const { rows, cursor, current } = list
  useKeypress(list.handleKey, { priority: Priority.View })
  useVerbKeys(() => (current ? { kind: "case", items: [current] } : undefined), { isActive: true, alertVerbs: false })

  const layout = useMemo(() => layoutColumns(COLUMNS, width - GUTTER), [width])
  const info = [...list.info, loading ? "loading…" : ""].filter(Boolean).join(" · ")
  return (
    <Box flexDirection="column" height={height}>
      <Line segments={[{ text: ` CASES  │ ${info}`, color: theme.text.secondary }]} />
      {error && !page ? <Empty height={tableHeight} text={`cases/list failed: ${error.message} (${error.code})`} />
        : !page ? <Empty height={tableHeight} text="loading…" />
        : rows.length === 0 ? <Empty height={tableHeight} text="no cases match" />
        : <Table layout={layout} rows={rows} cursor={cursor} height={tableHeight} rowKey={(c) => c.id} cells={cells} now={now}
            sort={{ key: SORT_COLUMN[query.sort.field], direction: query.sort.direction }} highlight={query.filter.text} />}
    </Box>
  )
}
