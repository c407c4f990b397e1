import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { NotFound } from "@sockeye/protocol"
import { createHash, randomBytes } from "node:crypto"
import { audit } from "../Audit.js"
import { CurrentPrincipal } from "../Principal.js"
import { toUser } from "./UsersRepo.js"

/** Tokens carry 256 random bits, so a fast hash is enough to keep them useless if the table leaks. */
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex")

interface TokenRow {
  readonly id: number
  readonly userId: number
  readonly name: string
  readonly createdAt: Date
  readonly expiresAt: Date | null
  readonly lastUsedAt: Date | null
  readonly revokedAt: Date | null
}

/** API tokens in sockeye_api_tokens: created once, shown once, stored hashed. */
export class Tokens extends Effect.Service<Tokens>()("Auth/Tokens", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const audited = Effect.provideService(SqlClient.SqlClient, sql)

    const create = Effect.fn("Tokens.create")(function*(name: string, expiresAt: Date | undefined) {
      const { user } = yield* CurrentPrincipal
      const token = `sk_${randomBytes(32).toString("base64url")}`
      const id = yield* sql.withTransaction(Effect.gen(function*() {
        const rows = yield* sql<{ id: number }>`
          insert into sockeye_api_tokens (user_id, name, token_hash, expires_at)
          values (${user.id}, ${name}, ${hashToken(token)}, ${expiresAt ?? null})
          returning id`
        yield* audited(audit("auth/tokens/create", `created token ${rows[0]!.id} (${name}) of user ${user.id}${expiresAt ? `, expires ${expiresAt.toISOString()}` : ""}`))
        return rows[0]!.id
      })).pipe(Effect.orDie)
      return { id, token }
    })

    const list = Effect.fn("Tokens.list")(function*() {
      const { user } = yield* CurrentPrincipal
      const all = user.role === "admin"
      return yield* sql<TokenRow>`
        select id, user_id, name, created_at, expires_at, last_used_at, revoked_at
        from sockeye_api_tokens where ${all ? sql`true` : sql`user_id = ${user.id}`}
        order by id`.pipe(Effect.orDie)
    })

    const revoke = Effect.fn("Tokens.revoke")(function*(id: number) {
      const { user } = yield* CurrentPrincipal
      const all = user.role === "admin"
      return yield* sql.withTransaction(Effect.gen(function*() {
        const rows = yield* sql<{ id: number; userId: number }>`
          update sockeye_api_tokens set revoked_at = coalesce(revoked_at, now())
          where id = ${id} and ${all ? sql`true` : sql`user_id = ${user.id}`}
          returning id, user_id`
        if (rows.length === 0) return yield* new NotFound({ message: `token ${id} not found` })
        yield* audited(audit("auth/tokens/revoke", `revoked token ${id} of user ${rows[0]!.userId}`))
        return { revoked: rows.map((r) => r.id) }
      })).pipe(Effect.catchTag("SqlError", (e) => Effect.die(e)))
    })

    /** The user a live token belongs to, or undefined for an unknown, revoked or expired token. */
    const authenticate = Effect.fn("Tokens.authenticate")(function*(token: string) {
      const rows = yield* sql<{ id: number; username: string; email: string; roleId: number | null }>`
        update sockeye_api_tokens t set last_used_at = now()
        from "user" u
        where t.token_hash = ${hashToken(token)} and u.id = t.user_id
          and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())
        returning u.id, u.username, u.email, u.role_id`.pipe(Effect.orDie)
      return rows[0] ? toUser(rows[0]) : undefined
    })

    return { create, list, revoke, authenticate } as const
  })
}) {}
