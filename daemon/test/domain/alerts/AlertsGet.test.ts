import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { startDaemon } from "../../fixtures/Daemon.js"
import { connectAs, seedCustomer, seedUser } from "../../fixtures/Seed.js"
import { connectAdmin, seedAlerts } from "./fixtures.js"

/**
 * alerts/get reads its dependants as JSON arrays inside one statement. Their timestamps must
 * still reach the wire exactly as a plain timestamptz column gives them (milliseconds, UTC), in
 * a database whose time zone is not UTC and with microseconds stored; hidden cases stay out and
 * a case's alertCount counts only the alerts the caller may see.
 */

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: Awaited<ReturnType<typeof startDaemon>>
let admin: DaemonClient
let customer: DaemonClient
let alert: number
let other: number
const kase: Record<"acme" | "globex", number> = { acme: 0, globex: 0 }

interface WireDetail {
  readonly caseIds: ReadonlyArray<number>
  readonly comments: ReadonlyArray<{ id: number; comment: string; createdAt: string }>
  readonly cases: ReadonlyArray<{ id: number; createdAt: string; closedAt: string | null; alertCount: number }>
}

const wire = async (client: DaemonClient, id: number) => await client.raw("alerts/get", { id }) as WireDetail

/** What a plain column read of the same timestamps gives on the wire. */
const columnTimes = async (text: string, values: ReadonlyArray<unknown>) =>
  (await query<{ t: Date | null }>(db.url, text, values)).map((r) => r.t === null ? null : r.t.toISOString())

beforeAll(async () => {
  db = await createTestDatabase("alertsget")
  // +05:30: the daemon's sessions render timestamptz text with this offset.
  await query(db.url, `alter database ${db.name} set timezone to 'Asia/Kolkata'`)
  daemon = await startDaemon({ databaseUrl: db.url })
  admin = await connectAdmin(daemon)
  await seedCustomer(db.url, "acme")
  await seedCustomer(db.url, "globex")
  const cu = await seedUser(db.url, { username: "cu", role: "customer_user" })
  await query(db.url, `insert into user_customer_access (user_id, customer_code) values ($1, 'acme')`, [cu])
  customer = await connectAs(daemon, "cu")
  ;[alert, other] = (await seedAlerts(db.url, [
    { name: "detailed", customerCode: "acme", assets: ["web-1"] },
    { name: "elsewhere", customerCode: "globex" }
  ])) as [number, number]
  // Two comments at the same microsecond (ordered by id), one later; inserted out of order.
  await query(db.url, `insert into incident_management_comment (alert_id, comment, user_name, created_at) values
    ($1, 'late', 'bob', '2024-03-01 10:00:00.291+00'),
    ($1, 'tie one', 'bob', '2024-03-01 10:00:00.000001+00'),
    ($1, 'tie two', 'bob', '2024-03-01 15:30:00.000001+05:30')`, [alert])
  for (const code of ["acme", "globex"] as const) {
    kase[code] = (await query(db.url, `insert into incident_management_case
        (case_name, case_description, case_status, customer_code, case_creation_time, case_closed_time)
      values ($1, 'd', 'CLOSED', $1, '2024-02-29 23:59:59.999999+00', '2024-03-01 00:00:00.0005+00') returning id`, [code]))[0].id
    await query(db.url, `insert into incident_management_casealertlink (case_id, alert_id) values ($1, $2)`, [kase[code], alert])
  }
  await query(db.url, `insert into incident_management_casealertlink (case_id, alert_id) values ($1, $2)`, [kase.acme, other])
})
afterAll(async () => {
  await customer?.close()
  await admin?.close()
  await daemon?.stop()
  await db?.drop()
})

describe("alerts/get in one statement", () => {
  it("sends comment times as a timestamptz column gives them, ordered by time then id", async () => {
    const detail = await wire(admin, alert)
    expect(detail.comments.map((c) => [c.comment, c.createdAt])).toEqual([
      ["tie one", "2024-03-01T10:00:00.000Z"], ["tie two", "2024-03-01T10:00:00.000Z"], ["late", "2024-03-01T10:00:00.291Z"]
    ])
    expect(detail.comments.map((c) => c.createdAt)).toEqual(await columnTimes(
      `select created_at as t from incident_management_comment where alert_id = $1 order by created_at, id`, [alert]))
  })

  it("sends case times as timestamptz columns give them", async () => {
    const detail = await wire(admin, alert)
    expect(detail.cases.map((k) => [k.id, k.createdAt, k.closedAt])).toEqual([
      [kase.acme, "2024-02-29T23:59:59.999Z", "2024-03-01T00:00:00.000Z"],
      [kase.globex, "2024-02-29T23:59:59.999Z", "2024-03-01T00:00:00.000Z"]
    ])
    const ids = [kase.acme, kase.globex]
    expect(detail.cases.map((k) => k.createdAt)).toEqual(await columnTimes(
      `select case_creation_time as t from incident_management_case where id = any($1) order by id`, [ids]))
    expect(detail.cases.map((k) => k.closedAt)).toEqual(await columnTimes(
      `select case_closed_time as t from incident_management_case where id = any($1) order by id`, [ids]))
  })

  it("lists only the cases the caller may see, each counting only the alerts the caller may see", async () => {
    expect((await wire(admin, alert)).cases.map((k) => [k.id, k.alertCount])).toEqual([[kase.acme, 2], [kase.globex, 1]])
    const seen = await wire(customer, alert)
    expect(seen.cases.map((k) => [k.id, k.alertCount])).toEqual([[kase.acme, 1]])
    expect(seen.caseIds).toEqual([kase.acme])
  })
})
