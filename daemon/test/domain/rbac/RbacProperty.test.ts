import { afterAll, beforeAll, describe, expect, it } from "vitest"
import fc from "fast-check"
import { Alerts, type RoleName } from "@sockeye/protocol"
import type { DaemonClient } from "@sockeye/client"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { startDaemon, type RunningDaemon } from "../../fixtures/Daemon.js"
import { connectAs, seedUser } from "../../fixtures/Seed.js"
import { visible, type World } from "./reference.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon

beforeAll(async () => {
  db = await createTestDatabase("rbacprop")
  daemon = await startDaemon({ databaseUrl: db.url })
})
afterAll(async () => {
  await daemon?.stop()
  await db?.drop()
})

const roles: ReadonlyArray<RoleName> = ["admin", "analyst", "customer_user", "scheduler"]

const worldArb: fc.Arbitrary<World> = fc.record({
  customers: fc.constant(["C1", "C2", "C3"]),
  tags: fc.constant(["t0", "t1", "t2", "t3"]),
  users: fc.array(fc.record({
    role: fc.constantFrom(...roles),
    customers: fc.subarray(["C1", "C2", "C3"]),
    grants: fc.subarray([0, 1, 2, 3])
  }), { minLength: 1, maxLength: 4 }).map((users) => users.map((u, i) => ({ ...u, username: `u${i}` }))),
  roleGrants: fc.record({ analyst: fc.subarray([0, 1, 2, 3]), customer_user: fc.subarray([0, 1, 2, 3]) }),
  settings: fc.option(fc.record({
    enabled: fc.boolean(),
    behavior: fc.constantFrom("visible_to_all", "admin_only", "default_tag", "something_else"),
    defaultTag: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null })
  }), { nil: null }),
  alerts: fc.array(fc.record({
    customer: fc.constantFrom("C1", "C2", "C3"),
    tags: fc.subarray([0, 1, 2, 3])
  }), { maxLength: 25 })
})

/** Replaces the database's users (but admin), grants, settings and alerts with the world's. */
const seed = async (world: World) => {
  await query(db.url, `truncate incident_management_alert, incident_management_alert_to_tag, incident_management_alerttag,
    user_tag_access, role_tag_access, user_customer_access, incident_management_tag_access_settings restart identity cascade`)
  await query(db.url, `delete from "user" where username <> 'admin'`)
  await query(db.url, `delete from customers`)
  for (const c of world.customers) await query(db.url, `insert into customers (customer_code, customer_name, created_at) values ($1, $1, now())`, [c])
  const tagIds: Array<number> = []
  for (const t of world.tags) tagIds.push((await query(db.url, `insert into incident_management_alerttag (tag) values ($1) returning id`, [t]))[0].id)
  const userIds: Array<number> = []
  for (const u of world.users) {
    const id = await seedUser(db.url, { username: u.username, role: u.role })
    userIds.push(id)
    for (const c of u.customers) await query(db.url, `insert into user_customer_access (user_id, customer_code, created_at) values ($1, $2, now())`, [id, c])
    for (const g of u.grants) await query(db.url, `insert into user_tag_access (user_id, tag_id, created_at) values ($1, $2, now())`, [id, tagIds[g]])
  }
  for (const [role, grants] of [[2, world.roleGrants.analyst], [4, world.roleGrants.customer_user]] as const) {
    for (const g of grants) await query(db.url, `insert into role_tag_access (role_id, tag_id, created_at) values ($1, $2, now())`, [role, tagIds[g]])
  }
  if (world.settings) {
    await query(db.url, `insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior, default_tag_id, updated_at) values ($1, $2, $3, now())`,
      [world.settings.enabled, world.settings.behavior, world.settings.defaultTag === null ? null : tagIds[world.settings.defaultTag]])
  }
  const alertIds: Array<number> = []
  for (const [i, a] of world.alerts.entries()) {
    const id = (await query(db.url, `insert into incident_management_alert (alert_name, alert_description, status, alert_creation_time, customer_code, source, escalated)
      values ($1, $1, $2, now() - ($3 || ' minutes')::interval, $4, 'wazuh', false) returning id`, [`alert ${i}`, ["OPEN", "IN_PROGRESS", "CLOSED"][i % 3], i % 7, a.customer]))[0].id
    alertIds.push(id)
    for (const t of a.tags) await query(db.url, `insert into incident_management_alert_to_tag (alert_id, tag_id) values ($1, $2)`, [id, tagIds[t]])
  }
  return { alertIds }
}

const walk = async (client: DaemonClient, limit: number) => {
  const seen: Array<number> = []
  let cursor: string | null = null
  do {
    const page: { items: ReadonlyArray<{ id: number }>; nextCursor: string | null } =
      await client.call(Alerts.AlertsList, { limit, ...(cursor ? { cursor } : {}) })
    seen.push(...page.items.map((a) => a.id))
    cursor = page.nextCursor
  } while (cursor)
  return seen
}

describe("tag RBAC and customer access, against a reference implementation", () => {
  it("every user's list, count, get and update agree with the rules", async () => {
    await fc.assert(fc.asyncProperty(worldArb, fc.integer({ min: 1, max: 7 }), async (world, limit) => {
      const { alertIds } = await seed(world)
      for (const [u, user] of world.users.entries()) {
        const expected = alertIds.filter((_, a) => visible(world, u, a)).sort((x, y) => x - y)
        const client = await connectAs(daemon, user.username)
        try {
          const listed = await walk(client, limit)
          expect(new Set(listed).size).toBe(listed.length)
          expect([...listed].sort((x, y) => x - y)).toEqual(expected)
          const count = await client.call(Alerts.AlertsCount, { groupBy: "status" })
          expect(count.total).toBe(expected.length)
          expect((count.groups ?? []).reduce((n, g) => n + g.count, 0)).toBe(expected.length)
          for (const id of alertIds) {
            const canSee = expected.includes(id)
            const get = client.call(Alerts.AlertsGet, { id })
            if (canSee) await expect(get).resolves.toMatchObject({ id })
            else await expect(get).rejects.toMatchObject({ _tag: "NotFound", message: `alert ${id} not found` })
            if (user.role === "admin" || user.role === "analyst") {
              const update = client.call(Alerts.AlertsUpdate, { ids: [id], set: { escalated: true } })
              if (canSee) await expect(update).resolves.toEqual({ updated: [id] })
              else await expect(update).rejects.toMatchObject({ _tag: "NotFound" })
            }
          }
        } finally {
          await client.close()
        }
      }
    }).beforeEach(() => undefined), { numRuns: 25, seed: 424242, endOnFailure: true }).catch((error) => {
      // The daemon's log holds the incident behind any -32603.
      throw new Error(`${String(error)}\n--- daemon log (tail) ---\n${daemon.log().slice(-4000)}`)
    })
  }, 600_000)
})
