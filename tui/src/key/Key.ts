import type { Key as InkKey } from "ink"

/**
 * One keypress, normalized: `name` is the character typed ("j", "J", "?", ":") or a key name
 * ("up", "pagedown", "return", "escape", "tab", "backspace", "space"...).
 */
export interface Key {
  readonly name: string
  readonly ctrl: boolean
  readonly meta: boolean
  readonly shift: boolean
  /** The text the key types: the character for printable keys, "" otherwise. */
  readonly text: string
}

const plain = (name: string, text = ""): Key => ({ name, ctrl: false, meta: false, shift: false, text })

const specialOf = (k: InkKey): string | undefined =>
  k.upArrow ? "up" : k.downArrow ? "down" : k.leftArrow ? "left" : k.rightArrow ? "right"
    : k.pageUp ? "pageup" : k.pageDown ? "pagedown" : k.home ? "home" : k.end ? "end"
    : k.return ? "return" : k.escape ? "escape" : k.tab ? "tab"
    // Most terminals send DEL (0x7f) for Backspace, which Ink names "delete".
    : k.backspace || k.delete ? "backspace" : undefined

const charKey = (ch: string): Key => {
  if (ch === " ") return plain("space", " ")
  if (ch === "\r" || ch === "\n") return plain("return")
  if (ch === "\t") return plain("tab")
  if (ch === "\x7f" || ch === "\b") return plain("backspace")
  const code = ch.charCodeAt(0)
  if (code > 0 && code <= 26) return { ...plain(String.fromCharCode(code + 96)), ctrl: true }
  return { ...plain(ch, ch), shift: ch !== ch.toLowerCase() }
}

/**
 * What Ink's useInput reports, as keys. A chunk of several characters (a paste, or keys that
 * arrived together, as tmux send-keys delivers them) becomes one key per character.
 */
export const keysOf = (input: string, k: InkKey): ReadonlyArray<Key> => {
  const special = specialOf(k)
  if (special) return [{ name: special, ctrl: k.ctrl, shift: k.shift, meta: k.meta && !k.escape, text: "" }]
  if (k.ctrl && input.length <= 1) return [{ ...plain(input.toLowerCase()), ctrl: true, meta: k.meta }]
  if (k.meta && [...input].length === 1) return [{ ...plain(input), meta: true }]
  return [...input].map(charKey)
}
