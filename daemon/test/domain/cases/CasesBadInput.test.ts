import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Cases } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { ADMIN_PASSWORD } from "../../fixtures/Daemon.js"
import { openSocket, type RawConnection } from "../../fixtures/RawFrames.js"
import { seedCustomer } from "../../fixtures/Seed.js"
import { insertAlert, insertCase, snapshot, startEnv, type CasesEnv } from "./fixtures.js"

let env: CasesEnv
let conn: RawConnection
let caseId: number
let alertId: number

beforeAll(async () => {
  env = await startEnv("cases_bad")
  await seedCustomer(env.url, "acme")
  caseId = await insertCase(env.url, { name: "target", customerCode: "acme" })
  alertId = await insertAlert(env.url, { customerCode: "acme" })
  conn = await openSocket(env.daemon.socketPath!)
  const init = await conn.request("initialize", {
    protocolVersion: "1", clientInfo: { name: "cases-bad-input" }, credentials: { username: "admin", password: ADMIN_PASSWORD }
  })
  expect(init.error).toBeUndefined()
})
afterAll(async () => {
  conn?.close()
  await env?.stop()
})

const long = (n: number) => "x".repeat(n)
const auditCount = async () => (await query(env.url, "select count(*)::int as n from log_entries where route like 'cases/%'"))[0].n

/** Each bad params object, per method: every one must be refused with -32602 and change nothing. */
const bad = (): Array<[string, unknown]> => [
  ["cases/list", { filter: { status: ["DONE"] } }],
  ["cases/list", { filter: { status: ["open"] } }],
  ["cases/list", { filter: { status: "OPEN" } }],
  ["cases/list", { filter: { assignedTo: 5 } }],
  ["cases/list", { filter: { assignedTo: "" } }],
  ["cases/list", { filter: { escalated: "yes" } }],
  ["cases/list", { filter: { customerCodes: [""] } }],
  ["cases/list", { filter: { text: long(501) } }],
  ["cases/list", { filter: { text: "a\u0000b" } }],
  ["cases/list", { filter: { bogus: 1 } }],
  ["cases/list", { sort: { field: "severity", direction: "asc" } }],
  ["cases/list", { sort: { field: "id", direction: "up" } }],
  ["cases/list", { sort: { field: "id" } }],
  ["cases/list", { limit: 0 }],
  ["cases/list", { limit: 501 }],
  ["cases/list", { limit: 2.5 }],
  ["cases/list", { limit: "10" }],
  ["cases/list", { cursor: "" }],
  ["cases/list", { cursor: 5 }],
  ["cases/list", { cursor: "abc.def" }],
  ["cases/list", []],
  ["cases/get", {}],
  ["cases/get", { id: String(caseId) }],
  ["cases/get", { id: 0 }],
  ["cases/get", { id: -3 }],
  ["cases/get", { id: 1.5 }],
  ["cases/get", { id: null }],
  ["cases/get", "1"],
  ["cases/create", { name: "", description: "d" }],
  ["cases/create", { name: long(10_001), description: "d" }],
  ["cases/create", { description: "d" }],
  ["cases/create", { name: "n" }],
  ["cases/create", { name: "n", description: long(100_001) }],
  ["cases/create", { name: 5, description: "d" }],
  ["cases/create", { name: "n", description: "d", alertIds: [String(alertId)] }],
  ["cases/create", { name: "n", description: "d", alertIds: [0] }],
  ["cases/create", { name: "n", description: "d", alertIds: Array.from({ length: 1001 }, (_, i) => i + 1) }],
  ["cases/create", { name: "n", description: "d", customerCode: "" }],
  ["cases/create", { name: "n", description: "d", customerCode: long(51) }],
  ["cases/create", { name: "n", description: "d", assignedTo: "" }],
  ["cases/create", { name: "n", description: "d", assignedTo: long(51) }],
  ["cases/create", { name: "n", description: "d", assignedTo: null }],
  ["cases/create", { name: "a\u0000b", description: "d" }],
  ["cases/create", { name: "n", description: "d\u0000" }],
  ["cases/create", { name: "n", description: "d", status: "CLOSED" }],
  ["cases/update", { ids: [], set: { name: "x" } }],
  ["cases/update", { ids: [caseId], set: {} }],
  ["cases/update", { ids: [caseId] }],
  ["cases/update", { ids: [caseId], set: { status: "REOPENED" } }],
  ["cases/update", { ids: [caseId], set: { status: "closed" } }],
  ["cases/update", { ids: [caseId], set: { status: null } }],
  ["cases/update", { ids: [caseId], set: { name: "" } }],
  ["cases/update", { ids: [caseId], set: { name: long(10_001) } }],
  ["cases/update", { ids: [caseId], set: { description: long(100_001) } }],
  ["cases/update", { ids: [caseId], set: { description: "x\u0000" } }],
  ["cases/update", { ids: [caseId], set: { assignedTo: "" } }],
  ["cases/update", { ids: [caseId], set: { escalated: "true" } }],
  ["cases/update", { ids: [caseId], set: { customerCode: "acme" } }],
  ["cases/update", { ids: String(caseId), set: { name: "x" } }],
  ["cases/update", { ids: Array.from({ length: 1001 }, (_, i) => i + 1), set: { name: "x" } }],
  ["cases/alerts/link", { caseId, alertIds: [] }],
  ["cases/alerts/link", { caseId: String(caseId), alertIds: [alertId] }],
  ["cases/alerts/link", { caseId }],
  ["cases/alerts/link", { caseId, alertIds: [alertId, -1] }],
  ["cases/alerts/unlink", { caseId, alertIds: [] }],
  ["cases/alerts/unlink", { alertIds: [alertId] }],
  ["cases/comments/add", { caseId, comment: "" }],
  ["cases/comments/add", { caseId, comment: long(1065) }],
  ["cases/comments/add", { caseId, comment: 5 }],
  ["cases/comments/add", { caseId, comment: "nul\u0000here" }],
  ["cases/comments/add", { caseId, comment: "hi", userName: "someone-else" }]
]

describe("bad params", () => {
  it("every malformed, mistyped, empty, oversized or NUL-bearing param is -32602 with issues, and changes nothing", async () => {
    const before = await snapshot(env.url)
    const audits = await auditCount()
    for (const [method, params] of bad()) {
      const answer = await conn.request(method, params)
      expect(answer.error, `${method} ${JSON.stringify(params).slice(0, 120)}`).toMatchObject({ code: -32602 })
      expect(Array.isArray(answer.error!.data?.issues), `${method} issues`).toBe(true)
    }
    expect(await snapshot(env.url)).toEqual(before)
    expect(await auditCount()).toBe(audits)
    // And the connection still serves.
    const ok = await conn.request("cases/get", { id: caseId })
    expect(ok.result).toMatchObject({ id: caseId, name: "target" })
  })

  it("a NUL is reported at its path", async () => {
    const answer = await conn.request("cases/update", { ids: [caseId], set: { description: "x\u0000" } })
    expect(answer.error).toMatchObject({ code: -32602, data: { issues: [{ path: ["set", "description"] }] } })
  })

  it("the boundaries themselves are accepted", async () => {
    const created = await env.admin.call(Cases.CasesCreate, { name: long(10_000), description: long(100_000) })
    expect(created.name).toHaveLength(10_000)
    await env.admin.call(Cases.CasesUpdate, { ids: [created.id], set: { description: "" } })
    const page = await env.admin.call(Cases.CasesList, { limit: 500, filter: { text: long(500) } })
    expect(page.items.map((c) => c.id)).toEqual([created.id])
    const comment = await env.admin.call(Cases.CasesCommentsAdd, { caseId: created.id, comment: long(1064) })
    expect(comment.comment).toHaveLength(1064)
  })
})
