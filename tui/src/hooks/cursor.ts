import { Command } from "../key/keyBindings.js"
import type { Key } from "../key/Key.js"
import type { KeyMatchers } from "../key/keyMatchers.js"

/** Where a navigation key moves a cursor among `count` rows with `page` rows on screen; undefined if not one. */
export const moveCursor = (m: KeyMatchers, key: Key, index: number, count: number, page: number): number | undefined => {
  const last = Math.max(0, count - 1)
  const clamp = (i: number) => Math.max(0, Math.min(last, i))
  if (m[Command.Down](key)) return clamp(index + 1)
  if (m[Command.Up](key)) return clamp(index - 1)
  if (m[Command.Top](key)) return 0
  if (m[Command.Bottom](key)) return last
  if (m[Command.PageDown](key)) return clamp(index + Math.max(1, page - 1))
  if (m[Command.PageUp](key)) return clamp(index - Math.max(1, page - 1))
  return undefined
}
