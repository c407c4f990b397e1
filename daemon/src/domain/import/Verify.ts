import { Effect, Stream } from "effect"
import { Checksum } from "./Checksum.js"
import { loadParentKeys } from "./Copy.js"
import type { TablePlan } from "./Plan.js"
import { Source } from "./Source.js"
import { Target } from "./Target.js"
import { transformRow, type RowContext } from "./Transform.js"

/** One table of the verification report. */
export interface TableVerification {
  readonly table: string
  readonly source: string
  /** Rows in the source table. */
  readonly sourceRows: number
  /** Rows in the target table. */
  readonly imported: number
  /** Source rows folded onto another row: a merged tag id, or a link that the merge made a duplicate. */
  readonly merged: number
  /** Source rows not copied: orphans, duplicates of a unique value, values PostgreSQL cannot hold. */
  readonly skipped: number
  /** Rows copied with a dangling reference cleared (--keep-orphans). */
  readonly keptOrphans: number
  /** sourceRows = imported + merged + skipped, and the checksums agree. */
  readonly ok: boolean
  readonly checksum: { readonly source: string; readonly target: string; readonly match: boolean }
}

/**
 * Replays the copy's decisions over the source, independently of what any run recorded, and
 * compares the rows that should be there with the rows that are, column by copied column.
 */
export const verifyTable = (plan: TablePlan, options: { readonly keepOrphans: boolean; readonly merges: RowContext["merges"] }) =>
  Effect.gen(function*() {
    const source = yield* Source
    const target = yield* Target
    const context: RowContext = { merges: options.merges, parentKeys: yield* loadParentKeys(plan), keepOrphans: options.keepOrphans }
    const refused = yield* target.refusedKeys(plan.target)
    // A merge can make two link rows one (alert 7 tagged with ids 3 and 9, both now 3).
    const remapsKey = plan.foreignKeys.some((fk) => options.merges.has(fk.refTable) && fk.columns.some((c) => plan.primaryKey.includes(c)))
    const seen = new Set<string>()
    const expected = new Checksum()
    let sourceRows = 0
    let merged = 0
    let skipped = 0
    let keptOrphans = 0
    yield* source.rows(plan.source, plan.primaryKey).pipe(Stream.runForEach((row) => Effect.sync(() => {
      sourceRows++
      const outcome = transformRow(plan, row, context)
      if (outcome.kind === "exception") {
        if (outcome.exception === "merged") merged++
        else skipped++
        return
      }
      if (refused.has(outcome.key)) return void skipped++
      if (remapsKey) {
        const key = JSON.stringify(plan.primaryKey.map((c) => String(outcome.values[c])))
        if (seen.has(key)) return void merged++
        seen.add(key)
      }
      if (outcome.note) keptOrphans++
      expected.add(outcome.canonical)
    })))
    const actual = new Checksum()
    yield* target.canonicalRows(plan).pipe(Stream.runForEach((row) => Effect.sync(() => actual.add(row))))
    const match = expected.hex === actual.hex && expected.count === actual.count
    return {
      table: plan.target,
      source: plan.source,
      sourceRows,
      imported: actual.count,
      merged,
      skipped,
      keptOrphans,
      ok: match && sourceRows === actual.count + merged + skipped,
      checksum: { source: expected.hex, target: actual.hex, match }
    } satisfies TableVerification
  })
