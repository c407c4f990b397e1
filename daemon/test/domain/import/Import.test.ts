import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createCopilotDatabase, reference, runtimeReference, type CopilotDatabase } from "../../fixtures/CopilotMysql.js"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { fillCopilot, fillRuntimeTables, type Quirks } from "./copilotData.js"
import { mysqlRows, pgRows, runImport } from "./harness.js"

// Real MariaDB (127.0.0.1:3306) and real PostgreSQL: the built CLI moves the data between them.
const ALERTS = 600

let source: CopilotDatabase
let quirks: Quirks
const targets: Array<Awaited<ReturnType<typeof createTestDatabase>>> = []
const freshTarget = async () => {
  const db = await createTestDatabase("import")
  targets.push(db)
  return db
}

beforeAll(async () => {
  source = await createCopilotDatabase({ runtimeTables: true })
  quirks = await fillCopilot(source.connection, { alerts: ALERTS })
  await fillRuntimeTables(source.connection)
})
afterAll(async () => {
  await source?.drop()
  for (const db of targets) await db.drop()
})

const TAG_FK_COLUMNS: Record<string, string> = {
  incident_management_alert_to_tag: "tag_id",
  user_tag_access: "tag_id",
  role_tag_access: "tag_id",
  incident_management_tag_access_settings: "default_tag_id"
}

/** What the target must hold for one source table: CoPilot's rows, with the documented changes. */
const expectedRows = async (table: string, keepOrphans: boolean) => {
  let rows = await mysqlRows(source.connection, table)
  if (table === "incident_management_alerttag") rows = rows.filter((r) => !quirks.tagMoves.has(r["id"] as number))
  const tagColumn = TAG_FK_COLUMNS[table]
  if (tagColumn) rows = rows.map((r) => ({ ...r, [tagColumn]: quirks.tagMoves.get(r[tagColumn] as number) ?? r[tagColumn] }))
  if (table === "incident_management_alert_to_tag") {
    const seen = new Set<string>()
    rows = rows.filter((r) => !seen.has(`${r["alert_id"]}:${r["tag_id"]}`) && seen.add(`${r["alert_id"]}:${r["tag_id"]}`) !== undefined)
      .sort((a, b) => (a["alert_id"] as number) - (b["alert_id"] as number) || (a["tag_id"] as number) - (b["tag_id"] as number))
  }
  if (table === "incident_management_comment") {
    rows = rows.filter((r) => r["id"] !== quirks.nulCommentId)
    rows = keepOrphans
      ? rows.map((r) => r["id"] === quirks.orphanCommentId ? { ...r, alert_id: null } : r)
      : rows.filter((r) => r["id"] !== quirks.orphanCommentId)
  }
  if (table === "user") rows = rows.filter((r) => r["id"] !== quirks.duplicateUserId)
  if (table === "user_tag_access") rows = rows.filter((r) => r["id"] !== quirks.duplicateUserGrantId)
  return rows
}

/** Every row of every table (the 71 of the seed schema and the runtime twins) as expected. */
const compareEveryRow = async (targetUrl: string, keepOrphans = false) => {
  let compared = 0
  for (const table of Object.keys(reference.tables)) {
    if (/fieldname$/.test(table)) continue // CoPilot's are empty here: Sockeye's Wazuh defaults stay
    const expected = await expectedRows(table, keepOrphans)
    expect(await pgRows(targetUrl, table), table).toEqual(expected)
    compared += expected.length
  }
  for (const table of Object.keys(runtimeReference.tables)) {
    const expected = await mysqlRows(source.connection, table)
    expect(await pgRows(targetUrl, `sockeye_${table}`, table), table).toEqual(expected)
    compared += expected.length
  }
  return compared
}

describe("sockeyed import", () => {
  it("copies every table, merges duplicate tags, skips and records orphans and duplicates, and verifies", async () => {
    const target = await freshTarget()
    const run = await runImport(target.url, ["--from", source.url, "--runtime-tables", "--json", "--batch-size", "97"])
    expect(run.code, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report.ok).toBe(true)
    expect(report.alembicHead).toBe("fb51d610b306")
    expect(report.tagMerges).toEqual([{ from: 3, to: 1 }, { from: 5, to: 2 }, { from: 6, to: 1 }])
    expect(report.runtimeTables).toContainEqual({ table: "sublimealerts", rows: 2, importedInto: "sockeye_sublimealerts" })
    expect(run.stderr).toMatch(/import incident_management_alert \d+\/600/)

    const byTable = Object.fromEntries(report.verification.map((v: { table: string }) => [v.table, v]))
    expect(byTable["incident_management_alert"]).toMatchObject({ sourceRows: ALERTS, imported: ALERTS, merged: 0, skipped: 0, ok: true })
    expect(byTable["incident_management_alerttag"]).toMatchObject({ sourceRows: 6, imported: 3, merged: 3, skipped: 0 })
    expect(byTable["incident_management_comment"]).toMatchObject({ skipped: 2, ok: true })
    expect(byTable["user"]).toMatchObject({ sourceRows: 5, imported: 4, skipped: 1 })
    for (const v of report.verification) expect(v.checksum.source, v.table).toBe(v.checksum.target)

    expect(await compareEveryRow(target.url)).toBeGreaterThan(ALERTS * 4)

    const exceptions = await query(target.url, "select table_name, source_key, kind, detail from sockeye_import_exceptions order by 1, 2")
    expect(exceptions).toEqual([
      { table_name: "incident_management_alerttag", source_key: '["3"]', kind: "merged", detail: "merged into id 1" },
      { table_name: "incident_management_alerttag", source_key: '["5"]', kind: "merged", detail: "merged into id 2" },
      { table_name: "incident_management_alerttag", source_key: '["6"]', kind: "merged", detail: "merged into id 1" },
      { table_name: "incident_management_comment", source_key: `["${quirks.orphanCommentId}"]`, kind: "orphan", detail: `alert_id = ${quirks.deletedAlertId} points at no incident_management_alert row` },
      { table_name: "incident_management_comment", source_key: `["${quirks.nulCommentId}"]`, kind: "invalid", detail: "comment: text with a NUL character, which PostgreSQL cannot hold" },
      { table_name: "user", source_key: '["5"]', kind: "duplicate", detail: 'username = "alice" is taken (ux_user_username)' },
      { table_name: "user_tag_access", source_key: '["4"]', kind: "orphan", detail: "user_id = 5 points at no user row" }
    ])
    // The grants on both "network" ids (1 and 3, and 6) now all name tag 1: nobody lost access.
    expect(await query(target.url, "select user_id, tag_id from user_tag_access order by id")).toEqual([
      { user_id: 2, tag_id: 1 }, { user_id: 2, tag_id: 1 }, { user_id: 3, tag_id: 1 }
    ])
    // Identity sequences moved past the imported ids.
    const [next] = await query(target.url, `insert into incident_management_alert (alert_name, alert_description, status, customer_code, source)
      values ('new', 'new', 'OPEN', 'acme', 'test') returning id`)
    expect(next.id).toBe(ALERTS + 1)
    // The naive 2024-01-01 00:00:37 is that instant in UTC, whatever the session's zone.
    const [first] = await query(target.url, `select to_char(alert_creation_time at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as t from incident_management_alert where id = 1`)
    expect(first).toEqual({ t: "2024-01-01 00:00:37" })
    // Refuses to import into the now non-empty database without --merge, naming what it found.
    const again = await runImport(target.url, ["--from", source.url])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/the target database is not empty: .*incident_management_alert \(\d+ rows\).*pass --merge/)
  })

  it("keeps orphans with the reference cleared when asked", async () => {
    const target = await freshTarget()
    const run = await runImport(target.url, ["--from", source.url, "--runtime-tables", "--keep-orphans", "--json"])
    expect(run.code, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout)
    const comment = report.verification.find((v: { table: string }) => v.table === "incident_management_comment")
    expect(comment).toMatchObject({ skipped: 1, keptOrphans: 1, ok: true })
    await compareEveryRow(target.url, true)
    const kept = await query(target.url, "select kind from sockeye_import_exceptions where table_name = 'incident_management_comment' order by kind")
    expect(kept).toEqual([{ kind: "invalid" }, { kind: "orphan-kept" }])
  })

  it("an import killed mid-table finishes with --merge, no row twice", async () => {
    const target = await freshTarget()
    const killed = await runImport(target.url, ["--from", source.url, "--runtime-tables", "--batch-size", "1"], {
      killWhen: (stderr) => /import incident_management_alert \d+\/600/.test(stderr)
    })
    expect(killed.killed).toBe(true)
    const [partial] = await query(target.url, "select count(*)::int as n from incident_management_alert")
    expect(partial.n).toBeGreaterThan(0)
    expect(partial.n).toBeLessThan(ALERTS)

    const resumed = await runImport(target.url, ["--from", source.url, "--runtime-tables", "--merge", "--json"])
    expect(resumed.code, resumed.stderr).toBe(0)
    const report = JSON.parse(resumed.stdout)
    expect(report.ok).toBe(true)
    const alerts = report.copied.find((c: { table: string }) => c.table === "incident_management_alert")
    expect(alerts.alreadyPresent).toBe(partial.n)
    expect(alerts.inserted).toBe(ALERTS - partial.n)
    await compareEveryRow(target.url)
  })

  it("refuses a database at another Alembic head, naming it", async () => {
    const old = await createCopilotDatabase({ head: "72635705c067" })
    try {
      const target = await freshTarget()
      const run = await runImport(target.url, ["--from", old.url])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("alembic_version is 72635705c067; the import reads CoPilot at head fb51d610b306 only")
      expect((await query(target.url, "select count(*)::int as n from incident_management_alert"))[0].n).toBe(0)
    } finally {
      await old.drop()
    }
  })

  it("refuses a URL it cannot use, with the password hidden", async () => {
    const target = await freshTarget()
    const run = await runImport(target.url, ["--from", "mysql://root:secret@127.0.0.1:1/copilot"])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/copilot/)
    expect(run.stderr).not.toContain("secret")
  })
})
