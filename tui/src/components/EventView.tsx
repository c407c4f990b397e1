import { Box } from "ink"
import React, { useMemo, useState } from "react"
import { useAppActions } from "../contexts/AppContext.js"
import { Priority, useKeyMatchers, useKeypress } from "../contexts/KeypressContext.js"
import { moveCursor } from "../hooks/cursor.js"
import { useAlertEvent } from "../hooks/useAlertDetail.js"
import { Command } from "../key/keyBindings.js"
import { splitMatches } from "../model/format.js"
import type { Entry } from "../model/routes.js"
import { theme } from "../theme/semantic-colors.js"
import { Pager, type PagerLine } from "./Pager.js"
import type { Segment } from "./Segments.js"
import { Empty } from "./Table.js"
import { useViewRefresh } from "../hooks/useViewRefresh.js"

const highlighted = (text: string, search: string, color?: string): Array<Segment> =>
  splitMatches(text, search).map((p) => (p.match ? { text: p.text, color: theme.ui.match, bold: true, inverse: true } : { text: p.text, color }))

/**
 * The SIEM document behind an alert (alerts/event) as pretty JSON: scrollable (j/k, h/l, PgUp/PgDn)
 * and searchable (/, n, N) on the document shown.
 */
export const EventView = ({ entry, width, height }: { readonly entry: Entry; readonly width: number; readonly height: number }) => {
  if (entry.route.kind !== "event") throw new Error("EventView needs an event route")
  const { alertId, assetId } = entry.route
  const actions = useAppActions()
  const m = useKeyMatchers()
  const { data, error, refresh } = useAlertEvent(alertId, assetId)
  const [search, setSearch] = useState("")
  const [offset, setOffset] = useState(0)
  useViewRefresh(refresh)

  const text = useMemo(() => (data ? JSON.stringify(data.source, null, 2).split("\n") : []), [data])
  const lines = useMemo<Array<PagerLine>>(() => [
    { key: "h", segments: [{ text: " index_name ", color: theme.text.secondary }, { text: data?.index ?? "", color: theme.text.accent },
      { text: "  index_id ", color: theme.text.secondary }, { text: data?.id ?? "", color: theme.text.accent }] },
    ...text.map((l, i) => ({ key: String(i), segments: [{ text: " " }, ...highlighted(l, search)] }))
  ], [data, text, search])
  const matches = useMemo(() => (search ? lines.flatMap((l, i) => (i > 0 && text[i - 1]!.toLowerCase().includes(search.toLowerCase()) ? [i] : [])) : []), [lines, text, search])
  const cursor = Math.min(entry.memo.line ?? 0, Math.max(0, lines.length - 1))
  const go = (line: number) => actions.remember(entry.key, { line })
  const jump = (direction: 1 | -1, from = cursor) => {
    if (matches.length === 0) return actions.say("info", search ? `no match for "${search}"` : "no search: press /")
    const next = direction === 1 ? matches.find((i) => i > from) ?? matches[0]! : [...matches].reverse().find((i) => i < from) ?? matches[matches.length - 1]!
    go(next)
    actions.say("info", `match ${matches.indexOf(next) + 1} of ${matches.length}`)
  }

  useKeypress((key) => {
    const moved = moveCursor(m, key, cursor, lines.length, height)
    if (moved !== undefined) return go(moved), true
    if (m[Command.Left](key)) return setOffset((o) => Math.max(0, o - 8)), true
    if (m[Command.Right](key)) return setOffset((o) => o + 8), true
    if (m[Command.SearchNext](key)) return jump(1), true
    if (m[Command.SearchPrev](key)) return jump(-1), true
    if (m[Command.Filter](key)) {
      actions.prompt({
        kind: "text",
        label: "search:",
        initial: search,
        onSubmit: (value) => {
          setSearch(value)
          const found = value ? lines.findIndex((_, i) => i > 0 && text[i - 1]!.toLowerCase().includes(value.toLowerCase())) : -1
          if (value && found < 0) actions.say("info", `no match for "${value}"`)
          else if (found >= 0) go(found)
        }
      })
      return true
    }
    if (m[Command.Back](key) && search) return setSearch(""), true
    return false
  }, { priority: Priority.View })

  if (!data) return <Empty height={height} text={error ? `alerts/event failed: ${error.message} (${error.code})` : "loading…"} />
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Pager lines={lines} cursor={cursor} height={height} offset={offset} />
    </Box>
  )
}
