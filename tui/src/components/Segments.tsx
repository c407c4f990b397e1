import { Text } from "ink"
import React from "react"

/** A run of text in one style: a table cell, a label, a match. */
export interface Segment {
  readonly text: string
  readonly color?: string | undefined
  readonly bold?: boolean | undefined
  readonly dim?: boolean | undefined
  readonly inverse?: boolean | undefined
  readonly underline?: boolean | undefined
}

/**
 * One terminal line made of segments: a single Ink text node (nested texts are not layout
 * nodes), so a 50-row table costs 50 layout nodes. Never wraps.
 */
export const Line = React.memo(({ segments, inverse }: { readonly segments: ReadonlyArray<Segment>; readonly inverse?: boolean }) => (
  <Text wrap="truncate-end" inverse={inverse ?? false}>
    {segments.length === 0 ? " " : segments.map((s, i) => (
      <Text key={i} {...(s.color ? { color: s.color } : {})} bold={s.bold ?? false} dimColor={s.dim ?? false}
        inverse={s.inverse ?? false} underline={s.underline ?? false}>{s.text}</Text>
    ))}
  </Text>
))
Line.displayName = "Line"
