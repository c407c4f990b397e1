import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Alerts, Cases, Notifications } from "@sockeye/protocol"
import type { DaemonClient } from "@sockeye/client"
import { createTestDatabase, query } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"
import { connectAs, seedCustomer, seedUser } from "../fixtures/Seed.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let first: RunningDaemon
let second: RunningDaemon
const clients: Array<DaemonClient> = []

beforeAll(async () => {
  db = await createTestDatabase("live")
  first = await startDaemon({ databaseUrl: db.url })
  second = await startDaemon({ databaseUrl: db.url })
  await seedCustomer(db.url, "ACME")
  await seedCustomer(db.url, "GLOBEX")
  await seedUser(db.url, { username: "ana", role: "analyst" })
  const carol = await seedUser(db.url, { username: "carol", role: "customer_user" })
  await query(db.url, "insert into user_customer_access (user_id, customer_code, created_at) values ($1, 'ACME', now())", [carol])
})
afterAll(async () => {
  for (const c of clients) await c.close()
  await first?.stop()
  await second?.stop()
  await db?.drop()
})

const open = async (daemon: RunningDaemon, user: string) => {
  const client = await connectAs(daemon, user, user === "admin" ? ADMIN_PASSWORD : undefined)
  clients.push(client)
  return client
}

/** Collects the notifications a client receives. */
const recorder = <P>(client: DaemonClient, notification: { method: string; params: any; description: string }) => {
  const received: Array<P> = []
  client.on(notification as never, (p: P) => received.push(p))
  const waitFor = async (match: (p: P) => boolean) => {
    for (let i = 0; i < 100; i++) {
      if (received.some(match)) return received.find(match)!
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`no matching ${notification.method} among ${JSON.stringify(received)}`)
  }
  return { received, waitFor }
}

type Change = { ids: ReadonlyArray<number>; kind: string }

describe("live updates across daemons", () => {
  it("an edit on one daemon reaches a client of another, filtered by access", async () => {
    const writer = await open(first, "ana")
    const staff = recorder<Change>(await open(second, "ana"), Notifications.AlertsChanged)
    const customer = recorder<Change>(await open(second, "carol"), Notifications.AlertsChanged)

    const acme = await writer.call(Alerts.AlertsCreate, { name: "acme alert", description: "d", customerCode: "ACME", source: "manual" })
    const globex = await writer.call(Alerts.AlertsCreate, { name: "globex alert", description: "d", customerCode: "GLOBEX", source: "manual" })
    await staff.waitFor((p) => p.kind === "created" && p.ids.includes(acme.id))
    await staff.waitFor((p) => p.kind === "created" && p.ids.includes(globex.id))
    await customer.waitFor((p) => p.kind === "created" && p.ids.includes(acme.id))

    await writer.call(Alerts.AlertsUpdate, { ids: [acme.id, globex.id], set: { status: "IN_PROGRESS" } })
    const seen = await customer.waitFor((p) => p.kind === "updated")
    expect(seen.ids).toEqual([acme.id])
    await staff.waitFor((p) => p.kind === "updated" && p.ids.includes(globex.id))
    expect(customer.received.flatMap((p) => p.ids)).not.toContain(globex.id)
  })

  it("deletions reach those who could see the alert, cases/changed is filtered too", async () => {
    const admin = await open(first, "admin")
    const writer = await open(first, "ana")
    const customer = recorder<Change>(await open(second, "carol"), Notifications.AlertsChanged)
    const customerCases = recorder<Change>(clients.at(-1)!, Notifications.CasesChanged)
    const acme = await writer.call(Alerts.AlertsCreate, { name: "to delete", description: "d", customerCode: "ACME", source: "manual" })
    const globex = await writer.call(Alerts.AlertsCreate, { name: "to delete too", description: "d", customerCode: "GLOBEX", source: "manual" })
    await admin.call(Alerts.AlertsDelete, { ids: [acme.id, globex.id] })
    const gone = await customer.waitFor((p) => p.kind === "deleted")
    expect(gone.ids).toContain(acme.id)
    expect(customer.received.flatMap((p) => p.ids)).not.toContain(globex.id)

    const acmeCase = await writer.call(Cases.CasesCreate, { name: "acme case", description: "d", customerCode: "ACME" })
    const globexCase = await writer.call(Cases.CasesCreate, { name: "globex case", description: "d", customerCode: "GLOBEX" })
    await customerCases.waitFor((p) => p.ids.includes(acmeCase.id))
    expect(customerCases.received.flatMap((p) => p.ids)).not.toContain(globexCase.id)
  })

  it("an event whose visibility check fails is dropped for the session, and later ones still arrive", async () => {
    const staff = recorder<Change>(await open(second, "ana"), Notifications.AlertsChanged)
    // An id out of the integer range: the check's query fails, as it does with the database away.
    await query(db.url, "select pg_notify('sockeye_changes', $1)", [JSON.stringify({ entity: "alert", kind: "updated", ids: [1e20] })])
    await new Promise((r) => setTimeout(r, 500))
    expect(second.log()).toContain("live update of alert updated not sent")
    const writer = await open(first, "ana")
    const later = await writer.call(Alerts.AlertsCreate, { name: "after a failed check", description: "d", customerCode: "ACME", source: "manual" })
    await staff.waitFor((p) => p.kind === "created" && p.ids.includes(later.id))
  })
})
