import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connect } from "@sockeye/client"
import { Auth } from "@sockeye/protocol"
import { createTestDatabase, query } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
const info = { clientInfo: { name: "auth-test" } }

beforeAll(async () => {
  db = await createTestDatabase("auth")
  daemon = await startDaemon({ databaseUrl: db.url, tcp: true, args: ["--trust-local", "admin"] })
})
afterAll(async () => {
  await daemon?.stop()
  await db?.drop()
})

describe("identity", () => {
  it("the first start creates admin with SOCKEYE_ADMIN_PASSWORD, stored as a bcrypt hash", async () => {
    const rows = await query(db.url, `select username, password, role_id from "user"`)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ username: "admin", role_id: 1 })
    expect(rows[0].password).toMatch(/^\$2[aby]\$12\$/)
    expect(rows[0].password).not.toContain(ADMIN_PASSWORD)
  })

  it("refuses a wrong password and an unknown user alike", async () => {
    for (const credentials of [{ username: "admin", password: "nope" }, { username: "ghost", password: "nope" }]) {
      await expect(connect({ kind: "socket", path: daemon.socketPath! }, { ...info, credentials }))
        .rejects.toMatchObject({ _tag: "Unauthenticated", message: "wrong username or password" })
    }
  })

  it("verifies a CoPilot (passlib) $2b$ hash unchanged", async () => {
    // OpenBSD's test vector for "U*U", written with passlib's $2b$ prefix.
    await query(db.url, `insert into "user" (username, password, email, created_at, role_id)
      values ('copilot', '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'c@x', now(), 2)`)
    const client = await connect({ kind: "tcp", ...daemon.tcp! }, { ...info, credentials: { username: "copilot", password: "U*U" } })
    expect(client.user).toMatchObject({ username: "copilot", role: "analyst" })
    await client.close()
  })

  it("trusts credential-less local connections only: the socket yes, TCP never", async () => {
    const local = await connect({ kind: "socket", path: daemon.socketPath! }, info)
    expect(local.user?.username).toBe("admin")
    await local.close()
    await expect(connect({ kind: "tcp", ...daemon.tcp! }, info)).rejects.toMatchObject({ _tag: "Unauthenticated" })
  })

  it("an analyst sees only its own tokens and cannot revoke another user's", async () => {
    const admin = await connect({ kind: "tcp", ...daemon.tcp! }, { ...info, credentials: { username: "admin", password: ADMIN_PASSWORD } })
    const analyst = await connect({ kind: "tcp", ...daemon.tcp! }, { ...info, credentials: { username: "copilot", password: "U*U" } })
    const adminToken = await admin.call(Auth.TokensCreate, { name: "admin-token" })
    const analystToken = await analyst.call(Auth.TokensCreate, { name: "analyst-token" })
    const seen = (await analyst.call(Auth.TokensList, {})).map((t) => t.id)
    expect(seen).toContain(analystToken.id)
    expect(seen).not.toContain(adminToken.id)
    await expect(analyst.call(Auth.TokensRevoke, { id: adminToken.id })).rejects.toMatchObject({ _tag: "NotFound" })
    expect((await admin.call(Auth.TokensList, {})).map((t) => t.id)).toEqual(expect.arrayContaining([adminToken.id, analystToken.id]))
    const stored = await query(db.url, "select token_hash from sockeye_api_tokens where id = $1", [adminToken.id])
    expect(stored[0].token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(stored[0].token_hash).not.toContain(adminToken.token)
    await admin.close()
    await analyst.close()
  })
})
