import { beforeAll, describe, expect, it } from "vitest"
import bcrypt from "bcryptjs"
import { connect } from "@sockeye/client"
import { Auth, Users } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { ADMIN_PASSWORD } from "../../fixtures/Daemon.js"
import { connectAs, seedCustomer, seedUser } from "../../fixtures/Seed.js"
import { auditSince, lastAuditId, rawAs, rawError, rejection, useDaemon } from "./harness.js"

const { harness: h, track } = useDaemon("users")

const userRow = async (id: number) =>
  (await query<{ username: string; email: string; password: string; roleId: number }>(h.url,
    `select username, email, password, role_id as "roleId" from "user" where id = $1`, [id]))[0]

let analystId: number
let customerUserId: number
beforeAll(async () => {
  analystId = await seedUser(h.url, { username: "ann", role: "analyst" })
  customerUserId = await seedUser(h.url, { username: "cust", role: "customer_user" })
  for (const code of ["ACME", "BETA", "GAMMA"]) await seedCustomer(h.url, code, `${code} Inc`)
})

describe("roles/list", () => {
  it("lists CoPilot's four roles with their ids, for any signed-in user", async () => {
    const expected = [
      { id: 1, name: "admin", description: "Administrator" },
      { id: 2, name: "analyst", description: "SOC Analyst" },
      { id: 3, name: "scheduler", description: "Scheduler for automated tasks" },
      { id: 4, name: "customer_user", description: "Customer user with limited access to their own data" }
    ]
    expect(await h.admin.call(Users.RolesList, {})).toEqual(expected)
    const cust = track(await connectAs(h.daemon, "cust"))
    expect(await cust.call(Users.RolesList, {})).toEqual(expected)
  })
})

describe("users/list", () => {
  it("lists every user with its role, ordered by id", async () => {
    expect(await h.admin.call(Users.UsersList, {})).toEqual([
      { id: h.adminId, username: "admin", email: "admin@localhost", role: "admin" },
      { id: analystId, username: "ann", email: "ann@example.test", role: "analyst" },
      { id: customerUserId, username: "cust", email: "cust@example.test", role: "customer_user" }
    ])
  })

  it("is refused (-32003) to analyst and customer_user", async () => {
    for (const name of ["ann", "cust"]) {
      const client = track(await connectAs(h.daemon, name))
      await rejection(client.call(Users.UsersList, {}), -32003)
    }
  })
})

describe("users/create", () => {
  it("creates a user whose password is a bcrypt hash, and who can then sign in on a new connection", async () => {
    const before = await lastAuditId(h.url)
    const created = await h.admin.call(Users.UsersCreate, {
      username: "new.analyst", email: "na@example.test", password: "Longpass-1", role: "analyst"
    })
    expect(created).toEqual({ id: expect.any(Number), username: "new.analyst", email: "na@example.test", role: "analyst" })
    const row = await userRow(created.id)
    expect(row).toMatchObject({ username: "new.analyst", email: "na@example.test", roleId: 2 })
    expect(row!.password).toMatch(/^\$2[aby]\$12\$/)
    expect(bcrypt.compareSync("Longpass-1", row!.password)).toBe(true)
    expect(await auditSince(h.url, before)).toEqual([{
      id: expect.any(Number), route: "users/create", message: `created user ${created.id} (new.analyst, role analyst)`,
      userId: h.adminId, eventType: "mutation"
    }])

    const fresh = track(await connectAs(h.daemon, "new.analyst", "Longpass-1"))
    expect(await fresh.call(Auth.Whoami, {})).toEqual(created)
    await expect(connectAs(h.daemon, "new.analyst", "Longpass-2")).rejects.toMatchObject({ _tag: "Unauthenticated" })
    expect((await h.admin.call(Users.UsersList, {})).map((u) => u.username)).toContain("new.analyst")
  })

  it("maps every role name to CoPilot's role id", async () => {
    const ids = { admin: 1, analyst: 2, scheduler: 3, customer_user: 4 } as const
    for (const role of ["admin", "analyst", "scheduler", "customer_user"] as const) {
      const created = await h.admin.call(Users.UsersCreate, { username: `r-${role}`, email: `${role}@x.test`, password: "password-9", role })
      expect(created.role).toBe(role)
      expect((await userRow(created.id))!.roleId).toBe(ids[role])
    }
  })

  it("refuses a username that exists with -32009 and writes nothing", async () => {
    const before = await lastAuditId(h.url)
    const error = await rejection(h.admin.call(Users.UsersCreate, {
      username: "ann", email: "other@example.test", password: "password-9", role: "admin"
    }), -32009)
    expect(error).toMatchObject({ _tag: "Conflict", message: "user ann exists" })
    expect(await query(h.url, `select id from "user" where username = 'ann'`)).toEqual([{ id: analystId }])
    expect(await auditSince(h.url, before)).toEqual([])
  })

  it("stores SQL metacharacters in the email literally", async () => {
    const email = `o'brien";--%_\\x@ex'ample.test`
    const created = await h.admin.call(Users.UsersCreate, { username: "quote", email, password: "password-9", role: "analyst" })
    expect(created.email).toBe(email)
    expect((await userRow(created.id))!.email).toBe(email)
  })

  it("is refused (-32003) to analyst and customer_user, creating nothing", async () => {
    for (const name of ["ann", "cust"]) {
      const client = track(await connectAs(h.daemon, name))
      await rejection(client.call(Users.UsersCreate, { username: `by-${name}`, email: "a@b.c", password: "password-9", role: "admin" }), -32003)
    }
    expect(await query(h.url, `select id from "user" where username like 'by-%'`)).toEqual([])
  })
})

describe("users/update", () => {
  let id: number
  beforeAll(async () => {
    id = (await h.admin.call(Users.UsersCreate, { username: "upd", email: "upd@x.test", password: "first-pass", role: "analyst" })).id
  })

  it("changes the email only", async () => {
    const before = await lastAuditId(h.url)
    const hash = (await userRow(id))!.password
    expect(await h.admin.call(Users.UsersUpdate, { id, email: "new@x.test" })).toEqual({ updated: [id] })
    expect(await userRow(id)).toEqual({ username: "upd", email: "new@x.test", password: hash, roleId: 2 })
    expect((await auditSince(h.url, before)).map((r) => [r.route, r.message, r.userId]))
      .toEqual([["users/update", `updated user ${id}: email`, h.adminId]])
  })

  it("re-hashes a new password: the old one stops working, the new one signs in", async () => {
    const before = await lastAuditId(h.url)
    expect(await h.admin.call(Users.UsersUpdate, { id, password: "second-pass" })).toEqual({ updated: [id] })
    const row = (await userRow(id))!
    expect(row.password).toMatch(/^\$2[aby]\$12\$/)
    expect(bcrypt.compareSync("second-pass", row.password)).toBe(true)
    await expect(connectAs(h.daemon, "upd", "first-pass")).rejects.toMatchObject({ _tag: "Unauthenticated" })
    track(await connectAs(h.daemon, "upd", "second-pass"))
    // The audit names the field, never the password.
    const audit = await auditSince(h.url, before)
    expect(audit.map((r) => r.message)).toEqual([`updated user ${id}: password`])
  })

  it("changes the role, which a new connection then carries", async () => {
    expect(await h.admin.call(Users.UsersUpdate, { id, role: "customer_user", email: "upd@x.test" })).toEqual({ updated: [id] })
    expect(await userRow(id)).toMatchObject({ email: "upd@x.test", roleId: 4 })
    const client = track(await connectAs(h.daemon, "upd", "second-pass"))
    expect(client.user).toEqual({ id, username: "upd", email: "upd@x.test", role: "customer_user" })
  })

  it("answers NotFound for an unknown id", async () => {
    const error = await rejection(h.admin.call(Users.UsersUpdate, { id: 987654, email: "x@y.z" }), -32004)
    expect(error.message).toBe("user 987654 not found")
  })

  it("refuses to change one's own role (-32009) but leaves another admin free to", async () => {
    const error = await rejection(h.admin.call(Users.UsersUpdate, { id: h.adminId, role: "analyst" }), -32009)
    expect(error.message).toBe("cannot change your own role")
    expect((await userRow(h.adminId))!.roleId).toBe(1)
  })

  it("is refused (-32003) to analyst and customer_user", async () => {
    for (const name of ["ann", "cust"]) {
      const client = track(await connectAs(h.daemon, name))
      await rejection(client.call(Users.UsersUpdate, { id: analystId, role: "admin" }), -32003)
    }
    expect((await userRow(analystId))!.roleId).toBe(2)
  })
})

describe("users/delete", () => {
  it("deletes the user with its grants, smtp rows and tokens; comments keep the name", async () => {
    const id = (await h.admin.call(Users.UsersCreate, { username: "gone", email: "g@x.test", password: "gone-pass-1", role: "customer_user" })).id
    const client = await connectAs(h.daemon, "gone", "gone-pass-1")
    const token = await client.call(Auth.TokensCreate, { name: "t" })
    await client.close()
    const [tag] = await query(h.url, `insert into incident_management_alerttag (tag) values ('gone-tag') returning id`)
    await query(h.url, `insert into user_tag_access (user_id, tag_id) values ($1, $2), ($1, $2)`, [id, tag.id])
    await query(h.url, `insert into user_customer_access (user_id, customer_code) values ($1, 'ACME')`, [id])
    await query(h.url, `insert into smtp (email, smtp_password, smtp_server, smtp_port, user_id) values ('s@x', 'p', 'h', 25, $1)`, [id])
    const [alert] = await query(h.url, `insert into incident_management_alert (alert_name, alert_description, status, customer_code, source)
      values ('a', 'd', 'OPEN', 'ACME', 'test') returning id`)
    await query(h.url, `insert into incident_management_comment (alert_id, comment, user_name, created_at) values ($1, 'hi', 'gone', now())`, [alert.id])

    const before = await lastAuditId(h.url)
    expect(await h.admin.call(Users.UsersDelete, { id })).toEqual({ deleted: [id] })
    for (const table of ["user_tag_access", "user_customer_access", "smtp", "sockeye_api_tokens"]) {
      expect(await query(h.url, `select id from ${table} where user_id = $1`, [id]), table).toEqual([])
    }
    expect(await userRow(id)).toBeUndefined()
    expect(await query(h.url, `select user_name from incident_management_comment where alert_id = $1`, [alert.id])).toEqual([{ user_name: "gone" }])
    expect((await auditSince(h.url, before)).map((r) => [r.route, r.message, r.userId]))
      .toEqual([["users/delete", `deleted user ${id} (gone)`, h.adminId]])
    await expect(connectAs(h.daemon, "gone", "gone-pass-1")).rejects.toMatchObject({ _tag: "Unauthenticated" })
    await expect(connect({ kind: "socket", path: h.daemon.socketPath! }, { clientInfo: { name: "t" }, credentials: { token: token.token } }))
      .rejects.toMatchObject({ _tag: "Unauthenticated" })
    // Deleting again: the id is gone.
    expect((await rejection(h.admin.call(Users.UsersDelete, { id }), -32004)).message).toBe(`user ${id} not found`)
  })

  it("refuses to delete oneself with -32009", async () => {
    const error = await rejection(h.admin.call(Users.UsersDelete, { id: h.adminId }), -32009)
    expect(error.message).toBe("cannot delete yourself")
    expect(await userRow(h.adminId)).toBeDefined()
  })

  it("is refused (-32003) to analyst and customer_user", async () => {
    for (const name of ["ann", "cust"]) {
      const client = track(await connectAs(h.daemon, name))
      await rejection(client.call(Users.UsersDelete, { id: customerUserId }), -32003)
    }
    expect(await userRow(customerUserId)).toBeDefined()
  })
})

describe("users/customerAccess/set", () => {
  const rows = async (userId: number) =>
    (await query(h.url, `select customer_code from user_customer_access where user_id = $1 order by 1`, [userId])).map((r) => r.customer_code)

  it("replaces all of the user's customers, without duplicates", async () => {
    const before = await lastAuditId(h.url)
    expect(await h.admin.call(Users.CustomerAccessSet, { userId: customerUserId, customerCodes: ["BETA", "ACME", "BETA"] }))
      .toEqual({ userId: customerUserId, customerCodes: ["ACME", "BETA"] })
    expect(await rows(customerUserId)).toEqual(["ACME", "BETA"])
    expect(await h.admin.call(Users.CustomerAccessSet, { userId: customerUserId, customerCodes: ["GAMMA"] }))
      .toEqual({ userId: customerUserId, customerCodes: ["GAMMA"] })
    expect(await rows(customerUserId)).toEqual(["GAMMA"])
    expect((await auditSince(h.url, before)).map((r) => [r.route, r.message, r.userId])).toEqual([
      ["users/customerAccess/set", `set customer access of user ${customerUserId}: [ACME, BETA]`, h.adminId],
      ["users/customerAccess/set", `set customer access of user ${customerUserId}: [GAMMA]`, h.adminId]
    ])
    expect(await h.admin.call(Users.CustomerAccessSet, { userId: customerUserId, customerCodes: [] }))
      .toEqual({ userId: customerUserId, customerCodes: [] })
    expect(await rows(customerUserId)).toEqual([])
  })

  it("all or nothing: an unknown code answers NotFound naming it and keeps the old rows", async () => {
    await h.admin.call(Users.CustomerAccessSet, { userId: customerUserId, customerCodes: ["ACME"] })
    const error = await rejection(h.admin.call(Users.CustomerAccessSet, { userId: customerUserId, customerCodes: ["BETA", "NOPE"] }), -32004)
    expect(error.message).toBe("customer NOPE not found")
    expect(await rows(customerUserId)).toEqual(["ACME"])
  })

  it("answers NotFound for an unknown user", async () => {
    const error = await rejection(h.admin.call(Users.CustomerAccessSet, { userId: 424242, customerCodes: ["ACME"] }), -32004)
    expect(error.message).toBe("user 424242 not found")
  })

  it("is refused (-32003) to analyst and customer_user", async () => {
    for (const name of ["ann", "cust"]) {
      const client = track(await connectAs(h.daemon, name))
      await rejection(client.call(Users.CustomerAccessSet, { userId: customerUserId, customerCodes: ["GAMMA"] }), -32003)
    }
    expect(await rows(customerUserId)).toEqual(["ACME"])
  })
})

describe("bad input", () => {
  it("answers -32602 with the offending path and changes nothing", async () => {
    const conn = track(await rawAs(h.daemon, "admin", ADMIN_PASSWORD))
    const users = await query(h.url, `select id, username, email, password, role_id from "user" order by id`)
    const access = await query(h.url, `select user_id, customer_code from user_customer_access order by id`)
    const good = { username: "fine", email: "f@x.test", password: "password-9", role: "analyst" }
    const cases: Array<[string, unknown, Array<string | number>]> = [
      ["users/create", { ...good, role: "root" }, ["role"]],
      ["users/create", { ...good, email: "no-at-sign" }, ["email"]],
      ["users/create", { ...good, email: "two@@x" }, ["email"]],
      // PostgreSQL text cannot hold NUL: refused as bad params, not an internal error.
      ["users/create", { ...good, email: "nul\u0000@x.test" }, ["email"]],
      ["users/create", { ...good, password: "short12" }, ["password"]],
      ["users/create", { ...good, username: "x'; drop table \"user\"; --" }, ["username"]],
      ["users/create", { ...good, username: 42 }, ["username"]],
      ["users/create", { ...good, username: "" }, ["username"]],
      ["users/create", { ...good, extra: true }, ["extra"]],
      ["users/create", { username: "fine", email: "f@x.test", role: "analyst" }, ["password"]],
      ["users/update", { id: "1", email: "a@b.c" }, ["id"]],
      ["users/update", { id: -1 }, ["id"]],
      ["users/update", { id: 1.5 }, ["id"]],
      ["users/update", { id: analystId, role: "root" }, ["role"]],
      ["users/update", { id: analystId, email: "nope" }, ["email"]],
      ["users/update", { id: analystId, password: "1234567" }, ["password"]],
      ["users/update", { id: analystId, email: null }, ["email"]],
      ["users/delete", {}, ["id"]],
      ["users/delete", { id: "2" }, ["id"]],
      ["users/customerAccess/set", { userId: customerUserId, customerCodes: "ACME" }, ["customerCodes"]],
      ["users/customerAccess/set", { userId: customerUserId, customerCodes: [1] }, ["customerCodes", 0]],
      ["users/customerAccess/set", { userId: customerUserId, customerCodes: [""] }, ["customerCodes", 0]],
      ["users/customerAccess/set", { customerCodes: [] }, ["userId"]],
      // Params are by name: positional params are refused even where none are needed.
      ["users/list", [1], []],
      ["roles/list", ["x"], []],
      ["users/delete", [2], []]
    ]
    for (const [method, params, path] of cases) {
      const error = await rawError(conn, method, params)
      expect(error.code, `${method} ${JSON.stringify(params)}`).toBe(-32602)
      expect(error.data.issues.map((i: { path: unknown }) => i.path), `${method} ${JSON.stringify(params)}`).toContainEqual(path)
    }
    expect(await query(h.url, `select id, username, email, password, role_id from "user" order by id`)).toEqual(users)
    expect(await query(h.url, `select user_id, customer_code from user_customer_access order by id`)).toEqual(access)
  })
})

describe("users/assignees", () => {
  it("lists the admins and analysts by username for a writer; customer users and the scheduler are refused", async () => {
    await seedUser(h.url, { username: "sched", role: "scheduler" })
    const ann = track(await connectAs(h.daemon, "ann"))
    const listed = await ann.call(Users.UsersAssignees, {})
    expect(listed).toContainEqual({ username: "admin", role: "admin" })
    expect(listed).toContainEqual({ username: "ann", role: "analyst" })
    expect(listed.map((u) => u.username)).not.toContain("cust")
    expect(listed.map((u) => u.username)).not.toContain("sched")
    expect(listed.map((u) => u.username)).toEqual([...listed.map((u) => u.username)].sort())
    const cust = track(await connectAs(h.daemon, "cust"))
    await expect(cust.call(Users.UsersAssignees, {})).rejects.toMatchObject({ _tag: "Forbidden" })
  })
})
