import type { Segment } from "./Segments.js"
import type { PagerLine } from "./Pager.js"
import { wrap } from "../model/format.js"
import { theme } from "../theme/semantic-colors.js"

/** A pager line that may do something on Enter. */
export interface DetailLine extends PagerLine {
  readonly open?: () => void
  /** What the link leads to: "asset", "ioc", "case", "alert". */
  readonly tag?: string
}

/** Builds the lines of a detail view, section by section. */
export class LinesBuilder {
  readonly lines: Array<DetailLine> = []
  constructor(private readonly width: number) {}

  line(segments: ReadonlyArray<Segment>, open?: () => void, tag?: string): this {
    this.lines.push({ key: String(this.lines.length), segments, ...(open ? { open, link: true } : {}), ...(tag ? { tag } : {}) })
    return this
  }

  blank(): this {
    return this.line([])
  }

  heading(title: string, hint = ""): this {
    return this.line([{ text: ` ${title}`, color: theme.text.heading, bold: true }, ...(hint ? [{ text: `  ${hint}`, color: theme.text.secondary }] : [])])
  }

  /** Text wrapped to the width, indented. */
  text(text: string, indent = 3, color?: string): this {
    for (const l of wrap(text, this.width - indent)) this.line([{ text: " ".repeat(indent) + l, color }])
    return this
  }

  /** A link line: the link mark, then the segments. */
  link(tag: string, segments: ReadonlyArray<Segment>, open: () => void): this {
    return this.line([{ text: "   ▸ ", color: theme.text.link }, ...segments], open, tag)
  }

  /** Pretty JSON, one line per line. */
  json(value: unknown, indent = 3): this {
    for (const l of JSON.stringify(value, null, 2).split("\n")) this.line([{ text: " ".repeat(indent) + l, color: theme.text.secondary }])
    return this
  }
}
