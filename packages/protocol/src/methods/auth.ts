import { Schema } from "effect"
import { query, mutation } from "../Method.js"
import { Id, NoParams, Timestamp } from "../model/common.js"
import { User } from "../model/User.js"

export const Whoami = query({
  method: "auth/whoami",
  description: "The user this connection acts as.",
  params: NoParams,
  result: User
})

export const TokenSummary = Schema.Struct({
  id: Id,
  /** The owner's user id. */
  userId: Id,
  /** A label chosen at creation. */
  name: Schema.String,
  createdAt: Timestamp,
  expiresAt: Schema.NullOr(Timestamp),
  lastUsedAt: Schema.NullOr(Timestamp),
  revokedAt: Schema.NullOr(Timestamp)
}).annotations({ identifier: "TokenSummary" })

export const TokensCreate = mutation({
  method: "auth/tokens/create",
  description: "Create an API token for the current user; the token is shown once and stored hashed.",
  params: Schema.Struct({
    /** A label for the token. */
    name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255)),
    /** When the token stops working; none means never. */
    expiresAt: Schema.optional(Timestamp)
  }),
  result: Schema.Struct({ id: Id, token: Schema.String }),
  audience: "authenticated"
})

export const TokensList = query({
  method: "auth/tokens/list",
  description: "API tokens: the caller's own; an admin sees every user's.",
  params: NoParams,
  result: Schema.Array(TokenSummary)
})

export const TokensRevoke = mutation({
  method: "auth/tokens/revoke",
  description: "Revoke an API token (one's own; an admin may revoke any).",
  params: Schema.Struct({ id: Id }),
  result: Schema.Struct({ revoked: Schema.Array(Id) }),
  audience: "authenticated",
  destructive: true,
  idempotent: true
})
