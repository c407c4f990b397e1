import { Effect, ParseResult, Schema } from "effect"
import { InvalidParams, type Issue, type Method } from "@sockeye/protocol"

/** Issue messages quote the offending value; a 10 MB string must not come back four times over. */
const MAX_MESSAGE = 300
const clip = (text: string) => text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}… (${text.length} characters)` : text

/** Deeper params are refused before anything walks them: no method's params come near, and a walk per level costs stack. */
export const MAX_DEPTH = 64

/**
 * What the schema cannot say about params, found with its path: U+0000 in text (PostgreSQL
 * refuses it, better here than as a failed statement) and nesting deeper than MAX_DEPTH (a
 * 100,000-level array is 200 kB of JSON). Iterative, so no input can exhaust the stack.
 */
const scan = (root: unknown): Issue | undefined => {
  const stack: Array<{ readonly value: unknown; readonly path: ReadonlyArray<string | number> }> = [{ value: root, path: [] }]
  while (stack.length > 0) {
    const { value, path } = stack.pop()!
    if (typeof value === "string") {
      if (value.includes("\u0000")) return { path, message: "text may not contain the NUL character (U+0000)" }
      continue
    }
    if (typeof value !== "object" || value === null) continue
    if (path.length >= MAX_DEPTH) return { path, message: `nested deeper than ${MAX_DEPTH} levels` }
    const entries: Array<readonly [string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value)
    // Pushed last to first, so the first problem in document order is the one reported.
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] })
  }
  return undefined
}

const decoders = new WeakMap<Method, (u: unknown) => Effect.Effect<unknown, ParseResult.ParseError>>()
const decoderOf = (method: Method) => {
  let decoder = decoders.get(method)
  if (!decoder) {
    decoder = Schema.decodeUnknown(method.params, { errors: "all", onExcessProperty: "error" })
    decoders.set(method, decoder)
  }
  return decoder
}

const invalid = (method: Method, issues: ReadonlyArray<Issue>) => {
  const first = issues[0]
  return new InvalidParams({
    message: `${method.method}: invalid params${first ? ` at ${first.path.join(".") || "(root)"}: ${first.message}` : ""}`,
    issues
  })
}

/** Params are by name: an object, or omitted (read as `{}`); every problem is reported with its path. */
export const decodeParams = <P>(method: Method<P>, raw: unknown): Effect.Effect<P, InvalidParams> => {
  if (raw !== undefined && (typeof raw !== "object" || raw === null || Array.isArray(raw))) {
    return Effect.fail(new InvalidParams({
      message: `${method.method}: params must be an object (by name)`,
      issues: [{ path: [], message: "expected an object" }]
    }))
  }
  const problem = scan(raw)
  if (problem) return Effect.fail(invalid(method, [problem]))
  return (decoderOf(method)(raw ?? {}) as Effect.Effect<P, ParseResult.ParseError>).pipe(
    Effect.mapError((error) =>
      invalid(method, ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
        path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
        message: clip(issue.message)
      })))
    )
  )
}
