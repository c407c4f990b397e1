import type { AlertSummary } from "@sockeye/protocol"
import { layoutColumns, type Column, type Layout } from "../model/columns.js"
import { age } from "../model/format.js"
import { theme } from "../theme/semantic-colors.js"
import type { Cell } from "./Table.js"

export type AlertColumn = "id" | "age" | "name" | "status" | "customer" | "source" | "assignee" | "tags" | "case"

const WIDE: ReadonlyArray<Column<AlertColumn>> = [
  { key: "id", title: "ID", width: 7, align: "right" },
  { key: "age", title: "AGE", width: 4, align: "right" },
  { key: "name", title: "NAME", width: 24, flex: true, max: 90 },
  { key: "status", title: "STATUS", width: 11 },
  { key: "customer", title: "CUSTOMER", width: 12, drop: 2 },
  { key: "source", title: "SOURCE", width: 10, drop: 4 },
  { key: "assignee", title: "ASSIGNEE", width: 12, drop: 1 },
  { key: "tags", title: "TAGS", width: 22, drop: 3 },
  { key: "case", title: "CASE", width: 8 }
]

// Under 110 columns: tighter cells, and SOURCE goes (the detail view shows it).
const NARROW: ReadonlyArray<Column<AlertColumn>> = [
  { key: "id", title: "ID", width: 5, align: "right" },
  { key: "age", title: "AGE", width: 4, align: "right" },
  { key: "name", title: "NAME", width: 16, flex: true, max: 60 },
  { key: "status", title: "STATUS", width: 7 },
  { key: "customer", title: "CUSTOMER", width: 8, drop: 2 },
  { key: "assignee", title: "ASSIGNEE", width: 8, drop: 1 },
  { key: "tags", title: "TAGS", width: 10, drop: 3 },
  { key: "case", title: "CASE", width: 5 }
]

export const alertLayout = (width: number): Layout<AlertColumn> => layoutColumns(width >= 110 ? WIDE : NARROW, width)

const SHORT_STATUS: Record<string, string> = { IN_PROGRESS: "IN_PROG" }

/** The cells of one alert row, for a layout of the given width. */
export const alertCells = (narrow: boolean) => (a: AlertSummary, now: number): Record<AlertColumn, Cell> => ({
  id: { text: String(a.id), color: theme.text.secondary },
  age: { text: age(a.createdAt, now), color: theme.text.secondary },
  name: a.escalated ? { text: `! ${a.name}`, color: theme.incident["escalated"], bold: true } : { text: a.name },
  status: { text: narrow ? SHORT_STATUS[a.status] ?? a.status : a.status, color: theme.incident[a.status] },
  customer: { text: a.customerCode },
  source: { text: a.source, color: theme.text.secondary },
  assignee: { text: a.assignedTo ?? "-", color: a.assignedTo ? theme.text.primary : theme.text.secondary },
  tags: { text: a.tags.map((t) => t.tag).join(","), color: theme.text.accent },
  case: { text: a.caseIds.length === 0 ? "" : `#${a.caseIds[0]}${a.caseIds.length > 1 ? `+${a.caseIds.length - 1}` : ""}`, color: theme.text.link }
})

export const wideCells = alertCells(false)
export const narrowCells = alertCells(true)

