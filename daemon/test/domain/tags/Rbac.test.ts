import { beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Tags } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { ADMIN_PASSWORD } from "../../fixtures/Daemon.js"
import { connectAs, seedUser } from "../../fixtures/Seed.js"
import { auditSince, lastAuditId, rawAs, rawError, rejection, useDaemon } from "../users/harness.js"

const { harness: h, track } = useDaemon("rbac")

const as: Record<string, DaemonClient> = {}
const ids: Record<string, number> = {}
const tag: Record<string, { id: number; tag: string }> = {}
beforeAll(async () => {
  for (const [name, role] of [["ann", "analyst"], ["cust", "customer_user"], ["sched", "scheduler"]] as const) {
    ids[name] = await seedUser(h.url, { username: name, role })
    as[name] = track(await connectAs(h.daemon, name))
  }
  for (const name of ["red", "green", "blue"]) tag[name] = await h.admin.call(Tags.TagsCreate, { tag: name })
})

const settingsRows = () =>
  query(h.url, "select id, enabled, untagged_alert_behavior, default_tag_id, updated_by from incident_management_tag_access_settings order by id")

describe("rbac/settings", () => {
  it("reads the defaults when no row exists, for every role, without inserting one", async () => {
    const defaults = { enabled: false, untaggedAlertBehavior: "visible_to_all", defaultTagId: null }
    for (const client of [h.admin, as.ann!, as.cust!, as.sched!]) expect(await client.call(Tags.RbacSettingsGet, {})).toEqual(defaults)
    expect(await settingsRows()).toEqual([])
  })

  it("set inserts the single row, then updates it; get reads it back", async () => {
    const before = await lastAuditId(h.url)
    const first = { enabled: true, untaggedAlertBehavior: "admin_only", defaultTagId: null } as const
    expect(await h.admin.call(Tags.RbacSettingsSet, first)).toEqual(first)
    expect(await h.admin.call(Tags.RbacSettingsGet, {})).toEqual(first)
    const [row] = await settingsRows()
    expect(row).toEqual({ id: expect.any(Number), enabled: true, untagged_alert_behavior: "admin_only", default_tag_id: null, updated_by: "admin" })

    const second = { enabled: true, untaggedAlertBehavior: "default_tag", defaultTagId: tag.green!.id } as const
    expect(await h.admin.call(Tags.RbacSettingsSet, second)).toEqual(second)
    expect(await as.cust!.call(Tags.RbacSettingsGet, {})).toEqual(second)
    expect(await settingsRows()).toEqual([{ ...row, untagged_alert_behavior: "default_tag", default_tag_id: tag.green!.id }])
    expect((await auditSince(h.url, before)).map((r) => [r.route, r.message, r.userId])).toEqual([
      ["rbac/settings/set", "tag RBAC enabled=true untagged_alert_behavior=admin_only default_tag_id=null", h.adminId],
      ["rbac/settings/set", `tag RBAC enabled=true untagged_alert_behavior=default_tag default_tag_id=${tag.green!.id}`, h.adminId]
    ])
  })

  it("default_tag without a defaultTagId is -32602 at path defaultTagId; an unknown tag is -32004; nothing changes", async () => {
    const before = await settingsRows()
    const invalid = await rejection(h.admin.call(Tags.RbacSettingsSet, { enabled: true, untaggedAlertBehavior: "default_tag", defaultTagId: null }), -32602)
    expect(invalid).toMatchObject({ _tag: "InvalidParams", issues: [{ path: ["defaultTagId"], message: "required when untaggedAlertBehavior is default_tag" }] })
    const missing = await rejection(h.admin.call(Tags.RbacSettingsSet, { enabled: true, untaggedAlertBehavior: "default_tag", defaultTagId: 99999 }), -32004)
    expect(missing.message).toBe("tag 99999 not found")
    // A default tag is checked even when the behaviour does not use it.
    await rejection(h.admin.call(Tags.RbacSettingsSet, { enabled: false, untaggedAlertBehavior: "visible_to_all", defaultTagId: 99999 }), -32004)
    expect(await settingsRows()).toEqual(before)
  })

  it("reports an unknown stored behaviour as admin_only, the effect the predicate gives it", async () => {
    await query(h.url, "update incident_management_tag_access_settings set untagged_alert_behavior = 'sometimes', default_tag_id = null")
    expect(await h.admin.call(Tags.RbacSettingsGet, {})).toEqual({ enabled: true, untaggedAlertBehavior: "admin_only", defaultTagId: null })
  })

  it("governs by the first row: get reads it and set updates it, leaving later rows alone", async () => {
    const [first] = await settingsRows()
    await query(h.url, `insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior) values (false, 'visible_to_all')`)
    await h.admin.call(Tags.RbacSettingsSet, { enabled: true, untaggedAlertBehavior: "visible_to_all", defaultTagId: tag.red!.id })
    expect(await h.admin.call(Tags.RbacSettingsGet, {})).toEqual({ enabled: true, untaggedAlertBehavior: "visible_to_all", defaultTagId: tag.red!.id })
    const rows = await settingsRows()
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatchObject({ id: first.id, enabled: true, untagged_alert_behavior: "visible_to_all", default_tag_id: tag.red!.id })
    expect(rows[1]).toMatchObject({ enabled: false, untagged_alert_behavior: "visible_to_all", default_tag_id: null })
    await query(h.url, "delete from incident_management_tag_access_settings where id <> $1", [first.id])
  })

  it("set is refused (-32003) to analyst, customer_user and scheduler", async () => {
    const before = await settingsRows()
    for (const name of ["ann", "cust", "sched"]) {
      await rejection(as[name]!.call(Tags.RbacSettingsSet, { enabled: false, untaggedAlertBehavior: "visible_to_all", defaultTagId: null }), -32003)
    }
    expect(await settingsRows()).toEqual(before)
  })
})

describe("rbac/grants", () => {
  const userRows = (userId: number) => query(h.url, "select tag_id from user_tag_access where user_id = $1 order by tag_id", [userId])
  const g = (name: string, subject: { userId?: number; roleId?: number }) =>
    ({ userId: subject.userId ?? null, roleId: subject.roleId ?? null, tagId: tag[name]!.id, tag: name })

  it("starts empty", async () => {
    expect(await h.admin.call(Tags.RbacGrantsList, {})).toEqual([])
    expect(await h.admin.call(Tags.RbacGrantsList, { userId: ids.ann! })).toEqual([])
    expect(await h.admin.call(Tags.RbacGrantsList, { roleId: 2 })).toEqual([])
  })

  it("set replaces a user's grants, without duplicates, and returns them ordered by tag", async () => {
    const ann = { userId: ids.ann! }
    const before = await lastAuditId(h.url)
    expect(await h.admin.call(Tags.RbacGrantsSet, { ...ann, tagIds: [tag.red!.id, tag.blue!.id, tag.red!.id] }))
      .toEqual([g("blue", ann), g("red", ann)])
    expect(await userRows(ids.ann!)).toEqual([tag.red!.id, tag.blue!.id].sort((a, b) => a - b).map((tag_id) => ({ tag_id })))
    expect(await h.admin.call(Tags.RbacGrantsSet, { ...ann, tagIds: [tag.green!.id] })).toEqual([g("green", ann)])
    expect(await userRows(ids.ann!)).toEqual([{ tag_id: tag.green!.id }])
    expect((await auditSince(h.url, before)).map((r) => [r.route, r.message, r.userId])).toEqual([
      ["rbac/grants/set", `set tag grants of user ${ids.ann}: [${[tag.red!.id, tag.blue!.id].sort((a, b) => a - b).join(", ")}]`, h.adminId],
      ["rbac/grants/set", `set tag grants of user ${ids.ann}: [${tag.green!.id}]`, h.adminId]
    ])
  })

  it("set replaces a role's grants", async () => {
    const role = { roleId: 4 }
    expect(await h.admin.call(Tags.RbacGrantsSet, { ...role, tagIds: [tag.green!.id, tag.red!.id] })).toEqual([g("green", role), g("red", role)])
    expect(await h.admin.call(Tags.RbacGrantsSet, { ...role, tagIds: [tag.blue!.id, tag.blue!.id] })).toEqual([g("blue", role)])
    expect(await query(h.url, "select role_id, tag_id from role_tag_access order by id")).toEqual([{ role_id: 4, tag_id: tag.blue!.id }])
  })

  it("list gives one user's direct grants, one role's, or all; repeated rows appear once", async () => {
    const cust = { userId: ids.cust! }
    await query(h.url, "insert into user_tag_access (user_id, tag_id) values ($1, $2), ($1, $2), ($1, $3)", [ids.cust, tag.red!.id, tag.green!.id])
    await query(h.url, "insert into role_tag_access (role_id, tag_id) values (2, $1), (2, $1)", [tag.red!.id])
    // cust is a customer_user: its role's grant (blue) is not a direct grant.
    expect(await h.admin.call(Tags.RbacGrantsList, cust)).toEqual([g("green", cust), g("red", cust)])
    expect(await h.admin.call(Tags.RbacGrantsList, { roleId: 2 })).toEqual([g("red", { roleId: 2 })])
    const [first, second] = [ids.ann!, ids.cust!].sort((a, b) => a - b)
    const byUser = (id: number) => id === ids.ann ? [g("green", { userId: id })] : [g("green", { userId: id }), g("red", { userId: id })]
    expect(await h.admin.call(Tags.RbacGrantsList, {})).toEqual([
      ...byUser(first!), ...byUser(second!), g("red", { roleId: 2 }), g("blue", { roleId: 4 })
    ])
    // set removes the repeats along with the rest.
    expect(await h.admin.call(Tags.RbacGrantsSet, { ...cust, tagIds: [tag.red!.id] })).toEqual([g("red", cust)])
    expect(await userRows(ids.cust!)).toEqual([{ tag_id: tag.red!.id }])
    expect(await h.admin.call(Tags.RbacGrantsSet, { ...cust, tagIds: [] })).toEqual([])
    expect(await userRows(ids.cust!)).toEqual([])
  })

  it("unknown user, role or tag answer NotFound naming it, all or nothing", async () => {
    const before = await query(h.url, "select user_id, tag_id from user_tag_access order by id")
    expect((await rejection(h.admin.call(Tags.RbacGrantsSet, { userId: 55555, tagIds: [tag.red!.id] }), -32004)).message).toBe("user 55555 not found")
    expect((await rejection(h.admin.call(Tags.RbacGrantsSet, { roleId: 9, tagIds: [tag.red!.id] }), -32004)).message).toBe("role 9 not found")
    expect((await rejection(h.admin.call(Tags.RbacGrantsSet, { userId: ids.ann!, tagIds: [tag.red!.id, 66666] }), -32004)).message)
      .toBe("tag 66666 not found")
    expect((await rejection(h.admin.call(Tags.RbacGrantsList, { userId: 55555 }), -32004)).message).toBe("user 55555 not found")
    expect((await rejection(h.admin.call(Tags.RbacGrantsList, { roleId: 9 }), -32004)).message).toBe("role 9 not found")
    expect(await query(h.url, "select user_id, tag_id from user_tag_access order by id")).toEqual(before)
  })

  it("is refused (-32003) to analyst, customer_user and scheduler", async () => {
    const before = await query(h.url, "select user_id, tag_id from user_tag_access order by id")
    for (const name of ["ann", "cust", "sched"]) {
      await rejection(as[name]!.call(Tags.RbacGrantsList, {}), -32003)
      await rejection(as[name]!.call(Tags.RbacGrantsSet, { userId: ids[name]!, tagIds: [tag.red!.id] }), -32003)
    }
    expect(await query(h.url, "select user_id, tag_id from user_tag_access order by id")).toEqual(before)
  })
})

describe("bad input", () => {
  it("answers -32602 with the offending path and changes nothing", async () => {
    const conn = track(await rawAs(h.daemon, "admin", ADMIN_PASSWORD))
    const snapshot = async () => [await settingsRows(), await query(h.url, "select * from user_tag_access order by id"),
      await query(h.url, "select * from role_tag_access order by id")]
    const before = await snapshot()
    const ok = { enabled: true, untaggedAlertBehavior: "visible_to_all", defaultTagId: null }
    const cases: Array<[string, unknown, Array<string | number>]> = [
      ["rbac/settings/set", { ...ok, enabled: "yes" }, ["enabled"]],
      ["rbac/settings/set", { ...ok, untaggedAlertBehavior: "sometimes" }, ["untaggedAlertBehavior"]],
      ["rbac/settings/set", { ...ok, defaultTagId: 0 }, ["defaultTagId"]],
      ["rbac/settings/set", { ...ok, defaultTagId: "1" }, ["defaultTagId"]],
      ["rbac/settings/set", { enabled: true, untaggedAlertBehavior: "visible_to_all" }, ["defaultTagId"]],
      ["rbac/settings/set", { ...ok, untaggedAlertBehavior: "default_tag" }, ["defaultTagId"]],
      ["rbac/settings/set", { ...ok, extra: 1 }, ["extra"]],
      ["rbac/grants/list", { userId: ids.ann, roleId: 2 }, []],
      ["rbac/grants/list", { userId: "x" }, ["userId"]],
      ["rbac/grants/set", { tagIds: [1] }, []],
      ["rbac/grants/set", { userId: ids.ann, roleId: 2, tagIds: [1] }, []],
      ["rbac/grants/set", { userId: ids.ann }, ["tagIds"]],
      ["rbac/grants/set", { userId: ids.ann, tagIds: "1" }, ["tagIds"]],
      ["rbac/grants/set", { userId: ids.ann, tagIds: [1, -2] }, ["tagIds", 1]],
      ["rbac/grants/set", { userId: ids.ann, tagIds: ["1'; delete from user_tag_access;--"] }, ["tagIds", 0]],
      ["rbac/settings/get", [true], []],
      ["rbac/grants/list", [1], []]
    ]
    for (const [method, params, path] of cases) {
      const error = await rawError(conn, method, params)
      expect(error.code, `${method} ${JSON.stringify(params)}`).toBe(-32602)
      expect(error.data.issues.map((i: { path: unknown }) => i.path), `${method} ${JSON.stringify(params)}`).toContainEqual(path)
    }
    expect(await snapshot()).toEqual(before)
  })
})
