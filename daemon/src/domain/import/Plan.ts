import type { Catalog } from "@sockeye/protocol"
import { kindOf, type Kind } from "./Convert.js"
import type { SourceColumn } from "./Source.js"

type Table = typeof Catalog.Table.Type

export interface PlannedColumn {
  readonly name: string
  readonly kind: Kind
  readonly nullable: boolean
  /** The MySQL column type it comes from. */
  readonly sourceType: string
}

export interface ForeignKey {
  readonly columns: ReadonlyArray<string>
  readonly refTable: string
  readonly refColumns: ReadonlyArray<string>
}

/** How one source table lands in one target table. */
export interface TablePlan {
  readonly source: string
  readonly target: string
  /** Columns both sides have, in the target's order: what is copied and checksummed. */
  readonly columns: ReadonlyArray<PlannedColumn>
  /** Source columns the target lacks: reported, never silently dropped. */
  readonly sourceOnly: ReadonlyArray<string>
  readonly primaryKey: ReadonlyArray<string>
  readonly foreignKeys: ReadonlyArray<ForeignKey>
  /** The identity column whose sequence moves past the imported ids. */
  readonly identity: string | undefined
  /** Unique indexes other than the primary key (CoPilot has none of them). */
  readonly uniques: ReadonlyArray<{ readonly name: string; readonly columns: ReadonlyArray<string> }>
}

export const planTable = (
  source: string,
  target: Table,
  sourceColumns: ReadonlyArray<SourceColumn>
): TablePlan => {
  const bySource = new Map(sourceColumns.map((c) => [c.name, c]))
  const targetNames = new Set(target.columns.map((c) => c.name))
  return {
    source,
    target: target.name,
    columns: target.columns.filter((c) => bySource.has(c.name)).map((c) => ({
      name: c.name, kind: kindOf(c.type), nullable: c.nullable, sourceType: bySource.get(c.name)!.columnType
    })),
    sourceOnly: sourceColumns.filter((c) => !targetNames.has(c.name)).map((c) => c.name),
    primaryKey: target.primaryKey,
    foreignKeys: target.foreignKeys.map((k) => ({ columns: k.columns, refTable: k.refTable, refColumns: k.refColumns })),
    identity: target.columns.find((c) => c.default?.includes("identity") || c.default?.startsWith("nextval("))?.name,
    uniques: target.indexes.filter((i) => i.unique && !i.primary && !i.columns.includes("(expression)"))
      .map((i) => ({ name: i.name, columns: i.columns }))
  }
}

/**
 * Parents before children, so every foreign key can be checked against rows already copied.
 * A cycle (none exists in CoPilot's schema) is reported rather than guessed through.
 */
export const foreignKeyOrder = (plans: ReadonlyArray<TablePlan>): ReadonlyArray<TablePlan> => {
  const byTarget = new Map(plans.map((p) => [p.target, p]))
  const ordered: Array<TablePlan> = []
  const state = new Map<string, "visiting" | "done">()
  const visit = (plan: TablePlan, path: ReadonlyArray<string>) => {
    const seen = state.get(plan.target)
    if (seen === "done") return
    if (seen === "visiting") throw new Error(`foreign keys form a cycle: ${[...path, plan.target].join(" -> ")}`)
    state.set(plan.target, "visiting")
    for (const fk of plan.foreignKeys) {
      const parent = byTarget.get(fk.refTable)
      if (parent && parent !== plan) visit(parent, [...path, plan.target])
    }
    state.set(plan.target, "done")
    ordered.push(plan)
  }
  for (const plan of [...plans].sort((a, b) => a.target.localeCompare(b.target))) visit(plan, [])
  return ordered
}
