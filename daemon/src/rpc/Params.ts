import { Effect, ParseResult, Schema } from "effect"
import { InvalidParams, type Issue, type Method } from "@sockeye/protocol"

/** Issue messages quote the offending value; a 10 MB string must not come back four times over. */
const MAX_MESSAGE = 300
const clip = (text: string) => text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}… (${text.length} characters)` : text

/** PostgreSQL refuses U+0000 in text: find it here, with its path, rather than as a failed statement. */
const findNul = (value: unknown, path: Array<string | number>): Array<string | number> | undefined => {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...path, i])
      if (found) return found
    }
  } else if (typeof value === "object" && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      const found = findNul(inner, [...path, key])
      if (found) return found
    }
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
  const nul = findNul(raw, [])
  if (nul) return Effect.fail(invalid(method, [{ path: nul, message: "text may not contain the NUL character (U+0000)" }]))
  return (decoderOf(method)(raw ?? {}) as Effect.Effect<P, ParseResult.ParseError>).pipe(
    Effect.mapError((error) =>
      invalid(method, ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
        path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
        message: clip(issue.message)
      })))
    )
  )
}
