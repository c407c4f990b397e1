import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Effect } from "effect"
import { Alerts, InvalidParams, type Notifications } from "@sockeye/protocol"
import type { DaemonClient } from "@sockeye/client"
import { createTestDatabase } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"
import { connectAs } from "../fixtures/Seed.js"
import { Session } from "../../src/rpc/Session.js"
import { reporterFor } from "../../src/rpc/Progress.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
let client: DaemonClient

beforeAll(async () => {
  db = await createTestDatabase("progress_token")
  daemon = await startDaemon({ databaseUrl: db.url })
  client = await connectAs(daemon, "admin", ADMIN_PASSWORD)
})
afterAll(async () => {
  await client?.close()
  await daemon?.stop()
  await db?.drop()
})

describe("progressToken", () => {
  it("is accepted in any request's params, beside the method's own", async () => {
    const reports: Array<Notifications.ProgressValue> = []
    const page = await client.call(Alerts.AlertsList, { limit: 5 }, { onProgress: (v) => reports.push(v) })
    expect(page.items).toEqual([])
    expect(await client.raw("alerts/count", { progressToken: 7 })).toMatchObject({ total: 0 })
  })

  it("of the wrong type is refused with its path, like any param", async () => {
    for (const token of [null, "", "x".repeat(201), 1.5, { a: 1 }]) {
      const error = await client.raw("alerts/list", { progressToken: token }).catch((e) => e)
      expect(error).toBeInstanceOf(InvalidParams)
      expect((error as InvalidParams).issues[0]?.path).toEqual(["progressToken"])
    }
  })

  it("does not let an unknown param through with it", async () => {
    const error = await client.raw("alerts/list", { progressToken: "t", bogus: 1 }).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidParams)
    expect((error as InvalidParams).issues[0]?.path).toEqual(["bogus"])
  })
})

describe("reporterFor", () => {
  it("sends $/progress with the token to the session, clamping the percentage", () => {
    const session = new Session("local", "test")
    const sent: Array<[string, unknown]> = []
    session.notify = (method, params) => void sent.push([method, params])
    Effect.runSync(reporterFor(session, "t1").report({ kind: "report", percentage: 140.4 }))
    Effect.runSync(reporterFor(session, undefined).report({ kind: "begin", title: "nothing" }))
    expect(sent).toEqual([["$/progress", { token: "t1", value: { kind: "report", percentage: 100 } }]])
  })
})
