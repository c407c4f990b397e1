import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { methods, lifecycleMethods, type Audience, type RoleName } from "@sockeye/protocol"
import type { DaemonClient } from "@sockeye/client"
import { createTestDatabase, tableChecksums } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"
import { connectAs, seedCustomer, seedUser } from "../fixtures/Seed.js"

/**
 * Table-driven checks over every method of the protocol, so a method added later is covered
 * without a new test: roles, wrong types for every param, unknown keys, huge strings, SQL
 * metacharacters, and an OpenRPC document that lists exactly what the daemon serves.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
const clients = {} as Record<RoleName, DaemonClient>
const domainMethods = methods.filter((m) => !lifecycleMethods.has(m.method))

interface ParamDoc { readonly name: string; readonly required: boolean; readonly schema: Record<string, unknown> }
interface MethodDoc { readonly name: string; readonly params: ReadonlyArray<ParamDoc> }
let discovered: { methods: ReadonlyArray<MethodDoc>; components: { schemas: Record<string, Record<string, unknown>> } }

beforeAll(async () => {
  db = await createTestDatabase("every")
  daemon = await startDaemon({ databaseUrl: db.url, env: { SOCKEYE_SIEM: "none" } })
  await seedCustomer(db.url, "ACME")
  for (const role of ["analyst", "scheduler", "customer_user"] as const) await seedUser(db.url, { username: role, role })
  clients.admin = await connectAs(daemon, "admin", ADMIN_PASSWORD)
  for (const role of ["analyst", "scheduler", "customer_user"] as const) clients[role] = await connectAs(daemon, role)
  discovered = await clients.admin.raw("rpc.discover", {}) as typeof discovered
})
afterAll(async () => {
  for (const client of Object.values(clients)) await client.close()
  await daemon?.stop()
  await db?.drop()
})

const resolve = (schema: Record<string, unknown>): Record<string, unknown> => {
  const ref = schema["$ref"]
  return typeof ref === "string" ? resolve(discovered.components.schemas[ref.split("/").pop()!] ?? {}) : schema
}

/** A value of the wrong JSON type for a param's schema. */
const wrongValue = (schema: Record<string, unknown>): unknown => {
  const s = resolve(schema)
  switch (s["type"]) {
    case "string": return 12345
    case "integer": case "number": return "not a number"
    case "boolean": return "yes"
    case "array": return { not: "an array" }
    case "object": return 7
    default: return Symbol.for("none")
  }
}

const codeOf = async (client: DaemonClient, method: string, params: unknown) => {
  try {
    await client.raw(method, params)
    return 0
  } catch (error) {
    return (error as { _tag: string; code?: number })._tag
  }
}

const checksum = () => tableChecksums(db.url)

describe("rpc.discover", () => {
  it("lists exactly the methods the daemon serves, each with its params", () => {
    expect(discovered.methods.map((m) => m.name).sort()).toEqual([...clients.admin.info!.capabilities.methods].sort())
    expect(discovered.methods.map((m) => m.name).sort()).toEqual(methods.map((m) => m.method).sort())
  })
})

describe("every method × role", () => {
  const allowed: Record<Audience, ReadonlyArray<RoleName>> = {
    public: ["admin", "analyst", "scheduler", "customer_user"],
    authenticated: ["admin", "analyst", "scheduler", "customer_user"],
    writer: ["admin", "analyst"],
    admin: ["admin"],
    adminOrScheduler: ["admin", "scheduler"]
  }
  it.each(domainMethods.map((m) => [m.method, m] as const))("%s is refused exactly for the roles outside its audience", async (name, method) => {
    for (const role of ["admin", "analyst", "scheduler", "customer_user"] as const) {
      // Unknown keys make the call fail at the params check when the role is allowed, so nothing runs.
      const tag = await codeOf(clients[role], name, { __probe__: true })
      if (allowed[method.audience].includes(role)) expect(tag, `${name} as ${role}`).toBe("InvalidParams")
      else expect(tag, `${name} as ${role}`).toBe("Forbidden")
    }
  })
})

describe("bad params on every method", () => {
  it.each(domainMethods.map((m) => [m.method] as const))("%s: positional params, unknown keys and wrong types are -32602 and change nothing", async (name) => {
    const before = await checksum()
    const doc = discovered.methods.find((m) => m.name === name)!
    expect(await codeOf(clients.admin, name, [1, 2])).toBe("InvalidParams")
    expect(await codeOf(clients.admin, name, { surprise: 1 })).toBe("InvalidParams")
    for (const param of doc.params) {
      const value = wrongValue(param.schema)
      if (typeof value === "symbol") continue
      const error = await clients.admin.raw(name, { [param.name]: value }).then(() => undefined, (e: unknown) => e as { _tag: string; issues: Array<{ path: Array<unknown> }> })
      expect(error?._tag, `${name}.${param.name}`).toBe("InvalidParams")
      expect(error!.issues.some((i) => i.path[0] === param.name), `${name}.${param.name} issue path`).toBe(true)
    }
    expect(await checksum()).toEqual(before)
  })

  it.each(domainMethods.map((m) => [m.method] as const))("%s: a 10 MB string in any string param is -32602", async (name) => {
    const doc = discovered.methods.find((m) => m.name === name)!
    const huge = "x".repeat(10 * 1024 * 1024)
    for (const param of doc.params.filter((p) => resolve(p.schema)["type"] === "string")) {
      expect(await codeOf(clients.admin, name, { [param.name]: huge }), `${name}.${param.name}`).toBe("InvalidParams")
    }
  })

  it("SQL and shell metacharacters in every string param of every read are plain text", async () => {
    const before = await checksum()
    const nasty = ["'; drop table incident_management_alert; --", "%_\\", "$(rm -rf /)", "\" or 1=1 --", "😀\u202e"]
    for (const method of domainMethods.filter((m) => m.hints.readOnly)) {
      const doc = discovered.methods.find((m) => m.name === method.method)!
      for (const param of doc.params.filter((p) => resolve(p.schema)["type"] === "string")) {
        for (const value of nasty) {
          const tag = await codeOf(clients.admin, method.method, { [param.name]: value })
          expect(tag, `${method.method}.${param.name} = ${value}`).not.toBe("InternalError")
        }
      }
    }
    expect(await checksum()).toEqual(before)
  })
})
