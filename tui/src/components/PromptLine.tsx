import React, { useSyncExternalStore } from "react"
import type { PromptSession } from "../model/PromptSession.js"
import { theme } from "../theme/semantic-colors.js"
import { Line, type Segment } from "./Segments.js"

/** Suggestions after the input, the highlighted one inverse; as many as fit. */
const suggestionSegments = (candidates: ReadonlyArray<string>, selected: number, room: number): Array<Segment> => {
  const out: Array<Segment> = []
  let used = 0
  for (let i = 0; i < candidates.length; i++) {
    const text = candidates[i]!
    if (used + text.length + 2 > room) {
      out.push({ text: ` +${candidates.length - i}`, color: theme.text.secondary })
      break
    }
    out.push({ text: " " }, { text, color: i === selected ? undefined : theme.text.secondary, inverse: i === selected })
    used += text.length + 1
  }
  return out
}

/** The bottom line while a prompt is open: text with completion, a choice, or yes/no. Keys go to the session. */
export const PromptLine = ({ session, width }: { readonly session: PromptSession; readonly width: number }) => {
  const { prompt, text, selected, completion } = useSyncExternalStore(session.subscribe, session.get)
  switch (prompt.kind) {
    case "text": {
      const label = `${prompt.label}${prompt.label.endsWith(":") ? " " : ""}`
      const room = Math.max(10, width - label.length - 2)
      const shown = text.length > room ? `…${text.slice(text.length - room + 1)}` : text
      return (
        <Line segments={[
          { text: label, color: theme.ui.key, bold: true },
          { text: shown },
          { text: " ", inverse: true },
          ...suggestionSegments(completion?.candidates ?? [], selected, Math.max(0, width - label.length - shown.length - 2))
        ]} />
      )
    }
    case "choice":
      return (
        <Line segments={[
          { text: `${prompt.label} `, color: theme.ui.key, bold: true },
          ...prompt.options.flatMap((o) => [{ text: o.key, color: theme.ui.key, bold: true }, { text: ` ${o.label}  ` }]),
          { text: "Esc cancels", color: theme.text.secondary }
        ]} />
      )
    case "confirm":
      return (
        <Line segments={[
          { text: `${prompt.question} `, color: theme.status.warning, bold: true },
          { text: "y", color: theme.ui.key, bold: true }, { text: "es / " },
          { text: "n", color: theme.ui.key, bold: true }, { text: "o" }
        ]} />
      )
  }
}
