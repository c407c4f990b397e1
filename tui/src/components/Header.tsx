import React from "react"
import { useAppState } from "../contexts/AppContext.js"
import { crumbOf } from "../model/routes.js"
import { clip } from "../model/format.js"
import { theme } from "../theme/semantic-colors.js"
import { Line, type Segment } from "./Segments.js"

const HINTS = "? help  : command  / filter  Esc back  q quit"

/** Top line: where we are (the history stack as breadcrumbs) and the keys to get around. */
export const Header = ({ width }: { readonly width: number }) => {
  const { stack, helpOpen, readonly } = useAppState()
  const crumbs = stack.map((e) => crumbOf(e.route))
  const title = " Sockeye "
  const tail = helpOpen ? " › help" : ""
  const ro = readonly ? " [read-only]" : ""
  let path = crumbs.join(" › ") + tail
  const room = width - title.length - ro.length - 1
  // Too long: keep the end of the trail, where the analyst is.
  if (path.length > room) path = `…${path.slice(path.length - room + 1)}`
  const hints = width - title.length - path.length - ro.length - 2 > HINTS.length ? HINTS : ""
  const gap = Math.max(1, width - title.length - path.length - ro.length - hints.length - 1)
  const segments: Array<Segment> = [
    { text: title, color: theme.ui.title, bold: true, inverse: true },
    { text: " " },
    { text: clip(path, Math.max(0, room)), color: theme.ui.crumb, bold: true },
    { text: ro, color: theme.status.warning },
    { text: " ".repeat(gap) },
    { text: hints, color: theme.text.secondary }
  ]
  return <Line segments={segments} />
}
