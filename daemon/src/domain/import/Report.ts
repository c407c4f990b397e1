import type { CopyResult } from "./Copy.js"
import type { TableVerification } from "./Verify.js"

/** Everything `sockeyed import` did, for people (renderReport) and programs (--json). */
export interface ImportReport {
  readonly source: string
  readonly alembicHead: string
  readonly merge: boolean
  readonly keepOrphans: boolean
  /**
   * Tables whose rows the migrations seed (roles, the Wazuh field mappings) and the source
   * leaves empty: Sockeye's rows stay, and the tables are not copied or verified.
   */
  readonly keptDefaults: ReadonlyArray<string>
  /** Tag names that had several ids in CoPilot, merged onto the lowest. */
  readonly tagMerges: ReadonlyArray<{ readonly from: number; readonly to: number }>
  /** CoPilot's runtime-only tables found in the source, with their rows and where they went. */
  readonly runtimeTables: ReadonlyArray<{ readonly table: string; readonly rows: number; readonly importedInto: string | null }>
  /** Source tables the import does not know (not CoPilot's at this head): left alone. */
  readonly unknownSourceTables: ReadonlyArray<string>
  /** Target tables the source lacks. */
  readonly missingSourceTables: ReadonlyArray<string>
  /** Source columns no target column takes. */
  readonly droppedColumns: ReadonlyArray<{ readonly table: string; readonly column: string }>
  readonly copied: ReadonlyArray<{ readonly table: string } & CopyResult>
  readonly verification: ReadonlyArray<TableVerification>
  /** Every table accounted for and every checksum equal. */
  readonly ok: boolean
  readonly seconds: number
  /** Of which the copy (all tables, sequences reset)… */
  readonly copySeconds: number
  /** …and the verification. */
  readonly verifySeconds: number
}

const pad = (text: string | number, width: number) => String(text).padStart(width)

export const renderReport = (report: ImportReport): string => {
  const lines: Array<string> = []
  lines.push(`Imported ${report.source} (alembic ${report.alembicHead}) in ${report.seconds.toFixed(1)} s${report.merge ? ", --merge" : ""}${report.keepOrphans ? ", --keep-orphans" : ""}`)
  if (report.keptDefaults.length) lines.push(`Kept Sockeye's seeded rows (the source has none): ${report.keptDefaults.join(", ")}`)
  if (report.tagMerges.length) {
    lines.push(`Tag ids merged (duplicate names): ${report.tagMerges.map((m) => `${m.from}->${m.to}`).join(", ")}`)
  }
  for (const r of report.runtimeTables) {
    lines.push(`Runtime-only table ${r.table}: ${r.rows} rows, ${r.importedInto ? `imported into ${r.importedInto}` : "not imported (add --runtime-tables)"}`)
  }
  if (report.unknownSourceTables.length) lines.push(`Source tables not imported (unknown to CoPilot's head): ${report.unknownSourceTables.join(", ")}`)
  if (report.missingSourceTables.length) lines.push(`Target tables missing in the source: ${report.missingSourceTables.join(", ")}`)
  for (const d of report.droppedColumns) lines.push(`Source column ${d.table}.${d.column} has no target column: not copied`)
  lines.push("")
  const width = Math.max(5, ...report.verification.map((v) => v.table.length))
  lines.push(`${"table".padEnd(width)} ${pad("source", 9)} ${pad("imported", 9)} ${pad("merged", 7)} ${pad("skipped", 8)} ${pad("kept", 5)}  checksum`)
  for (const v of report.verification) {
    const state = v.checksum.match ? `= ${v.checksum.source}` : `MISMATCH source ${v.checksum.source} target ${v.checksum.target}`
    lines.push(`${v.table.padEnd(width)} ${pad(v.sourceRows, 9)} ${pad(v.imported, 9)} ${pad(v.merged, 7)} ${pad(v.skipped, 8)} ${pad(v.keptOrphans, 5)}  ${state}${v.ok || !v.checksum.match ? "" : "  (counts do not add up)"}`)
  }
  const skipped = report.verification.reduce((n, v) => n + v.skipped, 0)
  lines.push("")
  lines.push(report.ok ? "Verified: every source row is imported, merged or skipped, and every checksum matches." : "NOT verified: see the MISMATCH lines above.")
  if (skipped > 0) lines.push(`${skipped} skipped rows, with the reason and the row as read, are in sockeye_import_exceptions.`)
  return `${lines.join("\n")}\n`
}
