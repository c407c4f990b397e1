import { Effect, Layer } from "effect"
import { MIGRATIONS_TABLE } from "../../db/Migrations.js"
import { snapshot } from "../schema/CatalogRepo.js"
import { copyTable, type CopyResult } from "./Copy.js"
import { foreignKeyOrder, planTable, type TablePlan } from "./Plan.js"
import type { ImportReport } from "./Report.js"
import * as SourceDb from "./Source.js"
import { COPILOT_HEAD, ImportRefused, RUNTIME_TABLES, Source } from "./Source.js"
import { tagMerges, TAG_TABLE } from "./TagMerge.js"
import { SEEDED_BY_MIGRATIONS, SEEDED_MAPPINGS, Target } from "./Target.js"
import { verifyTable } from "./Verify.js"

export interface ImportOptions {
  readonly from: string
  /** Import into a target that already holds rows (finishing an interrupted import). */
  readonly merge: boolean
  /** Keep rows whose reference points at nothing, with the reference cleared. */
  readonly keepOrphans: boolean
  /** Copy CoPilot's runtime-only tables into their sockeye_ twins. */
  readonly runtimeTables: boolean
  readonly batchSize: number
  readonly onProgress: (table: string, done: number, total: number) => void
}

const SOCKEYE_PREFIX = "sockeye_"

/** Source and target services: the MySQL client stays inside Source, PostgreSQL's SqlClient serves Target. */
export const layer = (from: string) =>
  Layer.merge(Source.Default.pipe(Layer.provide(SourceDb.layer(from))), Target.Default)

/**
 * `sockeyed import`: CoPilot's MySQL database, at Alembic head fb51d610b306, into Sockeye's
 * migrated PostgreSQL: every table in foreign-key order, then a verification of every row.
 */
export const runImport = (options: ImportOptions) =>
  Effect.gen(function*() {
    const started = Date.now()
    const source = yield* Source
    const target = yield* Target

    const heads = yield* source.alembicHead
    if (heads === undefined) {
      return yield* new ImportRefused({ message: `${SourceDb.redact(options.from)} has no alembic_version table: not a CoPilot database` })
    }
    if (heads.length !== 1 || heads[0] !== COPILOT_HEAD) {
      return yield* new ImportRefused({
        message: `alembic_version is ${heads.length ? heads.join(", ") : "empty"}; the import reads CoPilot at head ${COPILOT_HEAD} only (run CoPilot's 'alembic upgrade head' first)`
      })
    }

    const sourceTables = yield* source.tables
    const targetTables = (yield* snapshot("public")).filter((t) => t.name !== MIGRATIONS_TABLE)
    const byName = new Map(targetTables.map((t) => [t.name, t]))
    const copilotTables = targetTables.filter((t) => !t.name.startsWith(SOCKEYE_PREFIX))
    const runtimePresent = RUNTIME_TABLES.filter((t) => sourceTables.has(t))

    const sourceMappings = yield* Effect.forEach(SEEDED_MAPPINGS.filter((t) => sourceTables.has(t)), source.count)
    const keepDefaultMappings = sourceMappings.every((n) => n === 0)
    // Rows the migrations seed stay when the source has none to put in their place.
    const keptDefaults = keepDefaultMappings ? [...SEEDED_MAPPINGS] : []
    for (const table of SEEDED_BY_MIGRATIONS) {
      if (!sourceTables.has(table) || (yield* source.count(table)) === 0) keptDefaults.push(table)
    }
    const plans: Array<TablePlan> = []
    for (const table of copilotTables) {
      if (keptDefaults.includes(table.name)) continue
      if (sourceTables.has(table.name)) plans.push(planTable(table.name, table, yield* source.columns(table.name)))
    }
    if (options.runtimeTables) {
      for (const name of runtimePresent) {
        const twin = byName.get(`${SOCKEYE_PREFIX}${name}`)
        if (twin) plans.push(planTable(name, twin, yield* source.columns(name)))
      }
    }
    const ordered = yield* Effect.try({
      try: () => foreignKeyOrder(plans),
      catch: (error) => new ImportRefused({ message: (error as Error).message })
    })

    if (!options.merge) {
      const occupied: Array<string> = []
      for (const plan of ordered) {
        if (SEEDED_BY_MIGRATIONS.has(plan.target) || SEEDED_MAPPINGS.includes(plan.target)) continue
        const n = yield* target.count(plan.target)
        if (n > 0) occupied.push(`${plan.target} (${n} rows)`)
      }
      if (occupied.length) {
        return yield* new ImportRefused({
          message: `the target database is not empty: ${occupied.slice(0, 8).join(", ")}${occupied.length > 8 ? `, and ${occupied.length - 8} more tables` : ""}; import into a fresh database, or pass --merge to finish an earlier import`
        })
      }
    }

    // Before any copy, so a run resumed with --merge finds the defaults gone too.
    if (!options.merge && !keepDefaultMappings) yield* target.clear(SEEDED_MAPPINGS)
    const copyStarted = Date.now()
    const tagMoves = yield* tagMerges
    const merges = new Map([[TAG_TABLE, tagMoves]])
    const copied: Array<{ table: string } & CopyResult> = []
    for (const plan of ordered) {
      const result = yield* copyTable(plan, { batchSize: options.batchSize, keepOrphans: options.keepOrphans, merges, onProgress: options.onProgress })
      copied.push({ table: plan.target, ...result })
    }
    const copiedAt = Date.now()
    const verification = yield* Effect.forEach(ordered, (plan) => verifyTable(plan, { keepOrphans: options.keepOrphans, merges }))
    const runtimeTables = yield* Effect.forEach(runtimePresent, (name) =>
      Effect.map(source.count(name), (rows) => ({
        table: name, rows, importedInto: options.runtimeTables && byName.has(`${SOCKEYE_PREFIX}${name}`) ? `${SOCKEYE_PREFIX}${name}` : null
      })))
    const known = new Set<string>([...copilotTables.map((t) => t.name), ...RUNTIME_TABLES, "alembic_version"])
    return {
      source: SourceDb.redact(options.from),
      alembicHead: COPILOT_HEAD,
      merge: options.merge,
      keepOrphans: options.keepOrphans,
      keptDefaults,
      tagMerges: [...tagMoves].map(([from, to]) => ({ from: Number(from), to: Number(to) })),
      runtimeTables,
      unknownSourceTables: [...sourceTables].filter((t) => !known.has(t)).sort(),
      missingSourceTables: copilotTables.filter((t) => !sourceTables.has(t.name)).map((t) => t.name),
      droppedColumns: ordered.flatMap((p) => p.sourceOnly.map((column) => ({ table: p.source, column }))),
      copied,
      verification,
      ok: verification.every((v) => v.ok),
      seconds: (Date.now() - started) / 1000,
      copySeconds: (copiedAt - copyStarted) / 1000,
      verifySeconds: (Date.now() - copiedAt) / 1000
    } satisfies ImportReport
  })
