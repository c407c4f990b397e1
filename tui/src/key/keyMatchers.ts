import type { Key } from "./Key.js"
import { Command, defaultKeyBindings, type KeyBinding, type KeyBindingConfig } from "./keyBindings.js"

export type KeyMatcher = (key: Key) => boolean
export type KeyMatchers = { readonly [C in Command]: KeyMatcher }

/** A character's case already tells shift; named keys (tab, up) compare it. */
const matches = (b: KeyBinding, key: Key): boolean =>
  b.key === key.name &&
  (b.ctrl ?? false) === key.ctrl &&
  (b.meta ?? false) === key.meta &&
  (key.name.length === 1 || (b.shift ?? false) === key.shift)

export const createKeyMatchers = (config: KeyBindingConfig = defaultKeyBindings): KeyMatchers => {
  const out = {} as Record<Command, KeyMatcher>
  for (const command of Object.values(Command)) {
    const bindings = config[command]
    out[command] = (key) => bindings.some((b) => matches(b, key))
  }
  return out
}

export const keyMatchers: KeyMatchers = createKeyMatchers()
