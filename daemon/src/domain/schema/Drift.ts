import type { Catalog } from "@sockeye/protocol"

type Table = typeof Catalog.Table.Type
type Drift = typeof Catalog.Drift.Type

const byName = <A extends { readonly name: string }>(items: ReadonlyArray<A>) => new Map(items.map((i) => [i.name, i]))

/** Compares what the migrations define (`want`) with the live schema (`have`). */
export const diffSchemas = (want: ReadonlyArray<Table>, have: ReadonlyArray<Table>): Drift => {
  const wantTables = byName(want)
  const haveTables = byName(have)
  const columns: Array<Drift["columns"][number]> = []
  const indexes: Array<Drift["indexes"][number]> = []
  const foreignKeys: Array<Drift["foreignKeys"][number]> = []
  for (const expected of want) {
    const actual = haveTables.get(expected.name)
    if (!actual) continue
    const actualColumns = byName(actual.columns)
    for (const column of expected.columns) {
      const found = actualColumns.get(column.name)
      if (!found) columns.push({ table: expected.name, column: column.name, problem: "missing" })
      else {
        if (found.type !== column.type) {
          columns.push({ table: expected.name, column: column.name, problem: `type is ${found.type}, migrations define ${column.type}` })
        }
        if (found.nullable !== column.nullable) {
          columns.push({ table: expected.name, column: column.name, problem: found.nullable ? "nullable, migrations define NOT NULL" : "NOT NULL, migrations define nullable" })
        }
        if (found.default !== column.default) {
          columns.push({ table: expected.name, column: column.name, problem: `default is ${found.default ?? "none"}, migrations define ${column.default ?? "none"}` })
        }
      }
    }
    const expectedColumns = byName(expected.columns)
    for (const column of actual.columns) {
      if (!expectedColumns.has(column.name)) columns.push({ table: expected.name, column: column.name, problem: "extra: no migration defines it" })
    }
    compareNamed(expected.name, expected.indexes, actual.indexes, (i) => i.definition, indexes)
    compareNamed(expected.name, expected.foreignKeys, actual.foreignKeys,
      (k) => `(${k.columns.join(", ")}) -> ${k.refTable}(${k.refColumns.join(", ")}) on delete ${k.onDelete}`, foreignKeys)
  }
  return {
    missingTables: want.filter((t) => !haveTables.has(t.name)).map((t) => t.name),
    extraTables: have.filter((t) => !wantTables.has(t.name)).map((t) => t.name),
    columns,
    indexes,
    foreignKeys
  }
}

const compareNamed = <A extends { readonly name: string }>(
  table: string,
  want: ReadonlyArray<A>,
  have: ReadonlyArray<A>,
  describe: (a: A) => string,
  out: Array<{ table: string; name: string; problem: string }>
) => {
  const haveByName = byName(have)
  const wantByName = byName(want)
  for (const item of want) {
    const found = haveByName.get(item.name)
    if (!found) out.push({ table, name: item.name, problem: `missing: ${describe(item)}` })
    else if (describe(found) !== describe(item)) out.push({ table, name: item.name, problem: `is ${describe(found)}, migrations define ${describe(item)}` })
  }
  for (const item of have) {
    if (!wantByName.has(item.name)) out.push({ table, name: item.name, problem: `extra: ${describe(item)}` })
  }
}
