import { Box } from "ink"
import React, { useMemo, useState } from "react"
import { useAppActions, useAppState } from "../contexts/AppContext.js"
import { Priority, useKeyBindings, useKeyMatchers, useKeypress } from "../contexts/KeypressContext.js"
import { moveCursor } from "../hooks/cursor.js"
import { Command, commandInfo, commandsOf, formatBinding, type View } from "../key/keyBindings.js"
import { fit } from "../model/format.js"
import { theme } from "../theme/semantic-colors.js"
import { Pager, type PagerLine } from "./Pager.js"

const NOTES: Partial<Record<View, ReadonlyArray<string>>> = {
  alerts: [
    "/text asks the daemon for alerts whose name, an asset name or an IoC value contains text (every page).",
    "/!text asks for the others: alerts whose name, asset names and IoC values all lack text. Esc clears either filter.",
    "Verbs act on the marked rows (space), else on the current row; bulk and destructive changes ask first.",
    "Counts in the header are by status for the current filter without its status part.",
    ":alerts status=open,in_progress tag=network customer=acme assignee=me|none escalated=yes ioc=1.2.3.4 since=24h sort=-age text"
  ],
  cases: ["/text: cases whose name or description contains text; /!text: the others.", ":cases status=open customer=acme assignee=me sort=name text"],
  event: ["/text searches the document shown; n and N step through the matches."],
  jobs: ["Run now and enable/disable need the admin or scheduler role."]
}

/** `?`: every key of the current view, from the key bindings (keys.json included). */
export const HelpView = ({ view, height, width }: { readonly view: View; readonly height: number; readonly width: number }) => {
  const { readonly } = useAppState()
  const actions = useAppActions()
  const bindings = useKeyBindings()
  const m = useKeyMatchers()
  const [cursor, setCursor] = useState(0)
  const lines = useMemo<Array<PagerLine>>(() => {
    const out: Array<PagerLine> = [{ key: "t", segments: [{ text: ` Keys of the ${view} view${readonly ? " (read-only: verbs hidden)" : ""}`, color: theme.text.heading, bold: true }] }]
    for (const command of commandsOf(view, readonly)) {
      const keys = bindings[command].map(formatBinding).join(", ") || "(unbound)"
      out.push({
        key: command,
        segments: [
          { text: ` ${fit(keys, 16)} `, color: theme.ui.key, bold: true },
          // Narrow terminals: the description matters more than the command id.
          { text: width >= 100 ? fit(command, 18) : "", color: theme.text.secondary },
          { text: ` ${commandInfo[command].description}`, color: commandInfo[command].verb ? theme.status.warning : theme.text.primary }
        ]
      })
    }
    const notes = NOTES[view] ?? []
    if (notes.length > 0) out.push({ key: "n", segments: [] }, ...notes.map((n, i) => ({ key: `n${i}`, segments: [{ text: ` ${n}`, color: theme.text.secondary }] })))
    out.push({ key: "k", segments: [] }, { key: "k2", segments: [{ text: " Rebind keys in $SOCKEYE_CONFIG_DIR/keys.json or ~/.config/sockeye/keys.json: {\"nav.down\": [\"j\", \"ctrl+n\"]}", color: theme.text.secondary }] })
    return out
  }, [view, readonly, bindings, width])

  useKeypress((key) => {
    if (key.ctrl && key.name === "c") return false
    if (m[Command.Back](key) || m[Command.Help](key) || m[Command.Quit](key)) return actions.toggleHelp(), true
    const moved = moveCursor(m, key, cursor, lines.length, height)
    if (moved !== undefined) setCursor(moved)
    // Modal: the view under help sees no keys.
    return true
  }, { priority: Priority.Overlay })
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Pager lines={lines} cursor={cursor} height={height} />
    </Box>
  )
}
