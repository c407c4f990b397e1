/** Text helpers for fixed-width terminal cells. Widths count code points (wide glyphs are rare in SOC data). */

const chars = (s: string) => [...s]

/** Exactly `width` cells: cut with an ellipsis, or padded. */
export const fit = (text: string, width: number, align: "left" | "right" = "left"): string => {
  if (width <= 0) return ""
  const clean = text.replace(/[\r\n\t]+/g, " ")
  const cs = chars(clean)
  if (cs.length > width) return width === 1 ? "…" : `${cs.slice(0, width - 1).join("")}…`
  const pad = " ".repeat(width - cs.length)
  return align === "left" ? clean + pad : pad + clean
}

/** At most `width` cells, not padded. */
export const clip = (text: string, width: number): string => {
  const cs = chars(text)
  return cs.length <= width ? text : `${cs.slice(0, Math.max(0, width - 1)).join("")}…`
}

/** "42s", "5m", "3h", "12d", "4mo", "2y": how long ago, in at most 4 cells. */
export const age = (at: Date, now: number = Date.now()): string => {
  const s = Math.max(0, Math.floor((now - at.getTime()) / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) return `${Math.floor(s / 3600)}h`
  if (s < 86_400 * 60) return `${Math.floor(s / 86_400)}d`
  if (s < 86_400 * 730) return `${Math.floor(s / (86_400 * 30))}mo`
  return `${Math.floor(s / (86_400 * 365))}y`
}

/** "in 4m", "5m ago": a time relative to now, for schedules. */
export const relative = (at: Date, now: number = Date.now()): string => {
  const diff = at.getTime() - now
  return diff >= 0 ? `in ${age(new Date(now - diff), now)}` : `${age(at, now)} ago`
}

/** "2026-11-03 14:05:09Z". */
export const timestamp = (at: Date): string => `${at.toISOString().slice(0, 19).replace("T", " ")}Z`

/** Word-wraps text into lines of at most `width` cells; long words are cut. */
export const wrap = (text: string, width: number): Array<string> => {
  const w = Math.max(1, width)
  const out: Array<string> = []
  for (const paragraph of text.replace(/\r/g, "").split("\n")) {
    let line = ""
    for (const word of paragraph.split(/\s+/).filter((x) => x !== "")) {
      let rest = word
      while (chars(rest).length > w) {
        if (line) { out.push(line); line = "" }
        out.push(chars(rest).slice(0, w).join(""))
        rest = chars(rest).slice(w).join("")
      }
      if (!rest) continue
      if (!line) line = rest
      else if (chars(line).length + 1 + chars(rest).length <= w) line += ` ${rest}`
      else { out.push(line); line = rest }
    }
    out.push(line)
  }
  while (out.length > 1 && out[out.length - 1] === "") out.pop()
  return out
}

/** The parts of `text` split around case-insensitive matches of `needle`. */
export const splitMatches = (text: string, needle: string): Array<{ readonly text: string; readonly match: boolean }> => {
  if (!needle) return [{ text, match: false }]
  const lower = text.toLowerCase()
  const n = needle.toLowerCase()
  const parts: Array<{ text: string; match: boolean }> = []
  let at = 0
  for (let i = lower.indexOf(n); i >= 0; i = lower.indexOf(n, i + n.length)) {
    if (i > at) parts.push({ text: text.slice(at, i), match: false })
    parts.push({ text: text.slice(i, i + n.length), match: true })
    at = i + n.length
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false })
  return parts
}
