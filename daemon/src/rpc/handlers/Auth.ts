import { Effect } from "effect"
import { Auth } from "@sockeye/protocol"
import { CurrentPrincipal } from "../../domain/Principal.js"
import { Tokens } from "../../domain/auth/Tokens.js"
import { handle } from "../Handler.js"

export const authHandlers = [
  handle(Auth.Whoami, () => Effect.map(CurrentPrincipal, (p) => p.user)),
  handle(Auth.TokensCreate, (p) => Effect.flatMap(Tokens, (t) => t.create(p.name, p.expiresAt))),
  handle(Auth.TokensList, () => Effect.flatMap(Tokens, (t) => t.list())),
  handle(Auth.TokensRevoke, (p) => Effect.flatMap(Tokens, (t) => t.revoke(p.id)))
]
