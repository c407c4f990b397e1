import { useCallback, useRef, useState } from "react"
import type { Entry, Route, ViewMemo } from "../model/routes.js"

export type MemoUpdate = Partial<ViewMemo> | ((memo: ViewMemo) => Partial<ViewMemo>)

/**
 * The history stack: Enter and commands push, Esc pops. Each entry keeps its view's memo
 * (selected row, page cursors, pager line) so going back lands where the analyst was.
 */
export const useNavigation = (initial: Route) => {
  const next = useRef(1)
  const [stack, setStack] = useState<ReadonlyArray<Entry>>(() => [{ key: 0, route: initial, memo: {} }])
  const current = useRef(stack)
  current.current = stack

  const push = useCallback((route: Route) => {
    setStack((s) => [...s, { key: next.current++, route, memo: {} }])
  }, [])
  /** Pops one entry; false at the root. */
  const back = useCallback((): boolean => {
    if (current.current.length <= 1) return false
    setStack((s) => (s.length <= 1 ? s : s.slice(0, -1)))
    return true
  }, [])
  /** Replaces the top entry's route (a new filter or sort on the same view). */
  const replace = useCallback((route: Route, memo: ViewMemo = {}) => {
    setStack((s) => [...s.slice(0, -1), { key: next.current++, route, memo }])
  }, [])
  /** Updates the memo of the entry with `key` (views call it as the cursor moves). */
  const remember = useCallback((key: number, update: MemoUpdate) => {
    setStack((s) => s.map((e) => (e.key === key ? { ...e, memo: { ...e.memo, ...(typeof update === "function" ? update(e.memo) : update) } } : e)))
  }, [])
  return { stack, top: stack[stack.length - 1]!, push, back, replace, remember }
}
