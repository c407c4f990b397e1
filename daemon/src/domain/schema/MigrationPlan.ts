import type { Catalog, SchemaMethods } from "@sockeye/protocol"
import { diffSchemas } from "./Drift.js"

type Table = typeof Catalog.Table.Type
type Change = typeof SchemaMethods.SchemaChange.Type

/**
 * The schema diff of a plan, in the words of a change (added, changed, dropped), from the
 * drift differ run with "after the migrations" as the definition and "before" as the live side.
 */
export const planDiff = (before: ReadonlyArray<Table>, after: ReadonlyArray<Table>) => {
  const drift = diffSchemas(after, before)
  const afterByName = new Map(after.map((t) => [t.name, t]))
  const beforeByName = new Map(before.map((t) => [t.name, t]))
  const named = (items: ReadonlyArray<{ table: string; name: string; problem: string }>): Array<Change> =>
    items.map(({ table, name, problem }) => describe(table, name, problem))
  return {
    tablesAdded: drift.missingTables.map((name) => afterByName.get(name)!),
    tablesDropped: [...drift.extraTables],
    columns: drift.columns.map(({ table, column, problem }) =>
      problem === "missing"
        ? { table, name: column, change: "added" as const, detail: columnDetail(afterByName.get(table)!, column) }
        : problem.startsWith("extra")
        ? { table, name: column, change: "dropped" as const, detail: columnDetail(beforeByName.get(table)!, column) }
        : describe(table, column, problem)),
    indexes: named(drift.indexes),
    foreignKeys: named(drift.foreignKeys)
  }
}

const columnDetail = (table: Table, name: string) => {
  const column = table.columns.find((c) => c.name === name)!
  return `${column.type}${column.nullable ? "" : " not null"}${column.default === null ? "" : ` default ${column.default}`}`
}

/** Drift's "missing: X" / "extra: X" / "A is X, migrations define Y" as a change. */
const describe = (table: string, name: string, problem: string): Change => {
  if (problem.startsWith("missing: ")) return { table, name, change: "added", detail: problem.slice("missing: ".length) }
  if (problem.startsWith("extra: ")) return { table, name, change: "dropped", detail: problem.slice("extra: ".length) }
  return { table, name, change: "changed", detail: problem.replace(/^(\w+ )?is /, "$1").replace(/^(nullable|NOT NULL), migrations define/, "$1 ->").replace(", migrations define ", " -> ") }
}
