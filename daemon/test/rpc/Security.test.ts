import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { createHash } from "node:crypto"
import { methods, type RoleName } from "@sockeye/protocol"
import type { DaemonClient } from "@sockeye/client"
import { createTestDatabase, query } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, tempDir, type RunningDaemon } from "../fixtures/Daemon.js"
import { openSocket, openTcp } from "../fixtures/RawFrames.js"
import { connectAs, seedCustomer, seedUser } from "../fixtures/Seed.js"

/**
 * Who may call what, written out by hand (Y allowed, - refused) rather than derived from each
 * method's audience, so a method whose audience changes by mistake fails here. A method added
 * to the registry must be added to this table: the first test checks the table covers exactly
 * the registry. "none" is a connection that has not signed in: it may only call initialize.
 */
const TABLE = `
method                     admin analyst scheduler customer_user none
initialize                   Y      Y        Y           Y         Y
shutdown                     Y      Y        Y           Y         -
rpc.discover                 Y      Y        Y           Y         -
auth/whoami                  Y      Y        Y           Y         -
auth/tokens/create           Y      Y        Y           Y         -
auth/tokens/list             Y      Y        Y           Y         -
auth/tokens/revoke           Y      Y        Y           Y         -
users/list                   Y      -        -           -         -
users/assignees              Y      Y        -           -         -
users/create                 Y      -        -           -         -
users/update                 Y      -        -           -         -
users/delete                 Y      -        -           -         -
users/customerAccess/set     Y      -        -           -         -
customers/list               Y      Y        Y           Y         -
customers/get                Y      Y        Y           Y         -
customers/create             Y      -        -           -         -
customers/update             Y      -        -           -         -
roles/list                   Y      Y        Y           Y         -
tags/list                    Y      Y        Y           Y         -
tags/create                  Y      Y        -           -         -
tags/delete                  Y      -        -           -         -
rbac/settings/get            Y      Y        Y           Y         -
rbac/settings/set            Y      -        -           -         -
rbac/grants/list             Y      -        -           -         -
rbac/grants/set              Y      -        -           -         -
rbac/explain                 Y      -        -           -         -
alerts/list                  Y      Y        Y           Y         -
alerts/count                 Y      Y        Y           Y         -
alerts/get                   Y      Y        Y           Y         -
alerts/create                Y      Y        -           -         -
alerts/update                Y      Y        -           -         -
alerts/comments/add          Y      Y        -           -         -
alerts/comments/addMany      Y      Y        -           -         -
alerts/tags/add              Y      Y        -           -         -
alerts/tags/remove           Y      Y        -           -         -
alerts/iocs/add              Y      Y        -           -         -
alerts/iocs/remove           Y      Y        -           -         -
alerts/delete                Y      -        -           -         -
alerts/event                 Y      Y        Y           Y         -
cases/list                   Y      Y        Y           Y         -
cases/get                    Y      Y        Y           Y         -
cases/create                 Y      Y        -           -         -
cases/update                 Y      Y        -           -         -
cases/alerts/link            Y      Y        -           -         -
cases/alerts/unlink          Y      Y        -           -         -
cases/comments/add           Y      Y        -           -         -
cases/files/list             Y      Y        Y           Y         -
cases/files/upload/begin     Y      Y        -           -         -
cases/files/upload/chunk     Y      Y        -           -         -
cases/files/upload/commit    Y      Y        -           -         -
cases/files/upload/abort     Y      Y        -           -         -
cases/files/download         Y      Y        Y           Y         -
cases/files/delete           Y      Y        -           -         -
reportTemplates/list         Y      Y        -           -         -
reportTemplates/upload/begin Y      Y        -           -         -
reportTemplates/upload/chunk Y      Y        -           -         -
reportTemplates/upload/commit Y     Y        -           -         -
reportTemplates/upload/abort Y      Y        -           -         -
reportTemplates/download     Y      Y        -           -         -
reportTemplates/delete       Y      Y        -           -         -
artifacts/list               Y      Y        Y           Y         -
artifacts/download           Y      Y        Y           Y         -
jobs/list                    Y      Y        Y           Y         -
jobs/update                  Y      -        Y           -         -
jobs/run                     Y      -        Y           -         -
jobs/runs                    Y      Y        Y           Y         -
siem/get                     Y      Y        -           -         -
siem/search                  Y      Y        -           -         -
ingest/fieldNames/get        Y      Y        Y           Y         -
ingest/fieldNames/set        Y      Y        -           -         -
ingest/sources               Y      Y        Y           Y         -
ingest/run                   Y      -        Y           -         -
ingest/failures              Y      Y        Y           Y         -
schema/tables                Y      Y        Y           Y         -
schema/table                 Y      Y        Y           Y         -
schema/relationships         Y      Y        Y           Y         -
schema/domains               Y      Y        Y           Y         -
schema/drift                 Y      Y        Y           Y         -
schema/document              Y      Y        Y           Y         -
migrations/status            Y      Y        Y           Y         -
migrations/up                Y      -        -           -         -
migrations/plan              Y      -        -           -         -
migrations/new               Y      -        -           -         -
`

const ROLES = ["admin", "analyst", "scheduler", "customer_user"] as const
const COLUMNS = [...ROLES, "none"] as const
type Column = (typeof COLUMNS)[number]

const rows = TABLE.trim().split("\n").slice(1).map((line) => {
  const [method, ...marks] = line.trim().split(/\s+/)
  return { method: method!, allowed: Object.fromEntries(COLUMNS.map((c, i) => [c, marks[i] === "Y"])) as Record<Column, boolean> }
})

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
const clients = {} as Record<RoleName, DaemonClient>

beforeAll(async () => {
  db = await createTestDatabase("security")
  daemon = await startDaemon({ databaseUrl: db.url, tcp: true, env: { SOCKEYE_SIEM: "none" } })
  await seedCustomer(db.url, "ACME")
  for (const role of ["analyst", "scheduler", "customer_user"] as const) await seedUser(db.url, { username: role, role })
  clients.admin = await connectAs(daemon, "admin", ADMIN_PASSWORD)
  for (const role of ["analyst", "scheduler", "customer_user"] as const) clients[role] = await connectAs(daemon, role)
})
afterAll(async () => {
  for (const client of Object.values(clients)) await client.close()
  await daemon?.stop()
  await db?.drop()
})

const tagOf = (client: DaemonClient, method: string, params: unknown) =>
  client.raw(method, params).then(() => "ok", (error: { _tag?: string }) => error._tag ?? String(error))

describe("method × role", () => {
  it("the table lists exactly the registry's methods, once each", () => {
    expect(rows.map((r) => r.method).sort()).toEqual(methods.map((m) => m.method).sort())
    expect(new Set(rows.map((r) => r.method)).size).toBe(rows.length)
    for (const row of rows) expect(Object.keys(row.allowed), row.method).toEqual([...COLUMNS])
  })

  it.each(rows.filter((r) => r.method !== "initialize").map((r) => [r.method, r] as const))("%s", async (method, row) => {
    for (const role of ROLES) {
      // Unknown keys fail the params check of an allowed call before it runs, so nothing changes.
      const tag = await tagOf(clients[role], method, { __probe__: true })
      expect(tag, `${method} as ${role}`).toBe(row.allowed[role] ? "InvalidParams" : "Forbidden")
    }
  })

  it("initialize: every role signs in once; a second initialize is refused", async () => {
    for (const role of ROLES) {
      expect(clients[role].info?.user.role).toBe(role)
      expect(await tagOf(clients[role], "initialize", { protocolVersion: "1", clientInfo: { name: "again" } })).toBe("InvalidRequest")
    }
  })

  it("a connection that has not signed in may call initialize and nothing else (-32002), over the socket and TCP", async () => {
    for (const open of [() => openSocket(daemon.socketPath!), () => openTcp(daemon.tcp!.host, daemon.tcp!.port)]) {
      const conn = await open()
      try {
        for (const row of rows.filter((r) => r.method !== "initialize")) {
          expect(row.allowed.none, row.method).toBe(false)
          expect((await conn.request(row.method, {})).error?.code, row.method).toBe(-32002)
        }
      } finally {
        conn.close()
      }
    }
  })

  it("TCP refuses a sign-in without credentials (-32001), and every method after it", async () => {
    const conn = await openTcp(daemon.tcp!.host, daemon.tcp!.port)
    try {
      expect((await conn.request("initialize", { protocolVersion: "1", clientInfo: { name: "anon" } })).error?.code).toBe(-32001)
      for (const row of rows.filter((r) => r.method !== "initialize")) {
        expect((await conn.request(row.method, {})).error?.code, row.method).toBe(-32002)
      }
    } finally {
      conn.close()
    }
  })
})

describe("secrets and files", () => {
  it("the socket is 0600 in a 0700 directory", () => {
    expect(fs.statSync(daemon.socketPath!).mode & 0o777).toBe(0o600)
    expect(fs.statSync(path.dirname(daemon.socketPath!)).mode & 0o777).toBe(0o700)
  })

  it("a socket directory open to others is refused at start", async () => {
    const dir = path.join(tempDir("open"), "run")
    fs.mkdirSync(dir, { mode: 0o777 })
    fs.chmodSync(dir, 0o777)
    await expect(startDaemon({ databaseUrl: db.url, socketPath: path.join(dir, "s.sock") })).rejects.toThrow(/open to others/)
  })

  it("passwords are stored as bcrypt hashes and tokens as SHA-256 digests, never as given", async () => {
    const password = "Plain-text-Password-9!"
    await clients.admin.raw("users/create", { username: "hashed", email: "hashed@example.test", password, role: "analyst" })
    const [user] = await query<{ password: string }>(db.url, `select password from "user" where username = 'hashed'`)
    expect(user!.password).toMatch(/^\$2[aby]\$12\$/)
    const { token } = await clients.analyst.raw("auth/tokens/create", { name: "probe" }) as { token: string }
    const [row] = await query(db.url, "select t::text as text, token_hash from sockeye_api_tokens t where name = 'probe'")
    expect(row.token_hash).toBe(createHash("sha256").update(token).digest("hex"))
    // Nowhere in the database: not in the tokens table, the audit log or any other table.
    const dump = await query<{ hit: string }>(db.url, `
      select c.relname as hit from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'`)
    for (const { hit } of dump) {
      const found = await query(db.url, `select count(*)::int as n from "${hit}" t where t::text like $1 or t::text like $2`,
        [`%${token}%`, `%${password}%`])
      expect(found[0].n, `secret found in ${hit}`).toBe(0)
    }
  })
})
