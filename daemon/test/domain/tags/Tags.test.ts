import { afterAll, beforeAll, describe, expect, it } from "vitest"
import pg from "pg"
import type { DaemonClient } from "@sockeye/client"
import { Tags } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { ADMIN_PASSWORD } from "../../fixtures/Daemon.js"
import type { RawConnection } from "../../fixtures/RawFrames.js"
import { connectAs, seedUser } from "../../fixtures/Seed.js"
import { auditSince, lastAuditId, rawAs, rawError, rejection, useDaemon } from "../users/harness.js"

const { harness: h, track } = useDaemon("tags")

const as: Record<string, DaemonClient> = {}
/** Raw admin connection: the typed client refuses to encode untrimmed tag text, the wire accepts it. */
let raw: RawConnection
let listener: pg.Client
const notices: Array<unknown> = []
beforeAll(async () => {
  for (const [name, role] of [["ann", "analyst"], ["cust", "customer_user"], ["sched", "scheduler"]] as const) {
    await seedUser(h.url, { username: name, role })
    as[name] = track(await connectAs(h.daemon, name))
  }
  raw = track(await rawAs(h.daemon, "admin", ADMIN_PASSWORD))
  // The change feed as PostgreSQL delivers it: only committed publications arrive.
  listener = new pg.Client({ connectionString: h.url })
  await listener.connect()
  listener.on("notification", (n) => notices.push(JSON.parse(n.payload!)))
  await listener.query("listen sockeye_changes")
})
afterAll(async () => { await listener?.end() })

/** Waits for a change notice matching `match` (event-driven; the timeout only bounds a failure). */
const notice = (match: (n: any) => boolean) =>
  new Promise<any>((resolve, reject) => {
    const started = Date.now()
    const poll = () => {
      const found = notices.find(match)
      if (found) return resolve(found)
      if (Date.now() - started > 5000) return reject(new Error(`no matching notice; got ${JSON.stringify(notices)}`))
      setTimeout(poll, 10)
    }
    poll()
  })

const alert = async (customer = "ACME") =>
  (await query(h.url, `insert into incident_management_alert (alert_name, alert_description, status, customer_code, source)
    values ('a', 'd', 'OPEN', $1, 'test') returning id`, [customer]))[0].id as number

describe("tags/list and tags/create", () => {
  it("starts empty, lists by tag text for every role", async () => {
    expect(await h.admin.call(Tags.TagsList, {})).toEqual([])
    const zeta = await h.admin.call(Tags.TagsCreate, { tag: "zeta" })
    const alpha = await as.ann!.call(Tags.TagsCreate, { tag: "alpha" })
    const mid = (await raw.request("tags/create", { tag: "  mid  " })).result as { id: number; tag: string }
    expect(mid).toEqual({ id: expect.any(Number), tag: "mid" })
    const expected = [alpha, mid, zeta]
    for (const client of [h.admin, as.ann!, as.cust!, as.sched!]) expect(await client.call(Tags.TagsList, {})).toEqual(expected)
  })

  it("creates a tag with its id and audits it", async () => {
    const before = await lastAuditId(h.url)
    const tag = await h.admin.call(Tags.TagsCreate, { tag: "network" })
    expect(tag).toEqual({ id: expect.any(Number), tag: "network" })
    expect(await query(h.url, "select id, tag from incident_management_alerttag where tag = 'network'")).toEqual([tag])
    expect((await auditSince(h.url, before)).map((r) => [r.route, r.message, r.userId]))
      .toEqual([["tags/create", `created tag ${tag.id} (network)`, h.adminId]])
  })

  it("keeps tag names unique: -32009 for an existing name, also after trimming", async () => {
    const before = await lastAuditId(h.url)
    const error = await rejection(h.admin.call(Tags.TagsCreate, { tag: "alpha" }), -32009)
    expect(error.message).toBe("tag alpha exists")
    expect(await rawError(raw, "tags/create", { tag: "  alpha " })).toEqual({ code: -32009, message: "tag alpha exists" })
    expect(await query(h.url, "select count(*)::int as n from incident_management_alerttag where tag = 'alpha'")).toEqual([{ n: 1 }])
    expect(await auditSince(h.url, before)).toEqual([])
  })

  it("stores SQL metacharacters literally", async () => {
    const text = `x'); drop table "user";--%_\\`
    const tag = await h.admin.call(Tags.TagsCreate, { tag: text })
    expect(tag.tag).toBe(text)
    expect(await query(h.url, "select tag from incident_management_alerttag where id = $1", [tag.id])).toEqual([{ tag: text }])
  })

  it("is refused (-32003) to customer_user and scheduler (writers only)", async () => {
    for (const name of ["cust", "sched"]) await rejection(as[name]!.call(Tags.TagsCreate, { tag: `by-${name}` }), -32003)
    expect(await query(h.url, "select id from incident_management_alerttag where tag like 'by-%'")).toEqual([])
  })
})

describe("tags/delete", () => {
  it("removes the tag's alert links, grants and default-tag setting, keeps others, and announces the alerts", async () => {
    const doomed = await h.admin.call(Tags.TagsCreate, { tag: "doomed" })
    const kept = await h.admin.call(Tags.TagsCreate, { tag: "kept" })
    const [a1, a2, a3] = [await alert(), await alert("BETA"), await alert()]
    await query(h.url, `insert into incident_management_alert_to_tag (alert_id, tag_id) values ($1, $4), ($2, $4), ($1, $5), ($3, $5)`,
      [a1, a2, a3, doomed.id, kept.id])
    const annId = as.ann!.user!.id
    await query(h.url, `insert into user_tag_access (user_id, tag_id) values ($1, $2), ($1, $2), ($1, $3)`, [annId, doomed.id, kept.id])
    await query(h.url, `insert into role_tag_access (role_id, tag_id) values (2, $1), (4, $1), (4, $2)`, [doomed.id, kept.id])
    await query(h.url, `insert into incident_management_tag_access_settings (enabled, untagged_alert_behavior, default_tag_id)
      values (true, 'default_tag', $1)`, [doomed.id])

    const before = await lastAuditId(h.url)
    expect(await h.admin.call(Tags.TagsDelete, { id: doomed.id })).toEqual({ deleted: [doomed.id] })

    expect(await query(h.url, "select alert_id, tag_id from incident_management_alert_to_tag where alert_id = any($1) order by 1, 2", [[a1, a2, a3]]))
      .toEqual([{ alert_id: a1, tag_id: kept.id }, { alert_id: a3, tag_id: kept.id }])
    expect(await query(h.url, "select user_id, tag_id from user_tag_access order by id")).toEqual([{ user_id: annId, tag_id: kept.id }])
    expect(await query(h.url, "select role_id, tag_id from role_tag_access order by id")).toEqual([{ role_id: 4, tag_id: kept.id }])
    expect(await query(h.url, "select enabled, untagged_alert_behavior, default_tag_id, updated_by from incident_management_tag_access_settings"))
      .toEqual([{ enabled: true, untagged_alert_behavior: "default_tag", default_tag_id: null, updated_by: "admin" }])
    expect(await query(h.url, "select id from incident_management_alerttag where id = $1", [doomed.id])).toEqual([])
    expect((await h.admin.call(Tags.TagsList, {})).map((t) => t.tag)).not.toContain("doomed")

    expect(await notice((n) => n.entity === "alert" && n.ids.includes(a1)))
      .toEqual({ entity: "alert", kind: "updated", ids: [a1, a2].sort((x, y) => x - y) })
    expect((await auditSince(h.url, before)).map((r) => [r.route, r.message, r.userId]))
      .toEqual([["tags/delete", `deleted tag ${doomed.id} (doomed); unlinked alerts [${[a1, a2].sort((x, y) => x - y).join(", ")}]`, h.adminId]])
  })

  it("answers NotFound for an unknown id, and a second delete", async () => {
    const tag = await h.admin.call(Tags.TagsCreate, { tag: "twice" })
    await h.admin.call(Tags.TagsDelete, { id: tag.id })
    expect((await rejection(h.admin.call(Tags.TagsDelete, { id: tag.id }), -32004)).message).toBe(`tag ${tag.id} not found`)
    expect((await rejection(h.admin.call(Tags.TagsDelete, { id: 777777 }), -32004)).message).toBe("tag 777777 not found")
  })

  it("is refused (-32003) to analyst and customer_user", async () => {
    const tag = await h.admin.call(Tags.TagsCreate, { tag: "survivor" })
    for (const name of ["ann", "cust"]) await rejection(as[name]!.call(Tags.TagsDelete, { id: tag.id }), -32003)
    expect(await query(h.url, "select tag from incident_management_alerttag where id = $1", [tag.id])).toEqual([{ tag: "survivor" }])
  })
})

describe("bad input", () => {
  it("answers -32602 with the offending path and changes nothing", async () => {
    const conn = raw
    const snapshot = () => query(h.url, "select * from incident_management_alerttag order by id")
    const before = await snapshot()
    const cases: Array<[string, unknown, Array<string | number>]> = [
      ["tags/create", {}, ["tag"]],
      ["tags/create", { tag: "" }, ["tag"]],
      ["tags/create", { tag: "   " }, ["tag"]],
      ["tags/create", { tag: 5 }, ["tag"]],
      ["tags/create", { tag: ["a"] }, ["tag"]],
      ["tags/create", { tag: "t".repeat(51) }, ["tag"]],
      ["tags/create", { tag: "t".repeat(256) }, ["tag"]],
      ["tags/create", { tag: "nul\u0000" }, ["tag"]],
      ["tags/create", { tag: "x", id: 3 }, ["id"]],
      ["tags/delete", {}, ["id"]],
      ["tags/delete", { id: "1" }, ["id"]],
      ["tags/delete", { id: 0 }, ["id"]],
      ["tags/list", [1], []]
    ]
    for (const [method, params, path] of cases) {
      const error = await rawError(conn, method, params)
      expect(error.code, `${method} ${JSON.stringify(params)}`).toBe(-32602)
      expect(error.data.issues.map((i: { path: unknown }) => i.path), `${method} ${JSON.stringify(params)}`).toContainEqual(path)
    }
    expect(await snapshot()).toEqual(before)
    // A 50-character tag is the longest the column holds.
    expect((await h.admin.call(Tags.TagsCreate, { tag: "t".repeat(50) })).tag).toHaveLength(50)
  })
})
