import { useAppActions } from "../contexts/AppContext.js"
import { useKeyMatchers } from "../contexts/KeypressContext.js"
import { Command } from "../key/keyBindings.js"
import type { Key } from "../key/Key.js"
import type { Entry, SortDirection } from "../model/routes.js"
import { moveCursor } from "./cursor.js"

/** What a keyset-paged list view asks the daemon for: a filter with text (or its inverse) and a sort. */
export interface ListQuery<F extends string> {
  readonly filter: { readonly text?: string | undefined; readonly notText?: string | undefined }
  readonly sort: { readonly field: F; readonly direction: SortDirection }
}

export interface ListViewOptions<T extends { readonly id: number }, F extends string, Q extends ListQuery<F>> {
  readonly entry: Entry
  readonly query: Q
  readonly page: { readonly items: ReadonlyArray<T>; readonly nextCursor: string | null } | undefined
  /** Shows the list for another query (a new filter or sort): replaces the history entry. */
  readonly withQuery: (query: Q) => void
  readonly sortKeys: ReadonlyArray<{ readonly key: string; readonly field: F; readonly label: string }>
  readonly open: (row: T) => void
  /** Table rows on screen, for PgUp/PgDn. */
  readonly visible: number
}

const defaultDirection = (field: string): SortDirection => (field === "createdAt" || field === "id" ? "desc" : "asc")

/**
 * The behaviour the alerts and cases tables share: the cursor (kept on its row's id across
 * reloads, in the history entry), keyset pages (the daemon's cursors, kept in the entry), sort,
 * the / filter (the daemon's text filter, /! its inverse) and Esc clearing it.
 */
export const useListView = <T extends { readonly id: number }, F extends string, Q extends ListQuery<F>>(o: ListViewOptions<T, F, Q>) => {
  const actions = useAppActions()
  const m = useKeyMatchers()
  const { entry, query, page } = o
  const cursors = entry.memo.cursors ?? []
  const rows = page?.items ?? []
  const byId = rows.findIndex((r) => r.id === entry.memo.selected)
  const cursor = byId >= 0 ? byId : Math.min(entry.memo.line ?? 0, Math.max(0, rows.length - 1))
  const current: T | undefined = rows[cursor]

  const select = (index: number) => actions.remember(entry.key, { selected: rows[index]?.id, line: index })
  const goPage = (next: ReadonlyArray<string>) => actions.remember(entry.key, { cursors: next, selected: undefined, line: 0 })
  const sortBy = (field: F) => o.withQuery({
    ...query,
    sort: { field, direction: query.sort.field === field ? (query.sort.direction === "asc" ? "desc" : "asc") : defaultDirection(field) }
  })
  const withoutText = () => {
    const { text: _text, notText: _notText, ...filter } = query.filter
    return filter
  }
  const filterPrompt = () => actions.prompt({
    kind: "text",
    label: "/",
    initial: query.filter.notText ? `!${query.filter.notText}` : query.filter.text ?? "",
    onSubmit: (input) => {
      const inverted = input.startsWith("!")
      const text = (inverted ? input.slice(1) : input).trim()
      o.withQuery({ ...query, filter: text ? { ...withoutText(), [inverted ? "notText" : "text"]: text } : withoutText() })
    }
  })

  /** The list keys; true when the key was one of them. */
  const handleKey = (key: Key): boolean => {
    const moved = moveCursor(m, key, cursor, rows.length, o.visible)
    if (moved !== undefined) {
      // PgDn on the last row reads the next page: keyset paging, as the list goes on.
      if (m[Command.PageDown](key) && cursor === rows.length - 1 && page?.nextCursor) goPage([...cursors, page.nextCursor])
      else select(moved)
    } else if (m[Command.Open](key)) {
      if (current) o.open(current)
    } else if (m[Command.NextPage](key)) {
      if (page?.nextCursor) goPage([...cursors, page.nextCursor])
      else actions.say("info", "this is the last page")
    } else if (m[Command.PrevPage](key)) {
      if (cursors.length > 0) goPage(cursors.slice(0, -1))
      else actions.say("info", "this is the first page")
    } else if (m[Command.SortReverse](key)) {
      sortBy(query.sort.field)
    } else if (m[Command.Sort](key)) {
      actions.prompt({ kind: "choice", label: "sort by:", options: o.sortKeys.map((s) => ({ key: s.key, label: s.label, run: () => sortBy(s.field) })) })
    } else if (m[Command.Filter](key)) {
      filterPrompt()
    } else if (m[Command.Back](key) && (query.filter.text || query.filter.notText)) {
      // Esc first clears the filter (k9s), then goes back.
      o.withQuery({ ...query, filter: withoutText() })
    } else {
      return false
    }
    return true
  }

  const info = [`page ${cursors.length + 1}${page?.nextCursor ? "+" : ""}`, `${rows.length} rows`]
  return { rows, cursor, current, select, handleKey, info }
}
