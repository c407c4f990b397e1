import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { startDaemon } from "../../fixtures/Daemon.js"
import { connectAs, seedCustomer, seedUser } from "../../fixtures/Seed.js"
import { connectAdmin, seedAlerts } from "../alerts/fixtures.js"

/**
 * alerts/get and cases/get read their dependants as JSON arrays inside one statement. Their
 * timestamps must still reach the wire exactly as a plain timestamptz column gives them
 * (milliseconds, UTC), in a database whose time zone is not UTC and with microseconds stored;
 * hidden cases and alerts stay out, and counts count only what the caller may see.
 */

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: Awaited<ReturnType<typeof startDaemon>>
let admin: DaemonClient
let customer: DaemonClient
let alert: number
let other: number
const kase: Record<"acme" | "globex", number> = { acme: 0, globex: 0 }

interface WireCase {
  readonly alerts: ReadonlyArray<{ id: number; createdAt: string; closedAt: string | null }>
  readonly comments: ReadonlyArray<{ comment: string; createdAt: string }>
  readonly files: ReadonlyArray<{ fileName: string; uploadedAt: string }>
}

interface WireDetail {
  readonly caseIds: ReadonlyArray<number>
  readonly comments: ReadonlyArray<{ id: number; comment: string; createdAt: string }>
  readonly cases: ReadonlyArray<{ id: number; createdAt: string; closedAt: string | null; alertCount: number }>
}

const wire = async (client: DaemonClient, id: number) => await client.raw("alerts/get", { id }) as WireDetail
const wireCase = async (client: DaemonClient, id: number) => await client.raw("cases/get", { id }) as WireCase

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
    { name: "detailed", customerCode: "acme", assets: ["web-1"], createdAt: "2024-02-01 08:00:00.123456+00" },
    { name: "elsewhere", customerCode: "globex", createdAt: "2024-02-01 13:30:00.999999+05:30" }
  ])) as [number, number]
  await query(db.url, `update incident_management_alert set time_closed = '2024-02-02 00:00:00.000999+00' where id = $1`, [other])
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
  await query(db.url, `insert into incident_management_case_comment (case_id, comment, user_name, created_at) values
    ($1, 'later', 'bob', '2024-03-02 00:00:00.5+00'), ($1, 'earlier', 'bob', '2024-03-02 05:29:59.999999+05:30')`, [kase.acme])
  await query(db.url, `insert into incident_management_case_datastore
      (case_id, bucket_name, object_key, file_name, file_size, upload_time, file_hash)
    values ($1, 'b', 'k1', 'second.txt', 5, '2024-03-03 00:00:00.000002+00', 'h1'),
           ($1, 'b', 'k2', 'first.txt', null, '2024-03-03 00:00:00.000001+00', 'h2')`, [kase.acme])
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

describe("cases/get in one statement", () => {
  it("sends alert, comment and file times as timestamptz columns give them, each list in its order", async () => {
    const detail = await wireCase(admin, kase.acme)
    expect(detail.alerts.map((x) => [x.id, x.createdAt, x.closedAt])).toEqual([
      [alert, "2024-02-01T08:00:00.123Z", null], [other, "2024-02-01T08:00:00.999Z", "2024-02-02T00:00:00.000Z"]
    ])
    expect(detail.alerts.map((x) => x.createdAt)).toEqual(await columnTimes(
      `select alert_creation_time as t from incident_management_alert where id = any($1) order by id`, [[alert, other]]))
    expect(detail.alerts.map((x) => x.closedAt)).toEqual(await columnTimes(
      `select time_closed as t from incident_management_alert where id = any($1) order by id`, [[alert, other]]))
    expect(detail.comments.map((m) => [m.comment, m.createdAt])).toEqual([
      ["earlier", "2024-03-01T23:59:59.999Z"], ["later", "2024-03-02T00:00:00.500Z"]
    ])
    expect(detail.files.map((f) => [f.fileName, f.uploadedAt])).toEqual([
      ["first.txt", "2024-03-03T00:00:00.000Z"], ["second.txt", "2024-03-03T00:00:00.000Z"]
    ])
  })

  it("lists only the alerts the caller may see, and hides a case of another customer", async () => {
    expect((await wireCase(customer, kase.acme)).alerts.map((x) => x.id)).toEqual([alert])
    await expect(customer.raw("cases/get", { id: kase.globex })).rejects.toMatchObject({ message: `case ${kase.globex} not found` })
  })
})
