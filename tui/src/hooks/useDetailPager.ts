import { useMemo } from "react"
import { useAppActions } from "../contexts/AppContext.js"
import { Priority, useKeyMatchers, useKeypress } from "../contexts/KeypressContext.js"
import type { Key } from "../key/Key.js"
import { Command } from "../key/keyBindings.js"
import type { Entry, Route } from "../model/routes.js"
import type { DetailLine } from "../components/detailLines.js"
import { nextLink } from "../components/Pager.js"
import { moveCursor } from "./cursor.js"
import { useViewRefresh } from "./useViewRefresh.js"

/**
 * What every detail view shares: `r` refreshes its query, its lines are built once per data and
 * width, the cursor is remembered in the history entry, and the keys move, jump between links
 * and open one. `onKey` adds the view's own keys.
 */
export const useDetailPager = <D>(options: {
  readonly entry: Entry
  readonly width: number
  readonly height: number
  readonly data: D | undefined
  readonly refresh: () => void
  readonly build: (data: D, width: number, push: (route: Route) => void) => Array<DetailLine>
  readonly onKey?: (key: Key, lines: ReadonlyArray<DetailLine>, cursor: number) => boolean
}) => {
  const { entry, width, height, data, refresh, build, onKey } = options
  const actions = useAppActions()
  const m = useKeyMatchers()
  useViewRefresh(refresh)
  const lines = useMemo(() => (data ? build(data, width, actions.push) : []), [data, width, actions.push, build])
  const cursor = Math.min(entry.memo.line ?? 0, Math.max(0, lines.length - 1))
  const go = (line: number) => actions.remember(entry.key, { line })

  useKeypress((key) => {
    const moved = moveCursor(m, key, cursor, lines.length, height)
    if (moved !== undefined) return go(moved), true
    if (m[Command.NextItem](key)) return go(nextLink(lines, cursor, 1)), true
    if (m[Command.PrevItem](key)) return go(nextLink(lines, cursor, -1)), true
    if (m[Command.Open](key)) return lines[cursor]?.open?.(), true
    return onKey?.(key, lines, cursor) ?? false
  }, { priority: Priority.View })

  return { lines, cursor }
}
