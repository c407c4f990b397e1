import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Alerts, Cases, Notifications, Tags, Users, methods, type DryRunChange, type Method } from "@sockeye/protocol"
import type { DaemonClient } from "@sockeye/client"
import { backgroundTables, createTestDatabase, query, tableChecksums } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, tempDir, type RunningDaemon } from "../fixtures/Daemon.js"
import { connectAs, seedCustomer, seedUser } from "../fixtures/Seed.js"

/**
 * Dry runs of every mutating method: the preview lists the rows the call would change, and the
 * database is exactly as before (a checksum of every table, and no audit entry). A mutating
 * method added to the registry without a case here fails the first test.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
let admin: DaemonClient
let analyst: DaemonClient
let watcher: DaemonClient
const ids = { alert: 0, other: 0, tag: 0, case: 0, linkedAlert: 0, ioc: 0, user: 0, token: 0, comment: 0 }
let job = ""

beforeAll(async () => {
  db = await createTestDatabase("dryrun")
  daemon = await startDaemon({ databaseUrl: db.url, env: { SOCKEYE_SIEM: "none", SOCKEYE_BLOBS: "fs", SOCKEYE_BLOBS_DIR: tempDir("dryrun-blobs") } })
  await seedCustomer(db.url, "ACME")
  ids.user = await seedUser(db.url, { username: "ana", role: "analyst" })
  await seedUser(db.url, { username: "victim", role: "analyst" })
  admin = await connectAs(daemon, "admin", ADMIN_PASSWORD)
  analyst = await connectAs(daemon, "ana")
  watcher = await connectAs(daemon, "ana")
  const alert = await admin.call(Alerts.AlertsCreate, {
    name: "seed", description: "d", customerCode: "ACME", source: "manual",
    iocs: [{ value: "10.0.0.1", type: "IP" }], tags: ["seed-tag"]
  })
  ids.alert = alert.id
  ids.other = (await admin.call(Alerts.AlertsCreate, { name: "other", description: "d", customerCode: "ACME", source: "manual" })).id
  ids.linkedAlert = (await admin.call(Alerts.AlertsCreate, { name: "linked", description: "d", customerCode: "ACME", source: "manual" })).id
  ids.tag = (await admin.call(Tags.TagsList, {})).find((t) => t.tag === "seed-tag")!.id
  ids.ioc = (await query<{ id: number }>(db.url, "select ioc_id as id from incident_management_alert_to_ioc where alert_id = $1", [alert.id]))[0]!.id
  ids.case = (await admin.call(Cases.CasesCreate, { name: "case", description: "d", customerCode: "ACME", alertIds: [ids.linkedAlert] })).id
  ids.token = (await admin.raw("auth/tokens/create", { name: "seed" }) as { id: number }).id
  job = (await admin.raw("jobs/list", {}) as Array<{ id: string }>)[0]!.id
})
afterAll(async () => {
  for (const c of [admin, analyst, watcher]) await c?.close()
  await daemon?.stop()
  await db?.drop()
})

/** Every table but the background ones, the audit log included (a dry run writes none). */
const checksum = () => tableChecksums(db.url, backgroundTables.filter((t) => t !== "log_entries"))

const auditRows = async (route: string) =>
  (await query<{ n: number }>(db.url, "select count(*)::int as n from log_entries where route = $1", [route]))[0]!.n

/** Methods that refuse dryRun are refused before they look their params up. */
const NO_UPLOAD = "00000000-0000-4000-8000-000000000000"

type Case = { readonly params: () => Record<string, unknown> | Promise<Record<string, unknown>>; readonly touches?: string }

/** Valid params for every mutating method, and a table its dry run must show a change to. */
const cases: Record<string, Case> = {
  "auth/tokens/create": { params: () => ({ name: "agent" }), touches: "sockeye_api_tokens" },
  "auth/tokens/revoke": { params: () => ({ id: ids.token }), touches: "sockeye_api_tokens" },
  "users/create": { params: () => ({ username: "newbie", email: "n@example.test", password: "Passw0rd-long!", role: "analyst" }), touches: "user" },
  "users/update": { params: () => ({ id: ids.user, email: "ana2@example.test" }), touches: "user" },
  "users/delete": {
    params: async () => ({ id: (await query<{ id: number }>(db.url, "select id from \"user\" where username = 'victim'"))[0]!.id }),
    touches: "user"
  },
  "users/customerAccess/set": { params: () => ({ userId: ids.user, customerCodes: ["ACME"] }), touches: "user_customer_access" },
  "customers/create": { params: () => ({ customerCode: "NEWCO", customerName: "New Co" }), touches: "customers" },
  "customers/update": { params: () => ({ customerCode: "ACME", customerName: "Acme Renamed" }), touches: "customers" },
  "tags/create": { params: () => ({ tag: "fresh" }), touches: "incident_management_alerttag" },
  "tags/delete": { params: () => ({ id: ids.tag }), touches: "incident_management_alerttag" },
  "rbac/settings/set": { params: () => ({ enabled: true, untaggedAlertBehavior: "visible_to_all", defaultTagId: null }), touches: "incident_management_tag_access_settings" },
  "rbac/grants/set": { params: () => ({ userId: ids.user, tagIds: [ids.tag] }), touches: "user_tag_access" },
  "alerts/create": { params: () => ({ name: "new", description: "d", customerCode: "ACME", source: "manual" }), touches: "incident_management_alert" },
  "alerts/update": { params: () => ({ ids: [ids.alert], set: { status: "CLOSED" } }), touches: "incident_management_alert" },
  "alerts/comments/add": { params: () => ({ alertId: ids.alert, comment: "looks bad" }), touches: "incident_management_comment" },
  "alerts/comments/addMany": { params: () => ({ alertIds: [ids.alert, ids.other], comment: "same cause" }), touches: "incident_management_comment" },
  "alerts/tags/add": { params: () => ({ alertIds: [ids.other], tag: "added" }), touches: "incident_management_alert_to_tag" },
  "alerts/tags/remove": { params: () => ({ alertIds: [ids.alert], tagId: ids.tag }), touches: "incident_management_alert_to_tag" },
  "alerts/iocs/add": { params: () => ({ alertId: ids.other, value: "evil.example", type: "DOMAIN" }), touches: "incident_management_alert_to_ioc" },
  "alerts/iocs/remove": { params: () => ({ alertId: ids.alert, iocId: ids.ioc }), touches: "incident_management_alert_to_ioc" },
  "alerts/delete": { params: () => ({ ids: [ids.other] }), touches: "incident_management_alert" },
  "cases/create": { params: () => ({ name: "new case", description: "d", customerCode: "ACME" }), touches: "incident_management_case" },
  "cases/update": { params: () => ({ ids: [ids.case], set: { status: "CLOSED" } }), touches: "incident_management_case" },
  "cases/alerts/link": { params: () => ({ caseId: ids.case, alertIds: [ids.alert] }), touches: "incident_management_casealertlink" },
  "cases/alerts/unlink": { params: () => ({ caseId: ids.case, alertIds: [ids.linkedAlert] }), touches: "incident_management_casealertlink" },
  "cases/comments/add": { params: () => ({ caseId: ids.case, comment: "note" }), touches: "incident_management_case_comment" },
  "jobs/update": { params: () => ({ id: job, enabled: false }), touches: "scheduled_job_metadata" },
  "jobs/run": { params: () => ({ id: job }) },
  "ingest/fieldNames/set": {
    params: async () => {
      const { fields } = await admin.raw("ingest/fieldNames/get", { source: "wazuh" }) as { fields: { title: string } }
      return { source: "wazuh", fields: { ...fields, title: "rule_description_changed" } }
    },
    touches: "incident_management_alerttitlefieldname"
  },
  "ingest/run": { params: () => ({}) },
  "migrations/up": { params: () => ({}) },
  "migrations/new": { params: () => ({ name: "dry_run_table" }) },
  "cases/files/upload/begin": { params: () => ({ caseId: ids.case, fileName: "dry.txt", size: 3, sha256: "0".repeat(64) }), touches: "sockeye_uploads" },
  "reportTemplates/upload/begin": { params: () => ({ fileName: "dry.docx", size: 3, sha256: "0".repeat(64) }), touches: "sockeye_uploads" },
  ...Object.fromEntries(["cases/files", "reportTemplates"].flatMap((area) => [
    [`${area}/upload/chunk`, { params: () => ({ uploadId: NO_UPLOAD, offset: 0, data: "" }) }],
    [`${area}/upload/commit`, { params: () => ({ uploadId: NO_UPLOAD }) }],
    [`${area}/upload/abort`, { params: () => ({ uploadId: NO_UPLOAD }) }]
  ])),
  "cases/files/delete": { params: () => ({ fileId: 1 }) },
  "reportTemplates/delete": { params: () => ({ templateId: 1 }) }
}

const mutating = methods.filter((m) => m.dryRun !== undefined)

describe("dry runs", () => {
  it("every mutating method has a case here, and takes dryRun and onBehalfOf", () => {
    expect(Object.keys(cases).sort()).toEqual(mutating.map((m) => m.method).sort())
    for (const m of methods) expect(m.hints.readOnly || m.dryRun !== undefined || m.method === "shutdown", m.method).toBe(true)
  })

  it.each(mutating.map((m) => [m.method, m] as const))("%s: dryRun changes nothing and previews or refuses precisely", async (name, method: Method) => {
    const params = await cases[name]!.params()
    const before = await checksum()
    const audits = await auditRows(name)
    if (method.dryRun!.refused !== undefined) {
      const error = await admin.raw(name, { ...params, dryRun: true }).then(() => undefined, (e: unknown) => e as { _tag: string; issues: Array<{ path: Array<unknown>; message: string }> })
      expect(error?._tag).toBe("InvalidParams")
      expect(error!.issues).toEqual([{ path: ["dryRun"], message: method.dryRun!.refused }])
    } else {
      const preview = await admin.raw(name, { ...params, dryRun: true }) as { dryRun: true; changes: Array<DryRunChange>; result: unknown }
      expect(preview.dryRun).toBe(true)
      expect(preview.result).toBeDefined()
      // Every mutation writes its audit entry: the preview shows the one it would write.
      const audit = preview.changes.find((c) => c.table === "log_entries" && c.op === "insert")
      expect(audit?.after?.["route"], `${name} audit entry`).toBe(name)
      expect(JSON.parse(audit!.after!["additional_info"] as string).client).toBe("test:admin")
      const touches = cases[name]!.touches
      if (touches) expect(preview.changes.some((c) => c.table === touches), `${name} touches ${touches}: ${JSON.stringify(preview.changes)}`).toBe(true)
    }
    expect(await checksum()).toEqual(before)
    expect(await auditRows(name)).toBe(audits)
  })

  it("a refused write is refused in the preview with the same error", async () => {
    const error = await analyst.raw("alerts/update", { ids: [999999], set: { status: "CLOSED" }, dryRun: true }).then(() => undefined, (e: unknown) => e as { _tag: string; message: string })
    const real = await analyst.raw("alerts/update", { ids: [999999], set: { status: "CLOSED" } }).then(() => undefined, (e: unknown) => e as { _tag: string; message: string })
    expect(error).toEqual(real)
    expect(error?._tag).toBe("NotFound")
    const forbidden = await analyst.raw("users/delete", { id: ids.user, dryRun: true }).then(() => undefined, (e: unknown) => (e as { _tag: string })._tag)
    expect(forbidden).toBe("Forbidden")
  })

  it("hides secrets: a password or token hash shows as [redacted]", async () => {
    const preview = await admin.preview(Users.UsersUpdate, { id: ids.user, password: "Another-passw0rd!" })
    const row = preview.changes.find((c) => c.table === "user")!
    expect(row).toMatchObject({ op: "update", id: ids.user, before: { password: "[redacted]" }, after: { password: "[redacted]" } })
  })

  it("delivers no change notification for a dry run", async () => {
    const received: Array<{ ids: ReadonlyArray<number> }> = []
    watcher.on(Notifications.AlertsChanged, (p) => received.push(p))
    await analyst.preview(Alerts.AlertsUpdate, { ids: [ids.alert], set: { escalated: true } })
    await analyst.call(Alerts.AlertsUpdate, { ids: [ids.linkedAlert], set: { escalated: true } })
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
    // NOTIFYs arrive in commit order: had the dry run's been sent, it would be first.
    expect(received[0]?.ids).toEqual([ids.linkedAlert])
    expect(received.some((p) => p.ids.includes(ids.alert))).toBe(false)
  })
})

/** The database's rows keyed by table and primary key, for comparing a real call with its preview. */
const snapshot = async () => {
  const keys = new Map((await query<{ name: string; columns: Array<string> }>(db.url, `
    select c.relname as name, array_agg(a.attname::text order by k.ord) as columns
    from pg_index i join pg_class c on c.oid = i.indrelid
    cross join unnest(i.indkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
    where i.indisprimary and c.relnamespace = 'public'::regnamespace group by c.relname`)).map((r) => [r.name, r.columns]))
  const rows = new Map<string, Record<string, unknown>>()
  for (const [table, columns] of keys) {
    if (backgroundTables.includes(table as never) && table !== "log_entries") continue
    for (const { row } of await query<{ row: Record<string, unknown> }>(db.url, `select to_jsonb(t) as row from "${table}" t`)) {
      const id = columns.length === 1 ? row[columns[0]!] : Object.fromEntries(columns.map((c) => [c, row[c]]))
      rows.set(`${table} ${JSON.stringify(id)}`, row)
    }
  }
  return rows
}

/** The changes between two snapshots, in the preview's shape. */
const diff = (before: Map<string, Record<string, unknown>>, after: Map<string, Record<string, unknown>>) => {
  const out: Array<{ table: string; op: string; before?: Record<string, unknown>; after?: Record<string, unknown> }> = []
  for (const [key, row] of after) {
    const table = key.split(" ")[0]!
    const old = before.get(key)
    if (!old) out.push({ table, op: "insert", after: row })
    else {
      const changed = Object.keys(row).filter((k) => JSON.stringify(row[k]) !== JSON.stringify(old[k]))
      if (changed.length > 0) {
        out.push({ table, op: "update", before: Object.fromEntries(changed.map((k) => [k, old[k]])), after: Object.fromEntries(changed.map((k) => [k, row[k]])) })
      }
    }
  }
  for (const [key, row] of before) if (!after.has(key)) out.push({ table: key.split(" ")[0]!, op: "delete", before: row })
  return out
}

/** Ids from sequences and clock readings differ between a preview and the real call; the rest must not. */
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/
const normalize = (changes: ReadonlyArray<{ table: string; op: string; before?: Record<string, unknown>; after?: Record<string, unknown> }>) =>
  changes.map((c) => {
    const clean = (row: Record<string, unknown> | undefined, fresh: boolean) => row && Object.fromEntries(Object.entries(row).map(([k, v]) => [
      k,
      (fresh && k === "id") || (typeof v === "string" && TIME.test(v)) ? "*"
        : k === "message" && typeof v === "string" ? v.replace(/\d+/g, "#")
        : k === "password" && v !== null ? "[redacted]" : v
    ]))
    return { table: c.table, op: c.op, before: clean(c.before, false), after: clean(c.after, c.op === "insert") }
  }).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))

describe("a preview matches the real call", () => {
  const compare = async (method: Method, params: Record<string, unknown>) => {
    const preview = await admin.raw(method.method, { ...params, dryRun: true }) as { changes: Array<DryRunChange>; result: unknown }
    const before = await snapshot()
    const result = await admin.raw(method.method, params)
    const real = diff(before, await snapshot())
    expect(normalize(preview.changes)).toEqual(normalize(real))
    return { preview, result }
  }

  it("alerts/update", async () => {
    const { preview, result } = await compare(Alerts.AlertsUpdate, { ids: [ids.alert, ids.linkedAlert], set: { status: "IN_PROGRESS", assignedTo: "ana" } })
    expect(preview.result).toEqual(result)
  })

  it("alerts/tags/add and tags/delete", async () => {
    // An existing tag: a new one would take another id from the sequence than its preview did.
    const tag = await admin.call(Tags.TagsCreate, { tag: "compared" })
    await compare(Alerts.AlertsTagsAdd, { alertIds: [ids.alert, ids.linkedAlert], tag: "compared" })
    await compare(Tags.TagsDelete, { id: tag.id })
  })

  it("cases/create", async () => {
    await compare(Cases.CasesCreate, { name: "compared case", description: "d", customerCode: "ACME", assignedTo: "ana" })
  })

  it("users/delete", async () => {
    const id = await seedUser(db.url, { username: "leaver", role: "analyst" })
    await query(db.url, "insert into user_customer_access (user_id, customer_code, created_at) values ($1, 'ACME', now())", [id])
    const { preview } = await compare(Users.UsersDelete, { id })
    expect(preview.changes.some((c) => c.table === "user_customer_access" && c.op === "delete")).toBe(true)
  })
})

describe("a table without the capture trigger", () => {
  it("makes dry runs unavailable, naming it, until migrations run again (which is audited)", async () => {
    await query(db.url, "create table zz_added_by_hand (id int primary key)")
    try {
      const error = await admin.raw("tags/create", { tag: "later", dryRun: true }).then(() => undefined, (e: unknown) => e as { _tag: string; message: string })
      expect(error?._tag).toBe("Unavailable")
      expect(error!.message).toContain("zz_added_by_hand")
      await admin.raw("migrations/up", {})
      const [trigger] = await query<{ n: number }>(db.url,
        "select count(*)::int as n from pg_trigger where tgrelid = 'zz_added_by_hand'::regclass and tgname = 'sockeye_dry_run_capture'")
      expect(trigger!.n).toBe(1)
      const preview = await admin.preview(Tags.TagsCreate, { tag: "later" })
      expect(preview.changes.some((c) => c.table === "incident_management_alerttag" && c.op === "insert")).toBe(true)
      expect(await auditRows("migrations/up")).toBe(1)
    } finally {
      await query(db.url, "drop table zz_added_by_hand")
    }
  })
})

describe("a preview by a restricted user", () => {
  it("shows changes to the alerts it may see and only counts the others", async () => {
    const seen = await admin.call(Alerts.AlertsCreate, { name: "seen", description: "d", customerCode: "ACME", source: "manual", tags: ["open-tag"] })
    const hidden = await admin.call(Alerts.AlertsCreate, { name: "hidden", description: "d", customerCode: "ACME", source: "manual", tags: ["secret-tag"] })
    const openTag = (await admin.call(Tags.TagsList, {})).find((t) => t.tag === "open-tag")!
    await admin.call(Tags.RbacGrantsSet, { userId: ids.user, tagIds: [openTag.id] })
    await admin.call(Tags.RbacSettingsSet, { enabled: true, untaggedAlertBehavior: "visible_to_all", defaultTagId: null })
    try {
      const kase = await admin.call(Cases.CasesCreate, { name: "mixed", description: "d", customerCode: "ACME", alertIds: [seen.id, hidden.id] })
      const close = { ids: [kase.id], set: { status: "CLOSED" as const } }
      const restricted = await analyst.preview(Cases.CasesUpdate, close)
      const alertRows = (p: typeof restricted) => p.changes.filter((c) => c.table === "incident_management_alert").map((c) => c.id)
      expect(alertRows(restricted)).toEqual([seen.id])
      expect(restricted.hiddenChanges).toBeGreaterThanOrEqual(1)
      expect(JSON.stringify(restricted.changes)).not.toContain("secret-tag")
      const full = await admin.preview(Cases.CasesUpdate, close)
      expect(alertRows(full).sort()).toEqual([seen.id, hidden.id].sort())
      expect(full.hiddenChanges).toBeUndefined()
    } finally {
      await admin.call(Tags.RbacSettingsSet, { enabled: false, untaggedAlertBehavior: "visible_to_all", defaultTagId: null })
    }
  })
})
