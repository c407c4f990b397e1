import { Box, Text } from "ink"
import React, { useRef } from "react"
import type { Layout } from "../model/columns.js"
import { fit, splitMatches } from "../model/format.js"
import { theme } from "../theme/semantic-colors.js"
import { Line, type Segment } from "./Segments.js"

export interface Cell {
  readonly text: string
  readonly color?: string | undefined
  readonly bold?: boolean | undefined
}

export interface TableProps<T, K extends string> {
  readonly layout: Layout<K>
  readonly rows: ReadonlyArray<T>
  readonly cursor: number
  /** Lines for the header and the rows. */
  readonly height: number
  readonly rowKey: (row: T) => string | number
  /** The cells of a row; keep it a stable function so unchanged rows are not redrawn. */
  readonly cells: (row: T, now: number) => Readonly<Record<K, Cell>>
  readonly isMarked?: (row: T) => boolean
  readonly sort?: { readonly key: K; readonly direction: "asc" | "desc" } | undefined
  /** Highlighted in the flexible column: the text filter. */
  readonly highlight?: string | undefined
  readonly now: number
}

/** Cells before the columns: the cursor, the mark and a space. */
export const GUTTER = 3

interface RowProps<T, K extends string> {
  readonly row: T
  readonly cells: (row: T, now: number) => Readonly<Record<K, Cell>>
  readonly now: number
  readonly layout: Layout<K>
  readonly selected: boolean
  readonly marked: boolean
  readonly highlight: string | undefined
}

const rowSegments = <T, K extends string>({ row, cells: cellsOf, now, layout, selected, marked, highlight }: RowProps<T, K>): Array<Segment> => {
  const cells = cellsOf(row, now)
  const out: Array<Segment> = [
    { text: selected ? "▸" : " ", color: theme.text.accent, bold: true },
    { text: marked ? "● " : "  ", color: theme.ui.mark, bold: true }
  ]
  layout.columns.forEach((column, i) => {
    const cell = cells[column.key]
    const text = fit(cell.text, column.width, column.align)
    const sep = i < layout.columns.length - 1 ? " " : ""
    if (column.flex && highlight) {
      for (const part of splitMatches(text, highlight)) {
        out.push(part.match ? { text: part.text, color: theme.ui.match, bold: true, underline: true } : { text: part.text, color: cell.color, bold: cell.bold })
      }
      out.push({ text: sep })
    } else {
      out.push({ text: text + sep, color: cell.color, bold: cell.bold || marked })
    }
  })
  return out
}

const Row = React.memo(<T, K extends string>(props: RowProps<T, K>) =>
  <Line segments={rowSegments(props)} inverse={props.selected} />) as <T, K extends string>(props: RowProps<T, K>) => React.ReactElement

/**
 * A table that shows only the rows that fit (the window follows the cursor), one line each:
 * moving the cursor redraws two rows.
 */
export const Table = <T, K extends string>(props: TableProps<T, K>) => {
  const { layout, rows, cursor, height, rowKey, cells, isMarked, sort, highlight, now } = props
  const visible = Math.max(1, height - 1)
  const top = useRef(0)
  if (cursor < top.current) top.current = cursor
  if (cursor >= top.current + visible) top.current = cursor - visible + 1
  top.current = Math.max(0, Math.min(top.current, Math.max(0, rows.length - visible)))
  const start = top.current
  const header: Array<Segment> = [{ text: " ".repeat(GUTTER) }]
  layout.columns.forEach((column, i) => {
    const arrow = sort?.key === column.key ? (sort.direction === "asc" ? "▲" : "▼") : ""
    header.push({
      text: fit(`${column.title}${arrow}`, column.width, column.align) + (i < layout.columns.length - 1 ? " " : ""),
      color: theme.ui.columnHeader, bold: true
    })
  })
  return (
    <Box flexDirection="column" height={height}>
      <Line segments={header} />
      {rows.slice(start, start + visible).map((row, i) => (
        <Row key={rowKey(row)} row={row} cells={cells} now={now} layout={layout} selected={start + i === cursor}
          marked={isMarked?.(row) ?? false} highlight={highlight} />
      ))}
    </Box>
  )
}

/** A centred note in an empty table body. */
export const Empty = ({ text, height }: { readonly text: string; readonly height: number }) => (
  <Box height={height} flexDirection="column">
    <Text color={theme.text.secondary}>{` ${text}`}</Text>
  </Box>
)
