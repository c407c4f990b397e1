import { beforeAll, describe, expect, it } from "vitest"
import pg from "pg"
import type { DaemonClient } from "@sockeye/client"
import { Alerts, Tags } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { connectAs, seedCustomer, seedUser } from "../../fixtures/Seed.js"
import { auditSince, lastAuditId, rejection, useDaemon } from "../users/harness.js"

const { harness: h, track } = useDaemon("explain")

/**
 * The rules of copilot-facts §a–b written out plainly, over the rows this file seeds: the
 * reference the predicate is checked against. It shares no code with the daemon.
 */
interface World {
  readonly settings: { enabled: boolean; behavior: string; defaultTagId: number | null } | undefined
  readonly direct: Record<number, ReadonlyArray<number>>
  readonly byRole: Record<number, ReadonlyArray<number>>
}
interface Person { readonly id: number; readonly roleId: number | null; readonly customers: ReadonlyArray<string> }
interface AlertRow { readonly id: number; readonly customer: string; readonly tags: ReadonlyArray<number> }

const reference = (world: World, user: Person, alert: AlertRow): boolean => {
  const customerOk = user.roleId === 1 || user.roleId === 2 || (user.roleId === 4 && user.customers.includes(alert.customer))
  const s = world.settings
  let tagOk: boolean
  if (!s || !s.enabled || user.roleId === 1 || user.roleId === 3) {
    tagOk = true
  } else {
    const granted = new Set([...(world.direct[user.id] ?? []), ...(user.roleId === null ? [] : world.byRole[user.roleId] ?? [])])
    if (alert.tags.length > 0) tagOk = alert.tags.some((t) => granted.has(t))
    else if (s.behavior === "visible_to_all") tagOk = true
    else if (s.behavior === "default_tag") tagOk = s.defaultTagId !== null && granted.has(s.defaultTagId)
    else tagOk = false
  }
  return customerOk && tagOk
}

const tags: Record<string, number> = {}
const people: Record<string, Person> = {}
const alerts: Record<string, AlertRow> = {}

beforeAll(async () => {
  for (const code of ["ACME", "BETA"]) await seedCustomer(h.url, code)
  for (const name of ["t1", "t2", "t3"]) tags[name] = (await h.admin.call(Tags.TagsCreate, { tag: name })).id
  const seed = async (name: string, role: "admin" | "analyst" | "scheduler" | "customer_user", customers: Array<string> = []) => {
    const id = await seedUser(h.url, { username: name, role })
    for (const code of customers) await query(h.url, "insert into user_customer_access (user_id, customer_code) values ($1, $2)", [id, code])
    people[name] = { id, roleId: { admin: 1, analyst: 2, scheduler: 3, customer_user: 4 }[role], customers }
  }
  await seed("adm", "admin")
  await seed("ana", "analyst")
  await seed("sch", "scheduler", ["ACME"])
  await seed("cuA", "customer_user", ["ACME"])
  await seed("cuAB", "customer_user", ["ACME", "BETA"])
  await seed("cu0", "customer_user")
  // A role-less user (possible in CoPilot's data): no customer, no role grants.
  await seed("nor", "customer_user", ["ACME"])
  await query(h.url, `update "user" set role_id = null where id = $1`, [people.nor!.id])
  people.nor = { ...people.nor!, roleId: null }
  const alert = async (name: string, customer: string, tagNames: Array<string>) => {
    const [row] = await query(h.url, `insert into incident_management_alert (alert_name, alert_description, status, customer_code, source)
      values ($1, 'd', 'OPEN', $2, 'test') returning id`, [name, customer])
    for (const t of tagNames) await query(h.url, "insert into incident_management_alert_to_tag (alert_id, tag_id) values ($1, $2)", [row.id, tags[t]])
    alerts[name] = { id: row.id, customer, tags: tagNames.map((t) => tags[t]!) }
  }
  await alert("A-untagged", "ACME", [])
  await alert("A-t1", "ACME", ["t1"])
  await alert("A-t1t2", "ACME", ["t1", "t2"])
  await alert("A-t3", "ACME", ["t3"])
  await alert("B-t2", "BETA", ["t2"])
  await alert("B-untagged", "BETA", [])
})

type SettingsCase = World["settings"]
const settingsCases = (): Array<SettingsCase> => [
  undefined,
  { enabled: false, behavior: "admin_only", defaultTagId: null },
  { enabled: true, behavior: "visible_to_all", defaultTagId: null },
  { enabled: true, behavior: "admin_only", defaultTagId: null },
  { enabled: true, behavior: "default_tag", defaultTagId: tags.t1! },
  { enabled: true, behavior: "default_tag", defaultTagId: tags.t3! },
  { enabled: true, behavior: "default_tag", defaultTagId: null },
  { enabled: true, behavior: "mystery", defaultTagId: null }
]
const grantCases = (): Array<Pick<World, "direct" | "byRole">> => [
  { direct: {}, byRole: {} },
  // Direct grants, with a repeated row as CoPilot allows.
  { direct: { [people.ana!.id]: [tags.t1!, tags.t1!], [people.cuA!.id]: [tags.t2!], [people.nor!.id]: [tags.t1!] }, byRole: { 2: [tags.t3!] } },
  { direct: { [people.cuAB!.id]: [tags.t3!], [people.sch!.id]: [tags.t2!] }, byRole: { 4: [tags.t1!], 2: [tags.t2!, tags.t1!] } }
]

/** Writes a world with plain SQL on one connection, bypassing the daemon. */
const install = async (world: World) => {
  const client = new pg.Client({ connectionString: h.url })
  await client.connect()
  try {
    await client.query("begin")
    await client.query("delete from incident_management_tag_access_settings")
    await client.query("delete from user_tag_access")
    await client.query("delete from role_tag_access")
    if (world.settings) {
      await client.query(`insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior, default_tag_id) values ($1, $2, $3)`,
        [world.settings.enabled, world.settings.behavior, world.settings.defaultTagId])
    }
    const pairsOf = (grants: Record<number, ReadonlyArray<number>>) =>
      Object.entries(grants).flatMap(([owner, list]) => list.map((tagId) => [Number(owner), tagId] as const))
    const direct = pairsOf(world.direct)
    const byRole = pairsOf(world.byRole)
    await client.query("insert into user_tag_access (user_id, tag_id) select * from unnest($1::int[], $2::int[])",
      [direct.map((p) => p[0]), direct.map((p) => p[1])])
    await client.query("insert into role_tag_access (role_id, tag_id) select * from unnest($1::int[], $2::int[])",
      [byRole.map((p) => p[0]), byRole.map((p) => p[1])])
    await client.query("commit")
  } finally {
    await client.end()
  }
}

/** Every user × alert of the file, requested concurrently within one world. */
const pairs = () =>
  Object.entries(people).flatMap(([who, person]) => Object.entries(alerts).map(([what, alert]) => [who, person, what, alert] as const))

const worlds = () => settingsCases().flatMap((settings) => grantCases().map((grants) => ({ settings, ...grants })))

describe("rbac/explain", () => {
  it("visible agrees with the plain rules for every role × settings × grants × tags combination", async () => {
    let shown = 0
    let hidden = 0
    for (const world of worlds()) {
      await install(world)
      await Promise.all(pairs().map(async ([who, person, what, alert]) => {
        const { visible, reasons } = await h.admin.call(Tags.RbacExplain, { userId: person.id, alertId: alert.id })
        expect(visible, `${who} / ${what} / ${JSON.stringify(world)}: ${reasons.join("; ")}`).toBe(reference(world, person, alert))
        if (visible) shown++
        else hidden++
      }))
    }
    // The grid exercises both outcomes substantially, so agreement is not trivial.
    expect(shown).toBeGreaterThan(200)
    expect(hidden).toBeGreaterThan(200)
  })

  it("agrees with what alerts/get answers each user", async () => {
    const clients: Record<string, DaemonClient> = {}
    for (const name of Object.keys(people)) clients[name] = track(await connectAs(h.daemon, name))
    for (const world of worlds()) {
      await install(world)
      await Promise.all(pairs().map(async ([who, person, what, alert]) => {
        const { visible } = await h.admin.call(Tags.RbacExplain, { userId: person.id, alertId: alert.id })
        const got = await clients[who]!.call(Alerts.AlertsGet, { id: alert.id }).then(() => true, (e) => {
          expect(e).toMatchObject({ _tag: "NotFound", message: `alert ${alert.id} not found` })
          return false
        })
        expect(got, `${who} / ${what} / ${JSON.stringify(world)}`).toBe(visible)
      }))
    }
  })

  it("names the rules that decided, in order: customer rule, then tag rule", async () => {
    const explain = async (who: string, what: string) =>
      h.admin.call(Tags.RbacExplain, { userId: people[who]!.id, alertId: alerts[what]!.id })
    await install({ settings: undefined, direct: {}, byRole: {} })
    expect(await explain("ana", "A-t1")).toEqual({ visible: true, reasons: ["customer access: analyst sees every customer", "tag RBAC is disabled (never configured)"] })
    expect(await explain("cu0", "A-t1")).toEqual({ visible: false, reasons: ["customer access: ACME is not among the user's customers", "tag RBAC is disabled (never configured)"] })
    expect(await explain("sch", "A-t1")).toEqual({ visible: false, reasons: ["customer access: role scheduler sees no customer", "tag RBAC is disabled (never configured)"] })

    await install({ settings: { enabled: false, behavior: "admin_only", defaultTagId: null }, direct: {}, byRole: {} })
    expect((await explain("cuA", "A-t1")).reasons).toEqual(["customer access: ACME is among the user's customers", "tag RBAC is disabled"])

    await install({
      settings: { enabled: true, behavior: "default_tag", defaultTagId: tags.t3! },
      direct: { [people.cuA!.id]: [tags.t1!, tags.t3!] },
      byRole: { 4: [tags.t1!] }
    })
    expect(await explain("adm", "B-t2")).toEqual({ visible: true, reasons: ["customer access: admin sees every customer", "role admin bypasses tag RBAC"] })
    expect(await explain("cuA", "A-t1t2")).toEqual({
      visible: true,
      reasons: ["customer access: ACME is among the user's customers", `alert carries tag 't1' (id ${tags.t1}), granted to the user directly and through role customer_user`]
    })
    expect(await explain("cuAB", "A-t1")).toEqual({
      visible: true,
      reasons: ["customer access: ACME is among the user's customers", `alert carries tag 't1' (id ${tags.t1}), granted to the user through role customer_user`]
    })
    expect(await explain("cuAB", "B-t2")).toEqual({
      visible: false, reasons: ["customer access: BETA is among the user's customers", "alert has tags [t2], none granted to the user"]
    })
    expect(await explain("ana", "A-t1t2")).toEqual({
      visible: false, reasons: ["customer access: analyst sees every customer", "alert has tags [t1, t2], none granted to the user"]
    })
    expect(await explain("cuA", "A-untagged")).toEqual({
      visible: true,
      reasons: ["customer access: ACME is among the user's customers", `alert is untagged; untagged_alert_behavior=default_tag and default tag ${tags.t3} is granted directly`]
    })
    expect((await explain("cuAB", "A-untagged")).reasons[1]).toBe(`alert is untagged; untagged_alert_behavior=default_tag and default tag ${tags.t3} is not granted`)
    expect((await explain("nor", "A-untagged"))).toEqual({
      visible: false, reasons: ["customer access: role (none) sees no customer", `alert is untagged; untagged_alert_behavior=default_tag and default tag ${tags.t3} is not granted`]
    })

    for (const [behavior, line] of [
      ["visible_to_all", "alert is untagged; untagged_alert_behavior=visible_to_all shows it to everyone"],
      ["admin_only", "alert is untagged; untagged_alert_behavior=admin_only hides it from restricted roles"],
      ["mystery", `alert is untagged; unknown untagged_alert_behavior "mystery" hides it`]
    ] as const) {
      await install({ settings: { enabled: true, behavior, defaultTagId: null }, direct: {}, byRole: {} })
      expect((await explain("ana", "B-untagged")).reasons).toEqual(["customer access: analyst sees every customer", line])
    }
    await install({ settings: { enabled: true, behavior: "default_tag", defaultTagId: null }, direct: {}, byRole: {} })
    expect((await explain("ana", "B-untagged")).reasons[1]).toBe("alert is untagged; untagged_alert_behavior=default_tag but no default tag is set, so it is hidden")
  })

  it("answers NotFound for an unknown user or alert, and writes no audit (it is a read)", async () => {
    const before = await lastAuditId(h.url)
    expect((await rejection(h.admin.call(Tags.RbacExplain, { userId: 99999, alertId: alerts["A-t1"]!.id }), -32004)).message).toBe("user 99999 not found")
    expect((await rejection(h.admin.call(Tags.RbacExplain, { userId: people.ana!.id, alertId: 99999 }), -32004)).message).toBe("alert 99999 not found")
    await h.admin.call(Tags.RbacExplain, { userId: people.ana!.id, alertId: alerts["A-t1"]!.id })
    expect(await auditSince(h.url, before)).toEqual([])
  })

  it("is refused (-32003) to analyst and customer_user", async () => {
    for (const name of ["ana", "cuA"]) {
      const client = track(await connectAs(h.daemon, name))
      await rejection(client.call(Tags.RbacExplain, { userId: people.ana!.id, alertId: alerts["A-t1"]!.id }), -32003)
    }
  })

  it("refuses bad params with -32602", async () => {
    for (const params of [{}, { userId: 1 }, { userId: "1", alertId: 1 }, { userId: 1, alertId: -3 }, { userId: 1, alertId: 1, x: 1 }]) {
      await expect(h.admin.raw("rbac/explain", params)).rejects.toMatchObject({ _tag: "InvalidParams" })
    }
  })
})
