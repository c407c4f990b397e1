/** A table column: a fixed width, or the one flexible column that takes what is left. */
export interface Column<K extends string = string> {
  readonly key: K
  readonly title: string
  readonly width: number
  /** The flexible column (exactly one): at least `width`, at most `max`. */
  readonly flex?: boolean
  readonly max?: number
  /** Dropped first when the terminal is narrow (higher drops first); 0 never drops. */
  readonly drop?: number
  readonly align?: "left" | "right"
}

export interface Layout<K extends string> {
  readonly columns: ReadonlyArray<Column<K> & { readonly width: number }>
  readonly width: number
}

/**
 * Fits columns into `width` cells (one space between columns): drops the most droppable columns
 * until the flexible column gets its minimum, then gives the flexible column the rest.
 */
export const layoutColumns = <K extends string>(all: ReadonlyArray<Column<K>>, width: number): Layout<K> => {
  let columns = [...all]
  const used = (cs: ReadonlyArray<Column<K>>) => cs.reduce((n, c) => n + c.width, 0) + Math.max(0, cs.length - 1)
  while (used(columns) > width) {
    const candidates = columns.filter((c) => (c.drop ?? 0) > 0)
    if (candidates.length === 0) break
    const worst = candidates.reduce((a, b) => ((b.drop ?? 0) > (a.drop ?? 0) ? b : a))
    columns = columns.filter((c) => c !== worst)
  }
  const spare = Math.max(0, width - used(columns))
  const sized = columns.map((c) => (c.flex ? { ...c, width: Math.min(c.width + spare, c.max ?? Infinity) } : c))
  return { columns: sized, width }
}
