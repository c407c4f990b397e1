import { Chunk, Effect, Stream } from "effect"
import type { TablePlan } from "./Plan.js"
import { Source } from "./Source.js"
import { Target, type ExceptionRow } from "./Target.js"
import { transformRow, KEY_SEPARATOR, type ExceptionKind, type RowContext } from "./Transform.js"

export interface CopyOptions {
  readonly batchSize: number
  readonly keepOrphans: boolean
  readonly merges: RowContext["merges"]
  readonly onProgress: (table: string, done: number, total: number) => void
}

/** What one run did to one table (a re-run after an interruption adds to an earlier one's work). */
export interface CopyResult {
  readonly read: number
  readonly inserted: number
  /** Rows whose key the target already held: an earlier run copied them. */
  readonly alreadyPresent: number
  readonly exceptions: Partial<Record<ExceptionKind, number>>
}

/** The keys of every table a plan's foreign keys point at, read once the parents are copied. */
export const loadParentKeys = (plan: TablePlan) =>
  Effect.gen(function*() {
    const target = yield* Target
    const sets = new Map<string, ReadonlySet<string>>()
    for (const fk of plan.foreignKeys) {
      const id = `${fk.refTable}(${fk.refColumns.join(KEY_SEPARATOR)})`
      if (!sets.has(id)) sets.set(id, yield* target.keys(fk.refTable, fk.refColumns))
    }
    return (refTable: string, refColumns: ReadonlyArray<string>) => sets.get(`${refTable}(${refColumns.join(KEY_SEPARATOR)})`)!
  })

const pgMessage = (error: unknown) =>
  ((error as { cause?: { message?: string } }).cause?.message) ?? (error as { message?: string }).message ?? String(error)

/**
 * Copies one table in batches, each in its own transaction together with the exceptions it
 * records, so an interrupted import leaves whole batches and a re-run finds them.
 */
export const copyTable = (plan: TablePlan, options: CopyOptions) =>
  Effect.gen(function*() {
    const source = yield* Source
    const target = yield* Target
    const total = yield* source.count(plan.source)
    const context: RowContext = { merges: options.merges, parentKeys: yield* loadParentKeys(plan), keepOrphans: options.keepOrphans }
    const result = { read: 0, inserted: 0, alreadyPresent: 0, exceptions: {} as Partial<Record<ExceptionKind, number>> }
    const note = (kind: ExceptionKind) => { result.exceptions[kind] = (result.exceptions[kind] ?? 0) + 1 }

    // The row's key in the target: a tag merge can change it (alert_to_tag's tag_id).
    const targetKey = (values: Record<string, unknown>) => JSON.stringify(plan.primaryKey.map((c) => String(values[c])))
    const insertBatch = (rows: ReadonlyArray<{ readonly key: string; readonly values: Record<string, unknown>; readonly raw: Record<string, unknown> }>) =>
      Effect.gen(function*() {
        const exceptions: Array<ExceptionRow> = []
        const whole = yield* target.sql.withTransaction(target.insert(plan, rows.map((r) => r.values))).pipe(Effect.either)
        let inserted: ReadonlySet<string>
        if (whole._tag === "Right") inserted = whole.right
        else {
          // One bad value fails the statement: find it row by row, each behind a savepoint.
          const one = new Set<string>()
          for (const row of rows) {
            const attempt = yield* target.sql.withTransaction(target.insert(plan, [row.values])).pipe(Effect.either)
            if (attempt._tag === "Right") attempt.right.forEach((k) => one.add(k))
            else exceptions.push({ table: plan.target, key: row.key, kind: "invalid", detail: pgMessage(attempt.left), row: row.raw })
          }
          inserted = one
        }
        const invalid = new Set(exceptions.map((e) => e.key))
        const left = rows.filter((r) => !inserted.has(targetKey(r.values)) && !invalid.has(r.key))
        const there = left.length ? yield* target.present(plan, left.map((r) => r.values)) : new Set<string>()
        for (const row of left) {
          if (there.has(targetKey(row.values))) continue
          const taken = yield* target.collisions(plan, row.values)
          exceptions.push({ table: plan.target, key: row.key, kind: "duplicate", detail: taken.join("; ") || "clashes with a unique index", row: row.raw })
        }
        return { inserted: inserted.size, alreadyPresent: left.length - exceptions.filter((e) => e.kind === "duplicate").length, exceptions }
      })

    yield* source.rows(plan.source, plan.primaryKey).pipe(
      Stream.grouped(options.batchSize),
      Stream.runForEach((chunk) => Effect.zipRight(target.sql.withTransaction(Effect.gen(function*() {
        const copies: Array<{ key: string; values: Record<string, unknown>; raw: Record<string, unknown> }> = []
        const exceptions: Array<ExceptionRow> = []
        for (const raw of Chunk.toReadonlyArray(chunk)) {
          const outcome = transformRow(plan, raw, context)
          if (outcome.kind === "copy") {
            copies.push({ key: outcome.key, values: outcome.values, raw })
            if (outcome.note) exceptions.push({ table: plan.target, key: outcome.key, kind: "orphan-kept", detail: outcome.note, row: raw })
          } else {
            exceptions.push({ table: plan.target, key: outcome.key, kind: outcome.exception, detail: outcome.detail, row: raw })
          }
        }
        const written = copies.length ? yield* insertBatch(copies) : { inserted: 0, alreadyPresent: 0, exceptions: [] }
        const all = [...exceptions, ...written.exceptions]
        yield* target.recordExceptions(all)
        result.read += chunk.length
        result.inserted += written.inserted
        result.alreadyPresent += written.alreadyPresent
        all.forEach((e) => note(e.kind))
      })), Effect.sync(() => options.onProgress(plan.target, result.read, total))))
    )
    yield* target.resetSequence(plan)
    return result satisfies CopyResult
  })
