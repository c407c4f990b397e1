import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Command, defaultKeyBindings, type KeyBinding, type KeyBindingConfig } from "./keyBindings.js"

const NAMED = new Set(["up", "down", "left", "right", "pageup", "pagedown", "home", "end", "return", "escape", "tab", "backspace", "space"])
const ALIASES: Record<string, string> = { enter: "return", esc: "escape", pgup: "pageup", pgdn: "pagedown", del: "backspace", delete: "backspace" }

/** "ctrl+f", "shift+tab", "J", "space", "alt+x" → a binding; a string it cannot read → an error message. */
export const parseKeySpec = (spec: string): KeyBinding | string => {
  if (spec === "+") return { key: "+" }
  const parts = spec.split("+")
  // "+" itself, or "ctrl++".
  if (spec.endsWith("+") && spec.length > 1) parts.splice(-2, 2, "+")
  const raw = parts.pop() ?? ""
  const mods = new Set(parts.map((p) => p.toLowerCase()))
  for (const mod of mods) if (!["ctrl", "alt", "meta", "shift"].includes(mod)) return `unknown modifier "${mod}" in "${spec}"`
  const name = raw.length === 1 ? raw : ALIASES[raw.toLowerCase()] ?? raw.toLowerCase()
  if ([...name].length !== 1 && !NAMED.has(name)) return `unknown key "${raw}" in "${spec}"`
  const ctrlLetter = mods.has("ctrl") ? name.toLowerCase() : name
  return {
    key: ctrlLetter,
    ...(mods.has("ctrl") ? { ctrl: true } : {}),
    ...(mods.has("alt") || mods.has("meta") ? { meta: true } : {}),
    ...(mods.has("shift") && name.length > 1 ? { shift: true } : {})
  }
}

export interface LoadedKeys {
  readonly config: KeyBindingConfig
  /** Where the bindings came from (a file path), if not the defaults. */
  readonly source: string | undefined
  /** Problems with the file: reported in the status line, never fatal. */
  readonly warnings: ReadonlyArray<string>
}

/** `$SOCKEYE_CONFIG_DIR/keys.json`, else `$XDG_CONFIG_HOME/sockeye/keys.json`, else `~/.config/sockeye/keys.json`. */
export const keysPath = (env: NodeJS.ProcessEnv = process.env): string => {
  const dir = env["SOCKEYE_CONFIG_DIR"] || path.join(env["XDG_CONFIG_HOME"] || path.join(os.homedir(), ".config"), "sockeye")
  return path.join(dir, "keys.json")
}

/**
 * Overrides from a JSON object `{ "command.id": ["key", ...] | "key" }`; a command given
 * replaces its default keys, the others keep theirs.
 */
export const applyOverrides = (overrides: unknown, base: KeyBindingConfig = defaultKeyBindings): { config: KeyBindingConfig; warnings: Array<string> } => {
  const warnings: Array<string> = []
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
    return { config: base, warnings: ["keys.json must hold an object: {\"command.id\": [\"key\", ...]}"] }
  }
  const known = new Set<string>(Object.values(Command))
  const config: Record<string, ReadonlyArray<KeyBinding>> = { ...base }
  for (const [command, value] of Object.entries(overrides)) {
    if (!known.has(command)) { warnings.push(`keys.json: unknown command "${command}"`); continue }
    const specs = typeof value === "string" ? [value] : value
    if (!Array.isArray(specs) || specs.some((s) => typeof s !== "string")) {
      warnings.push(`keys.json: "${command}" takes a key or a list of keys`)
      continue
    }
    const bindings: Array<KeyBinding> = []
    for (const spec of specs as Array<string>) {
      const parsed = parseKeySpec(spec)
      if (typeof parsed === "string") warnings.push(`keys.json: ${parsed}`)
      else bindings.push(parsed)
    }
    config[command] = bindings
  }
  return { config: config as KeyBindingConfig, warnings }
}

export const loadKeyBindings = (env: NodeJS.ProcessEnv = process.env): LoadedKeys => {
  const file = keysPath(env)
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch {
    return { config: defaultKeyBindings, source: undefined, warnings: [] }
  }
  try {
    const { config, warnings } = applyOverrides(JSON.parse(text))
    return { config, source: file, warnings }
  } catch (error) {
    return { config: defaultKeyBindings, source: undefined, warnings: [`${file}: ${(error as Error).message}`] }
  }
}
