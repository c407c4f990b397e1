import { Box } from "ink"
import React, { useRef } from "react"
import { Line, type Segment } from "./Segments.js"

export interface PagerLine {
  readonly key: string
  readonly segments: ReadonlyArray<Segment>
  /** Enter acts on this line (an IoC, a case, an asset, an alert). */
  readonly link?: boolean
}

/** Drops the first `offset` cells of a line (horizontal scroll). */
export const shift = (segments: ReadonlyArray<Segment>, offset: number): ReadonlyArray<Segment> => {
  if (offset <= 0) return segments
  let skip = offset
  const out: Array<Segment> = []
  for (const s of segments) {
    const cs = [...s.text]
    if (skip >= cs.length) { skip -= cs.length; continue }
    out.push(skip > 0 ? { ...s, text: cs.slice(skip).join("") } : s)
    skip = 0
  }
  return out
}

/** The cursor line: inverse, and a ▸ in its first cell (lines start with a space for it). */
const withCursor = (segments: ReadonlyArray<Segment>): ReadonlyArray<Segment> => {
  const [first, ...rest] = segments
  if (!first) return [{ text: "▸" }]
  return first.text.startsWith(" ") ? [{ ...first, text: `▸${first.text.slice(1)}` }, ...rest] : segments
}

/** Lines with a cursor; shows the window around the cursor, `height` lines tall. */
export const Pager = ({ lines, cursor, height, offset = 0 }: {
  readonly lines: ReadonlyArray<PagerLine>
  readonly cursor: number
  readonly height: number
  readonly offset?: number
}) => {
  const top = useRef(0)
  if (cursor < top.current) top.current = cursor
  if (cursor >= top.current + height) top.current = cursor - height + 1
  top.current = Math.max(0, Math.min(top.current, Math.max(0, lines.length - height)))
  const start = top.current
  return (
    <Box flexDirection="column" height={height}>
      {lines.slice(start, start + height).map((line, i) => (
        <Line key={line.key} segments={start + i === cursor ? withCursor(shift(line.segments, offset)) : shift(line.segments, offset)} inverse={start + i === cursor} />
      ))}
    </Box>
  )
}

/** The next line index in `direction` that is a link, or `from` when there is none. */
export const nextLink = (lines: ReadonlyArray<PagerLine>, from: number, direction: 1 | -1): number => {
  for (let i = from + direction; i >= 0 && i < lines.length; i += direction) if (lines[i]!.link) return i
  return from
}
