import { Effect, Option, Redacted } from "effect"
import { Unauthenticated, type Lifecycle, type User } from "@sockeye/protocol"
import { DaemonConfig } from "../../DaemonConfig.js"
import * as Passwords from "./Passwords.js"
import { LoginLimiter } from "./LoginLimiter.js"
import { Tokens } from "./Tokens.js"
import { toUser, UsersRepo } from "./UsersRepo.js"
import { roleIds } from "../Principal.js"
import { SqlClient } from "@effect/sql"

type Credentials = typeof Lifecycle.Credentials.Type

/** Where a connection comes from: only local transports may be trusted without credentials. */
export type Origin = "local" | "remote"

/** Checks credentials at `initialize`, and creates the first admin on an empty database. */
export class Auth extends Effect.Service<Auth>()("Auth/Auth", {
  effect: Effect.gen(function*() {
    const users = yield* UsersRepo
    const tokens = yield* Tokens
    const config = yield* DaemonConfig
    const sql = yield* SqlClient.SqlClient
    const limiter = yield* LoginLimiter

    const refused = (message: string) => new Unauthenticated({ message })

    /** Checks credentials; `peer` is where they came from (a TCP address, or "local"), for the failure limit. */
    const authenticate = Effect.fn("Auth.authenticate")(function*(credentials: Credentials | undefined, origin: Origin, peer: string) {
      if (credentials === undefined) {
        if (origin !== "local" || Option.isNone(config.trustLocal)) {
          return yield* refused("credentials are required: {token} or {username, password}")
        }
        const row = yield* users.findByUsername(config.trustLocal.value)
        if (!row) return yield* refused(`trusted local user ${config.trustLocal.value} does not exist`)
        return toUser(row)
      }
      if ("token" in credentials) {
        const user = yield* limiter.limited(undefined, peer, tokens.authenticate(credentials.token))
        if (!user) return yield* refused("invalid, expired or revoked token")
        return user
      }
      const user = yield* limiter.limited(credentials.username, peer, Effect.gen(function*() {
        const row = yield* users.findByUsername(credentials.username)
        // Hash even for an unknown user so timing does not tell which usernames exist.
        const ok = yield* Passwords.verify(credentials.password, row?.password ?? "$2b$12$invalidinvalidinvalidinvOaSr7uQp3wH8hM4I3E1d2rVQyq3y")
        return row && ok ? toUser(row) : undefined
      }))
      if (!user) return yield* refused("wrong username or password")
      return user
    })

    /** On an empty database: user `admin` with SOCKEYE_ADMIN_PASSWORD, or a generated password printed once. */
    const bootstrap = Effect.fn("Auth.bootstrap")(function*() {
      return yield* sql.withTransaction(Effect.gen(function*() {
        yield* sql`select pg_advisory_xact_lock(${0x736f636b61646d})`.pipe(Effect.orDie)
        if ((yield* users.count) > 0) return Option.none<User>()
        const given = Option.map(config.adminPassword, Redacted.value)
        const password = Option.getOrElse(given, Passwords.generate)
        const row = yield* users.insert({
          username: "admin",
          email: "admin@localhost",
          passwordHash: yield* Passwords.hash(password),
          roleId: roleIds.admin
        })
        if (Option.isNone(given)) {
          process.stderr.write(`sockeyed: created user admin with password ${password} (shown once)\n`)
        }
        return Option.some(toUser(row))
      })).pipe(Effect.orDie)
    })

    return { authenticate, bootstrap } as const
  }),
  dependencies: [UsersRepo.Default, Tokens.Default, LoginLimiter.Default]
}) {}
