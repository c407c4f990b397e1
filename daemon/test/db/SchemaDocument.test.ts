import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connect, type DaemonClient } from "@sockeye/client"
import { SchemaMethods } from "@sockeye/protocol"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { createTestDatabase } from "../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../fixtures/Daemon.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const seed = fs.readFileSync(path.resolve(repoRoot, "../shared/seed/database-schema.md"), "utf8")

interface Row {
  readonly table: string
  readonly primaryKey: ReadonlyArray<string>
  readonly notes: string
  readonly foreignKeys: ReadonlyArray<string>
  readonly definedIn: string
}
interface Section { readonly title: string; readonly rows: ReadonlyArray<Row> }

const identifiers = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)

/** `id` | composite: (`a`, `b`) | none, as the key's columns in order. */
const parsePrimaryKey = (cell: string) => {
  if (/^none$/i.test(cell)) return []
  const inner = /^composite:\s*\((.*)\)$/i.exec(cell)?.[1] ?? cell
  const names = identifiers(inner)
  return names.length > 0 ? names : inner.split(",").map((s) => s.trim())
}

/** `a -> t.b`, `c -> u.d` | None, as a set of "a -> t.b" whatever the quoting and spacing. */
const parseForeignKeys = (cell: string) => {
  if (/^none$/i.test(cell)) return []
  const items = cell.includes("`") ? identifiers(cell) : cell.split(/,\s*(?=\w+\s*->)/)
  return items.map((item) => item.replace(/\s*->\s*/, " -> ").replace(/\s*,\s*/g, ", ").trim()).sort()
}

/** The "## Table Inventory ..." part of a document: its ### sections and their table rows. */
const parseInventory = (markdown: string): Array<Section> => {
  const lines = markdown.split("\n")
  const start = lines.findIndex((l) => /^## Table Inventory\b/.test(l))
  if (start < 0) throw new Error("no '## Table Inventory' heading")
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l))
  const sections: Array<{ title: string; rows: Array<Row> }> = []
  for (const line of lines.slice(start + 1, end < 0 ? undefined : end)) {
    const heading = /^### (.+)$/.exec(line)
    if (heading) sections.push({ title: heading[1]!.trim(), rows: [] })
    if (!line.startsWith("|") || /^\|\s*-/.test(line) || /^\|\s*Table\s*\|/.test(line)) continue
    const cells = line.split("|").slice(1, -1).map((c) => c.trim())
    if (cells.length !== 5) throw new Error(`a row of ${cells.length} cells: ${line}`)
    sections.at(-1)!.rows.push({
      table: cells[0]!.replace(/`/g, ""),
      primaryKey: parsePrimaryKey(cells[1]!),
      notes: cells[2]!,
      foreignKeys: parseForeignKeys(cells[3]!),
      definedIn: cells[4]!
    })
  }
  return sections
}

let db: Awaited<ReturnType<typeof createTestDatabase>>
let daemon: RunningDaemon
let client: DaemonClient
let generated: string

beforeAll(async () => {
  db = await createTestDatabase("document")
  daemon = await startDaemon({ databaseUrl: db.url })
  client = await connect({ kind: "socket", path: daemon.socketPath! }, {
    clientInfo: { name: "document-test" }, credentials: { username: "admin", password: ADMIN_PASSWORD }
  })
  generated = (await client.call(SchemaMethods.DocumentGet, {})).markdown
})
afterAll(async () => {
  await client?.close()
  await daemon?.stop()
  await db?.drop()
})

describe("the parser", () => {
  it("reads the seed's inventory: six sections, 71 tables", () => {
    const sections = parseInventory(seed)
    expect(sections.map((s) => s.rows.length)).toEqual([13, 5, 3, 24, 22, 4])
    const link = sections.flatMap((s) => s.rows).find((r) => r.table === "incident_management_casealertlink")!
    expect(link.primaryKey).toEqual(["case_id", "alert_id"])
    expect(link.foreignKeys).toEqual(["alert_id -> incident_management_alert.id", "case_id -> incident_management_case.id"])
  })

  it("normalises formatting, not content", () => {
    expect(parseForeignKeys("a->t.b,  c  ->  u.d")).toEqual(parseForeignKeys("`c -> u.d`, `a -> t.b`"))
    expect(parseForeignKeys("`a -> t.b`")).not.toEqual(parseForeignKeys("`a -> t.c`"))
    expect(parsePrimaryKey("composite: (`b`, `a`)")).not.toEqual(parsePrimaryKey("composite: (`a`, `b`)"))
  })
})

describe("schema/document reproduces the seed's Table Inventory", () => {
  const seedSections = () => parseInventory(seed)
  const liveSections = () => parseInventory(generated)
  const rowsOf = (sections: ReadonlyArray<Section>) => new Map(sections.flatMap((s) => s.rows.map((r) => [r.table, r] as const)))

  it("the same sections, in order, with the same tables in the same order", () => {
    const live = liveSections()
    expect(live.slice(0, seedSections().length).map((s) => [s.title, s.rows.map((r) => r.table)]))
      .toEqual(seedSections().map((s) => [s.title, s.rows.map((r) => r.table)]))
    // Anything beyond them is Sockeye's own tables.
    for (const extra of live.slice(seedSections().length)) {
      expect(extra.title).toBe("Sockeye")
      for (const row of extra.rows) expect(row.table).toMatch(/^sockeye_/)
    }
    expect(live.flatMap((s) => s.rows.map((r) => r.table)).filter((t) => t.startsWith("sockeye_"))).toContain("sockeye_migrations")
  })

  it("the same primary key per table", () => {
    const live = rowsOf(liveSections())
    for (const row of rowsOf(seedSections()).values()) expect(live.get(row.table)?.primaryKey, row.table).toEqual(row.primaryKey)
  })

  it("the same foreign keys per table", () => {
    const live = rowsOf(liveSections())
    for (const row of rowsOf(seedSections()).values()) expect(live.get(row.table)?.foreignKeys, row.table).toEqual(row.foreignKeys)
  })

  it("the seed's important-columns cell, verbatim", () => {
    const live = rowsOf(liveSections())
    for (const row of rowsOf(seedSections()).values()) expect(live.get(row.table)?.notes, row.table).toBe(row.notes)
  })

  it("the last column names the migration that defines each table", () => {
    const files = fs.readdirSync(path.join(repoRoot, "migrations"))
    const { sockeye_migrations: ledger, ...rest } = Object.fromEntries(rowsOf(liveSections()))
    expect(ledger?.definedIn).toBe("`daemon/src/db/Migrations.ts`")
    for (const row of Object.values(rest)) {
      const file = /^`migrations\/(.+)`$/.exec(row.definedIn)?.[1]
      expect(files, `${row.table}: ${row.definedIn}`).toContain(file)
      const text = fs.readFileSync(path.join(repoRoot, "migrations", file!), "utf8")
      expect(text, row.table).toMatch(new RegExp(`create\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?"?${row.table}"?\\s*\\(`, "i"))
    }
    expect(generated).toMatch(/\| Table \| PK \| Important columns \| Foreign keys \| Defined in \|/)
  })
})
