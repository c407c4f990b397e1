import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Alerts } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { connectAs, seedUser } from "../../fixtures/Seed.js"
import { listenChanges, seedAlerts, setTagRbac, startAlertsWorld, walk } from "./fixtures.js"

/**
 * Who sees which alert: customer access for customer_user, tag RBAC for analysts (and customer
 * users), in list, count, get and every write; a hidden alert answers exactly like a missing one.
 */

let world: Awaited<ReturnType<typeof startAlertsWorld>>
let admin: DaemonClient
let analyst: DaemonClient
let customer: DaemonClient
let url: string
const user: Record<string, number> = {}
const tag: Record<string, number> = {}
/** a1 acme blue, a2 acme red, a3 acme untagged, a4 globex blue, a5 globex untagged, a6 acme blue+red. */
let a: Record<"a1" | "a2" | "a3" | "a4" | "a5" | "a6", number>

beforeAll(async () => {
  world = await startAlertsWorld("alertsaccess")
  admin = world.admin
  url = world.db.url
  await query(url, `insert into customers (customer_code, customer_name) values ('acme', 'Acme'), ('globex', 'Globex')`)
  user["admin"] = (await query(url, `select id from "user" where username = 'admin'`))[0].id
  user["ana"] = await seedUser(url, { username: "ana", role: "analyst" })
  user["cu"] = await seedUser(url, { username: "cu", role: "customer_user" })
  await query(url, `insert into user_customer_access (user_id, customer_code) values ($1, 'acme')`, [user["cu"]])
  const ids = await seedAlerts(url, [
    { name: "a1", customerCode: "acme", tags: ["blue"] },
    { name: "a2", customerCode: "acme", tags: ["red"] },
    { name: "a3", customerCode: "acme" },
    { name: "a4", customerCode: "globex", tags: ["blue"] },
    { name: "a5", customerCode: "globex" },
    { name: "a6", customerCode: "acme", tags: ["blue", "red"] }
  ])
  a = { a1: ids[0]!, a2: ids[1]!, a3: ids[2]!, a4: ids[3]!, a5: ids[4]!, a6: ids[5]! }
  for (const row of await query(url, `select id, tag from incident_management_alerttag`)) tag[row.tag] = row.id
  await query(url, `insert into user_tag_access (user_id, tag_id) values ($1, $2)`, [user["ana"], tag["blue"]])
  analyst = await connectAs(world.daemon, "ana")
  customer = await connectAs(world.daemon, "cu")
})
afterAll(async () => {
  await analyst?.close()
  await customer?.close()
  await world?.stop()
})

const visible = async (client: DaemonClient) => (await walk(client, { limit: 2 })).items.map((i) => i.id).sort((x, y) => x - y)
const named = (...names: Array<keyof typeof a>) => names.map((n) => a[n]).sort((x, y) => x - y)

/** list, count and get agree on exactly `expected`; every other alert is NotFound on get. */
const seesExactly = async (client: DaemonClient, expected: ReadonlyArray<number>) => {
  expect(await visible(client)).toEqual(expected)
  expect((await client.call(Alerts.AlertsCount, {})).total).toBe(expected.length)
  for (const id of Object.values(a)) {
    if (expected.includes(id)) expect((await client.call(Alerts.AlertsGet, { id })).id).toBe(id)
    else await expect(client.call(Alerts.AlertsGet, { id })).rejects.toMatchObject({ _tag: "NotFound", message: `alert ${id} not found` })
  }
}

describe("customer access", () => {
  it("a customer_user sees only its customers' alerts, in list, count and get", async () => {
    await query(url, `delete from incident_management_tag_access_settings`)
    await seesExactly(customer, named("a1", "a2", "a3", "a6"))
    const byCustomer = await customer.call(Alerts.AlertsCount, { groupBy: "customerCode" })
    expect(byCustomer).toEqual({ total: 4, groups: [{ key: "acme", count: 4 }] })
    // Asking for another customer's alerts by filter finds nothing rather than failing.
    expect((await customer.call(Alerts.AlertsList, { filter: { customerCodes: ["globex"] } })).items).toEqual([])
  })

  it("a hidden alert and a missing one get the same NotFound", async () => {
    const hidden = await customer.call(Alerts.AlertsGet, { id: a.a4 }).catch((e) => e)
    const missing = await customer.call(Alerts.AlertsGet, { id: 987654 }).catch((e) => e)
    expect(hidden.message.replace(String(a.a4), "N")).toBe(missing.message.replace("987654", "N"))
    expect([hidden._tag, missing._tag]).toEqual(["NotFound", "NotFound"])
  })

  it("a customer_user cannot write at all (Forbidden from the router)", async () => {
    const writes: Array<[string, unknown]> = [
      ["alerts/create", { name: "x", description: "", customerCode: "acme", source: "s" }],
      ["alerts/update", { ids: [a.a1], set: { status: "CLOSED" } }],
      ["alerts/comments/add", { alertId: a.a1, comment: "hi" }],
      ["alerts/tags/add", { alertIds: [a.a1], tag: "x" }],
      ["alerts/tags/remove", { alertIds: [a.a1], tagId: tag["blue"] }],
      ["alerts/iocs/add", { alertId: a.a1, value: "x", type: "IP" }],
      ["alerts/iocs/remove", { alertId: a.a1, iocId: 1 }],
      ["alerts/delete", { ids: [a.a1] }]
    ]
    for (const [method, params] of writes) {
      const error = await customer.raw(method, params).catch((e) => e)
      expect(error, method).toMatchObject({ _tag: "Forbidden", message: `${method} is not allowed for role customer_user` })
    }
    expect((await query(url, `select status from incident_management_alert where id = $1`, [a.a1]))[0].status).toBe("OPEN")
    expect((await query(url, `select count(*)::int as n from incident_management_comment`))[0].n).toBe(0)
  })
})

describe("tag RBAC", () => {
  it("off without a settings row, and off when the row is disabled", async () => {
    await query(url, `delete from incident_management_tag_access_settings`)
    await seesExactly(analyst, named("a1", "a2", "a3", "a4", "a5", "a6"))
    await setTagRbac(url, false, "admin_only")
    await seesExactly(analyst, named("a1", "a2", "a3", "a4", "a5", "a6"))
  })

  it("visible_to_all: an analyst sees granted-tag alerts and untagged ones", async () => {
    await setTagRbac(url, true, "visible_to_all")
    await seesExactly(analyst, named("a1", "a3", "a4", "a5", "a6"))
    const byTag = await analyst.call(Alerts.AlertsCount, { groupBy: "tag" })
    // a6 carries red as well as blue: it counts under both.
    expect(byTag).toEqual({ total: 5, groups: [{ key: "blue", count: 3 }, { key: null, count: 2 }, { key: "red", count: 1 }] })
    // Admin bypasses tag RBAC.
    await seesExactly(admin, named("a1", "a2", "a3", "a4", "a5", "a6"))
  })

  it("admin_only: untagged alerts are hidden from the analyst", async () => {
    await setTagRbac(url, true, "admin_only")
    await seesExactly(analyst, named("a1", "a4", "a6"))
    expect(await analyst.call(Alerts.AlertsCount, { groupBy: "tag" }))
      .toEqual({ total: 3, groups: [{ key: "blue", count: 3 }, { key: "red", count: 1 }] })
  })

  it("default_tag: untagged alerts follow access to the default tag", async () => {
    await setTagRbac(url, true, "default_tag", tag["blue"])
    await seesExactly(analyst, named("a1", "a3", "a4", "a5", "a6"))
    await setTagRbac(url, true, "default_tag", tag["red"])
    await seesExactly(analyst, named("a1", "a4", "a6"))
    await setTagRbac(url, true, "default_tag", null)
    await seesExactly(analyst, named("a1", "a4", "a6"))
  })

  it("an unknown behaviour hides untagged alerts", async () => {
    await setTagRbac(url, true, "something_else")
    await seesExactly(analyst, named("a1", "a4", "a6"))
  })

  it("role grants add to user grants", async () => {
    await setTagRbac(url, true, "admin_only")
    await query(url, `insert into role_tag_access (role_id, tag_id) values (2, $1)`, [tag["red"]])
    try {
      await seesExactly(analyst, named("a1", "a2", "a4", "a6"))
    } finally {
      await query(url, `delete from role_tag_access`)
    }
  })

  it("customer access AND tag RBAC for a customer_user", async () => {
    await setTagRbac(url, true, "visible_to_all")
    await query(url, `insert into user_tag_access (user_id, tag_id) values ($1, $2)`, [user["cu"], tag["red"]])
    try {
      await seesExactly(customer, named("a2", "a3", "a6"))
    } finally {
      await query(url, `delete from user_tag_access where user_id = $1`, [user["cu"]])
    }
  })

  it("every write on a hidden alert answers NotFound, and a bulk write with one hidden id changes nothing", async () => {
    await setTagRbac(url, true, "visible_to_all")
    const hidden = a.a2
    const notFound = { _tag: "NotFound", message: `alert ${hidden} not found` }
    await expect(analyst.call(Alerts.AlertsUpdate, { ids: [a.a1, hidden, a.a3], set: { status: "CLOSED", escalated: true } }))
      .rejects.toMatchObject(notFound)
    const rows = await query(url, `select id, status, escalated, time_closed from incident_management_alert where id = any($1) order by id`,
      [[a.a1, a.a2, a.a3]])
    expect(rows.map((r) => [r.status, r.escalated, r.time_closed])).toEqual([["OPEN", false, null], ["OPEN", false, null], ["OPEN", false, null]])
    await expect(analyst.call(Alerts.AlertsCommentsAdd, { alertId: hidden, comment: "peek" })).rejects.toMatchObject(notFound)
    await expect(analyst.call(Alerts.AlertsCommentsAddMany, { alertIds: [a.a1, hidden], comment: "peek" })).rejects.toMatchObject(notFound)
    await expect(analyst.call(Alerts.AlertsTagsAdd, { alertIds: [a.a1, hidden], tag: "blue" })).rejects.toMatchObject(notFound)
    await expect(analyst.call(Alerts.AlertsTagsRemove, { alertIds: [hidden], tagId: tag["red"]! })).rejects.toMatchObject(notFound)
    await expect(analyst.call(Alerts.AlertsIocsAdd, { alertId: hidden, value: "1.2.3.4", type: "IP" })).rejects.toMatchObject(notFound)
    await expect(analyst.call(Alerts.AlertsIocsRemove, { alertId: hidden, iocId: 1 })).rejects.toMatchObject(notFound)
    expect((await query(url, `select count(*)::int as n from incident_management_comment`))[0].n).toBe(0)
    expect((await query(url, `select count(*)::int as n from incident_management_alert_to_tag where alert_id = $1`, [a.a1]))[0].n).toBe(1)
    expect((await query(url, `select count(*)::int as n from incident_management_ioc`))[0].n).toBe(0)
  })

  it("an analyst whose RBAC hides the new alert still creates it and gets its summary, then cannot see it", async () => {
    await setTagRbac(url, true, "admin_only")
    const hiddenNew = await analyst.call(Alerts.AlertsCreate, {
      name: "made blind", description: "", customerCode: "acme", source: "manual", iocs: [{ value: "5.5.5.5", type: "IP" }]
    })
    expect(hiddenNew).toMatchObject({ name: "made blind", tags: [], iocCount: 1 })
    await expect(analyst.call(Alerts.AlertsGet, { id: hiddenNew.id })).rejects.toMatchObject({ _tag: "NotFound" })
    expect((await admin.call(Alerts.AlertsGet, { id: hiddenNew.id })).iocs.map((i) => i.value)).toEqual(["5.5.5.5"])
    const tagged = await analyst.call(Alerts.AlertsCreate, { name: "made blue", description: "", customerCode: "acme", source: "manual", tags: ["blue"] })
    expect((await analyst.call(Alerts.AlertsGet, { id: tagged.id })).tags).toEqual([{ id: tag["blue"], tag: "blue" }])
    await admin.call(Alerts.AlertsDelete, { ids: [hiddenNew.id, tagged.id] })
  })

  it("a deletion is announced only to users who could see the alert", async () => {
    await setTagRbac(url, true, "visible_to_all")
    const changes = await listenChanges(url)
    try {
      const [redOnly, blue] = await seedAlerts(url, [
        { name: "gone red", customerCode: "acme", tags: ["red"] }, { name: "gone blue", customerCode: "acme", tags: ["blue"] }
      ])
      await admin.call(Alerts.AlertsDelete, { ids: [redOnly!, blue!] })
      await changes.waitFor((e) => e.kind === "deleted" && e.ids.includes(blue!))
      await changes.waitFor((e) => e.kind === "deleted" && e.ids.includes(redOnly!))
      const audienceOf = (id: number) => changes.events.find((e) => e.kind === "deleted" && e.ids.includes(id))!.audience
      // The customer user has acme but no tag grant; the analyst has blue only.
      expect(audienceOf(redOnly!)).toEqual([user["admin"]])
      expect(audienceOf(blue!)).toEqual([user["admin"], user["ana"]])
    } finally {
      await changes.close()
    }
  })
})
