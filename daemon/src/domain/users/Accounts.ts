import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Conflict, NotFound, type RoleName, type User } from "@sockeye/protocol"
import * as Passwords from "../auth/Passwords.js"
import { toUser } from "../auth/UsersRepo.js"
import { audit } from "../Audit.js"
import { CurrentPrincipal, roleIds } from "../Principal.js"
import { mapSqlErrors } from "./sqlErrors.js"
import { retryingTransaction } from "../../db/Transaction.js"

interface UserRow {
  readonly id: number
  readonly username: string
  readonly email: string
  readonly roleId: number | null
}

const userNotFound = (id: number) => new NotFound({ message: `user ${id} not found` })

export const list = Effect.fn("Users.list")(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<UserRow>`select id, username, email, role_id from "user" order by id`.pipe(Effect.orDie)
  return rows.map(toUser)
})

/** Who alerts and cases may be assigned to: the users who may write (admins and analysts). */
export const assignees = Effect.fn("Users.assignees")(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ readonly username: string; readonly roleId: number }>`
    select username, role_id from "user" where role_id in ${sql.in([roleIds.admin, roleIds.analyst])} order by username`.pipe(Effect.orDie)
  return rows.map((r) => ({ username: r.username, role: r.roleId === roleIds.admin ? "admin" as const : "analyst" as const }))
})

export const create = Effect.fn("Users.create")(function*(input: {
  readonly username: string
  readonly email: string
  readonly password: string
  readonly role: RoleName
}) {
  const sql = yield* SqlClient.SqlClient
  // bcrypt at cost 12 takes a while: hash before the transaction so it holds no locks meanwhile.
  const passwordHash = yield* Passwords.hash(input.password)
  return yield* retryingTransaction(sql, Effect.gen(function*() {
    const rows = yield* sql<UserRow>`
      insert into "user" (username, password, email, created_at, role_id)
      values (${input.username}, ${passwordHash}, ${input.email}, now(), ${roleIds[input.role]})
      returning id, username, email, role_id`
    const user: User = toUser(rows[0]!)
    yield* audit("users/create", `created user ${user.id} (${user.username}, role ${user.role})`)
    return user
  })).pipe(mapSqlErrors("users/create", { ux_user_username: () => new Conflict({ message: `user ${input.username} exists` }) }))
})

export const update = Effect.fn("Users.update")(function*(input: {
  readonly id: number
  readonly email?: string | undefined
  readonly password?: string | undefined
  readonly role?: RoleName | undefined
}) {
  const sql = yield* SqlClient.SqlClient
  const { user: me } = yield* CurrentPrincipal
  // The connection's role is fixed at initialize: demoting oneself would leave this session an
  // admin while the row says otherwise, and could remove the last admin. Another admin may do it.
  if (input.id === me.id && input.role !== undefined && input.role !== me.role) {
    return yield* new Conflict({ message: "cannot change your own role" })
  }
  const columns: Record<string, string | number> = {}
  if (input.email !== undefined) columns["email"] = input.email
  if (input.password !== undefined) columns["password"] = yield* Passwords.hash(input.password)
  if (input.role !== undefined) columns["role_id"] = roleIds[input.role]
  return yield* retryingTransaction(sql, Effect.gen(function*() {
    const rows = Object.keys(columns).length > 0
      ? yield* sql<{ id: number }>`update "user" set ${sql.update(columns)} where id = ${input.id} returning id`
      : yield* sql<{ id: number }>`select id from "user" where id = ${input.id}`
    if (rows.length === 0) return yield* userNotFound(input.id)
    const changed = [
      ...(input.email !== undefined ? ["email"] : []),
      ...(input.password !== undefined ? ["password"] : []),
      ...(input.role !== undefined ? [`role ${input.role}`] : [])
    ]
    yield* audit("users/update", `updated user ${input.id}: ${changed.join(", ") || "no changes"}`)
    return { updated: [input.id] }
  })).pipe(mapSqlErrors("users/update"))
})

export const remove = Effect.fn("Users.delete")(function*(id: number) {
  const sql = yield* SqlClient.SqlClient
  const { user: me } = yield* CurrentPrincipal
  if (id === me.id) return yield* new Conflict({ message: "cannot delete yourself" })
  return yield* retryingTransaction(sql, Effect.gen(function*() {
    const found = yield* sql<{ username: string }>`select username from "user" where id = ${id} for update`
    if (found.length === 0) return yield* userNotFound(id)
    // Every table with a foreign key to "user"; tokens would cascade, but deleting them here keeps
    // the list complete in one place. Comments and assignments keep the username as text, as in CoPilot.
    yield* sql`delete from user_tag_access where user_id = ${id}`
    yield* sql`delete from user_customer_access where user_id = ${id}`
    yield* sql`delete from smtp where user_id = ${id}`
    yield* sql`delete from sockeye_api_tokens where user_id = ${id}`
    yield* sql`delete from "user" where id = ${id}`
    yield* audit("users/delete", `deleted user ${id} (${found[0]!.username})`)
    return { deleted: [id] }
  })).pipe(mapSqlErrors("users/delete"))
})

export const setCustomerAccess = Effect.fn("Users.setCustomerAccess")(function*(userId: number, codes: ReadonlyArray<string>) {
  const sql = yield* SqlClient.SqlClient
  const wanted = [...new Set(codes)]
  return yield* retryingTransaction(sql, Effect.gen(function*() {
    // Locking the user row serialises concurrent replacements of its grants.
    const user = yield* sql`select id from "user" where id = ${userId} for update`
    if (user.length === 0) return yield* userNotFound(userId)
    if (wanted.length > 0) {
      const known = yield* sql<{ customerCode: string }>`
        select customer_code from customers where customer_code in ${sql.in(wanted)} for share`
      const present = new Set(known.map((r) => r.customerCode))
      const missing = wanted.find((code) => !present.has(code))
      if (missing !== undefined) return yield* new NotFound({ message: `customer ${missing} not found` })
    }
    yield* sql`delete from user_customer_access where user_id = ${userId}`
    if (wanted.length > 0) {
      yield* sql`insert into user_customer_access ${sql.insert(wanted.map((code) => ({ user_id: userId, customer_code: code })))}`
    }
    const stored = [...wanted].sort()
    yield* audit("users/customerAccess/set", `set customer access of user ${userId}: [${stored.join(", ")}]`)
    return { userId, customerCodes: stored }
  })).pipe(mapSqlErrors("users/customerAccess/set"))
})

export const roles = Effect.fn("Users.roles")(function*() {
  const sql = yield* SqlClient.SqlClient
  return yield* sql<{ id: number; name: string; description: string }>`select id, name, description from role order by id`
    .pipe(Effect.orDie)
})
