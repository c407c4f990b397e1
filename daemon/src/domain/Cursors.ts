import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { InvalidParams } from "@sockeye/protocol"
import { createHmac, timingSafeEqual } from "node:crypto"
import { onceSucceeded } from "../lib/lazy.js"

/** What a keyset cursor remembers: the sort it belongs to and the last row's sort value and id. */
export const CursorPayload = Schema.Struct({
  /** The list it belongs to ("alerts", "cases"). */
  l: Schema.String,
  /** Sort field and direction. */
  f: Schema.String,
  d: Schema.Literal("asc", "desc"),
  /** The last row's sort value (dates as ISO strings) and id. */
  v: Schema.Union(Schema.String, Schema.Number, Schema.Boolean, Schema.Null),
  i: Schema.Number
})
export type CursorPayload = typeof CursorPayload.Type

const decodePayload = Schema.decodeUnknownEither(Schema.parseJson(CursorPayload))

const invalid = (message: string) =>
  new InvalidParams({ message: `invalid cursor: ${message}`, issues: [{ path: ["cursor"], message }] })

/**
 * Opaque keyset cursors: base64url JSON plus an HMAC with the database's shared cursor secret,
 * so any daemon on the database honours them and a tampered one is refused (-32602).
 */
export class Cursors extends Effect.Service<Cursors>()("Domain/Cursors", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // Loaded on first use: services are built before the daemon runs its migrations.
    const codec = onceSucceeded(Effect.gen(function*() {
      const rows = yield* sql<{ value: string }>`select value from sockeye_settings where key = 'cursor_secret'`.pipe(Effect.orDie)
      const secret = rows[0]?.value
      if (!secret) return yield* Effect.dieMessage("sockeye_settings has no cursor_secret: migrations are incomplete")
      return makeCodec(secret)
    }))
    return { codec } as const
  })
}) {}

const makeCodec = (secret: string) => {
  const sign = (body: string) => createHmac("sha256", secret).update(body).digest().subarray(0, 16)

  const encode = (payload: CursorPayload): string => {
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url")
    return `${body}.${sign(body).toString("base64url")}`
  }

  const decode = (cursor: string, expect: { list: string; field: string; direction: "asc" | "desc" }) =>
    Effect.gen(function*() {
      const [body, mac, extra] = cursor.split(".")
      if (!body || !mac || extra !== undefined) return yield* invalid("malformed")
      const given = Buffer.from(mac, "base64url")
      const wanted = sign(body)
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return yield* invalid("signature mismatch (tampered or from another database)")
      const payload = decodePayload(Buffer.from(body, "base64url").toString("utf8"))
      if (payload._tag === "Left") return yield* invalid("unreadable")
      const p = payload.right
      if (p.l !== expect.list || p.f !== expect.field || p.d !== expect.direction) {
        return yield* invalid(`it belongs to ${p.l} sorted by ${p.f} ${p.d}, not ${expect.list} sorted by ${expect.field} ${expect.direction}`)
      }
      return p
    })

  return { encode, decode } as const
}
