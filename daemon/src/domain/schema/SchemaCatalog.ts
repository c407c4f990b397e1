import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { NotFound, type Catalog } from "@sockeye/protocol"
import * as fs from "node:fs"
import * as Migrations from "../../db/Migrations.js"
import { DaemonConfig } from "../../DaemonConfig.js"
import { snapshot } from "./CatalogRepo.js"
import { domainsOf } from "./domains.js"
import { diffSchemas } from "./Drift.js"
import { renderDocument } from "./Document.js"
import { rolledBack } from "./Rollback.js"

type Table = typeof Catalog.Table.Type

/** The live schema, read from pg_catalog, and what the migrations define, for engineers and agents. */
export class SchemaCatalog extends Effect.Service<SchemaCatalog>()("Schema/SchemaCatalog", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const context = yield* Effect.context<SqlClient.SqlClient | DaemonConfig>()
    const live = snapshot("public")

    const table = Effect.fn("SchemaCatalog.table")(function*(name: string) {
      const found = (yield* live).find((t) => t.name === name)
      if (!found) return yield* new NotFound({ message: `table ${name} not found` })
      return found
    })

    const relationships = Effect.map(live, (tables) =>
      tables.flatMap((t) => t.foreignKeys.map((fk) => ({
        fromTable: t.name, fromColumns: fk.columns, toTable: fk.refTable, toColumns: fk.refColumns, constraint: fk.name
      }))))

    const domains = Effect.map(live, (tables) =>
      domainsOf(tables.map((t) => t.name)).map((d) => ({ name: d.name, description: d.description, tables: d.tables })))

    /**
     * What the migrations define, exactly: every file applied to an empty scratch schema inside
     * a transaction that always rolls back (PostgreSQL's DDL is transactional).
     */
    const expected = Effect.gen(function*() {
      const files = yield* Migrations.listFiles(yield* Migrations.migrationsDir).pipe(Effect.orDie)
      const scratch = `sockeye_scratch_${process.pid}_${Date.now()}`
      return yield* rolledBack(Effect.gen(function*() {
        yield* sql.unsafe(`create schema ${scratch}`)
        yield* sql.unsafe(`set local search_path to ${scratch}`)
        for (const file of files) yield* Migrations.applyFile(file)
        return yield* snapshot(scratch)
      })).pipe(Effect.orDie)
    })

    const drift = Effect.fn("SchemaCatalog.drift")(function*() {
      const [want, have] = yield* Effect.all([expected, live])
      return diffSchemas(want, have.filter((t) => t.name !== Migrations.MIGRATIONS_TABLE))
    })

    const document = Effect.fn("SchemaCatalog.document")(function*() {
      const tables = yield* live
      const files = yield* Migrations.listFiles(yield* Migrations.migrationsDir).pipe(Effect.orDie)
      // The ledger is the one table the migrator itself creates, not a migration.
      const origin = new Map<string, string>([[Migrations.MIGRATIONS_TABLE, "daemon/src/db/Migrations.ts"]])
      for (const file of files) {
        for (const match of fs.readFileSync(file.file, "utf8").matchAll(/create\s+table\s+(?:if\s+not\s+exists\s+)?"?(\w+)"?/gi)) {
          if (!origin.has(match[1]!)) origin.set(match[1]!, `migrations/${file.file.split("/").pop()}`)
        }
      }
      return { markdown: renderDocument(tables, origin) }
    })

    return {
      tables: Effect.provide(live, context),
      table: (name: string) => Effect.provide(table(name), context),
      relationships: Effect.provide(relationships, context),
      domains: Effect.provide(domains, context),
      drift: () => Effect.provide(drift(), context),
      document: () => Effect.provide(document(), context)
    } as const
  })
}) {}
