import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { User } from "@sockeye/protocol"
import { roleOfId } from "../Principal.js"

interface UserRow {
  readonly id: number
  readonly username: string
  readonly email: string
  readonly password: string
  readonly roleId: number | null
}

export const toUser = (row: Pick<UserRow, "id" | "username" | "email" | "roleId">): User => ({
  id: row.id,
  username: row.username,
  email: row.email,
  role: roleOfId(row.roleId)
})

/** Reads of the `user` table that authentication needs. */
export class UsersRepo extends Effect.Service<UsersRepo>()("Auth/UsersRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const findByUsername = (username: string) =>
      sql<UserRow>`select id, username, email, password, role_id from "user" where username = ${username} order by id limit 1`
        .pipe(Effect.map((rows) => rows[0]), Effect.orDie)

    const findById = (id: number) =>
      sql<UserRow>`select id, username, email, password, role_id from "user" where id = ${id}`
        .pipe(Effect.map((rows) => rows[0]), Effect.orDie)

    const count = sql<{ n: number }>`select count(*)::int as n from "user"`.pipe(
      Effect.map((rows) => rows[0]?.n ?? 0), Effect.orDie)

    const insert = (user: { username: string; email: string; passwordHash: string; roleId: number }) =>
      sql<UserRow>`insert into "user" (username, password, email, created_at, role_id)
        values (${user.username}, ${user.passwordHash}, ${user.email}, now(), ${user.roleId})
        returning id, username, email, password, role_id`.pipe(Effect.map((rows) => rows[0]!), Effect.orDie)

    return { findByUsername, findById, count, insert } as const
  })
}) {}
