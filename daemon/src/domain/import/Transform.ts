import { canonicalSent, convert } from "./Convert.js"
import type { TablePlan } from "./Plan.js"

/** What the import knows before it looks at a row: merged ids and the keys rows may point at. */
export interface RowContext {
  /** Per target table, source id -> the id it was merged onto (only ids that moved). */
  readonly merges: ReadonlyMap<string, ReadonlyMap<string, string>>
  /** The keys present in a referenced table (joined with KEY_SEPARATOR for several columns). */
  readonly parentKeys: (refTable: string, refColumns: ReadonlyArray<string>) => ReadonlySet<string>
  /** Keep a row whose reference dangles, with the reference cleared, instead of skipping it. */
  readonly keepOrphans: boolean
}

export const KEY_SEPARATOR = "\u0001"

export type ExceptionKind = "merged" | "orphan" | "orphan-kept" | "duplicate" | "invalid"

export type Outcome =
  | {
    readonly kind: "copy"
    readonly key: string
    readonly values: Record<string, unknown>
    readonly canonical: ReadonlyArray<string | null>
    /** Set when the row is kept with a dangling reference cleared. */
    readonly note?: string
  }
  | { readonly kind: "exception"; readonly key: string; readonly exception: Exclude<ExceptionKind, "orphan-kept" | "duplicate">; readonly detail: string }

/** The source row's primary key, as the text every report and exception uses. */
export const sourceKey = (plan: TablePlan, row: Record<string, unknown>) =>
  JSON.stringify(plan.primaryKey.map((c) => String(row[c])))

/**
 * Decides one source row: converted values (tag ids remapped), or why it is not copied as is.
 * Pure, so the verification pass reaches exactly the decisions the copy made.
 */
export const transformRow = (plan: TablePlan, row: Record<string, unknown>, context: RowContext): Outcome => {
  const key = sourceKey(plan, row)
  const ownMerges = context.merges.get(plan.target)
  if (ownMerges && plan.primaryKey.length === 1) {
    const onto = ownMerges.get(String(row[plan.primaryKey[0]!]))
    if (onto !== undefined) return { kind: "exception", key, exception: "merged", detail: `merged into id ${onto}` }
  }
  const values: Record<string, unknown> = {}
  for (const column of plan.columns) {
    const converted = convert(column.kind, row[column.name])
    if (!converted.ok) return { kind: "exception", key, exception: "invalid", detail: `${column.name}: ${converted.problem}` }
    values[column.name] = converted.value
  }
  for (const fk of plan.foreignKeys) {
    const remap = fk.columns.length === 1 ? context.merges.get(fk.refTable) : undefined
    if (remap) {
      const moved = remap.get(String(values[fk.columns[0]!]))
      if (moved !== undefined) values[fk.columns[0]!] = Number(moved)
    }
  }
  const cleared: Array<string> = []
  for (const fk of plan.foreignKeys) {
    if (fk.columns.some((c) => values[c] === null)) continue
    const parentKey = fk.columns.map((c) => String(values[c])).join(KEY_SEPARATOR)
    if (context.parentKeys(fk.refTable, fk.refColumns).has(parentKey)) continue
    const what = `${fk.columns.join(", ")} = ${parentKey.split(KEY_SEPARATOR).join(", ")} points at no ${fk.refTable} row`
    const notNull = fk.columns.filter((c) => !plan.columns.find((p) => p.name === c)?.nullable)
    if (!context.keepOrphans) return { kind: "exception", key, exception: "orphan", detail: what }
    if (notNull.length > 0) {
      return { kind: "exception", key, exception: "orphan", detail: `${what}; not kept: ${notNull.join(", ")} cannot be NULL` }
    }
    for (const c of fk.columns) values[c] = null
    cleared.push(what)
  }
  for (const column of plan.columns) {
    if (values[column.name] === null && !column.nullable) {
      return { kind: "exception", key, exception: "invalid", detail: `${column.name} is NULL; Sockeye requires a value` }
    }
  }
  return {
    kind: "copy",
    key,
    values,
    canonical: plan.columns.map((c) => canonicalSent(c.kind, values[c.name])),
    ...(cleared.length ? { note: `kept with the reference cleared: ${cleared.join("; ")}` } : {})
  }
}
