import { Schema } from "effect"
import { query, mutation } from "../Method.js"
import { NoParams, Timestamp } from "../model/common.js"
import { Domain, Drift, Relationship, Table } from "../model/Catalog.js"

export const Tables = query({
  method: "schema/tables",
  description: "Every table of the live database with its columns, keys and indexes.",
  params: NoParams,
  result: Schema.Array(Table)
})

export const TableGet = query({
  method: "schema/table",
  description: "One table of the live database.",
  params: Schema.Struct({ name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(63)) }),
  result: Table
})

export const Relationships = query({
  method: "schema/relationships",
  description: "Every foreign key of the live database as an edge.",
  params: NoParams,
  result: Schema.Array(Relationship)
})

export const Domains = query({
  method: "schema/domains",
  description: "The practical domain map: which tables belong to which part of the SOC.",
  params: NoParams,
  result: Schema.Array(Domain)
})

export const DriftGet = query({
  method: "schema/drift",
  description: "Differences between the live database and what the migrations define.",
  params: NoParams,
  result: Drift
})

export const DocumentGet = query({
  method: "schema/document",
  description: "A Markdown inventory of the live schema, in the shape of CoPilot's database-schema.md.",
  params: NoParams,
  result: Schema.Struct({ markdown: Schema.String })
})

export const MigrationsStatus = query({
  method: "migrations/status",
  description: "Applied and pending migrations.",
  params: NoParams,
  result: Schema.Struct({
    applied: Schema.Array(Schema.Struct({ id: Schema.Int, name: Schema.String, appliedAt: Timestamp })),
    pending: Schema.Array(Schema.Struct({ id: Schema.Int, name: Schema.String }))
  })
})

export const MigrationsUp = mutation({
  method: "migrations/up",
  description: "Apply pending migrations (admin).",
  params: NoParams,
  dryRun: { refused: "migrations change the schema, which a dry run cannot preview; migrations/status lists the pending migrations" },
  result: Schema.Struct({ applied: Schema.Array(Schema.Struct({ id: Schema.Int, name: Schema.String })) }),
  audience: "admin",
  idempotent: true
})

/** One difference a plan makes: what, where, and how. */
export const SchemaChange = Schema.Struct({
  table: Schema.String,
  /** The column, index or constraint. */
  name: Schema.String,
  change: Schema.Literal("added", "changed", "dropped"),
  /** For a column its type (added) or `type integer -> bigint` (changed); for an index or key its definition. */
  detail: Schema.String
}).annotations({ identifier: "SchemaChange" })

export const MigrationsPlan = query({
  method: "migrations/plan",
  description:
    "Preview the pending migrations (admin): applies them to the live schema inside a transaction, reads the catalog, "
    + "and rolls back, so the diff is exactly what migrations/up would do and nothing changes. Tables, columns, types, "
    + "keys and indexes added, changed or dropped. A failing migration answers -32009 with PostgreSQL's words and the "
    + "file's line; a lock it cannot get within 5 s answers -32010.",
  params: NoParams,
  result: Schema.Struct({
    /** The migrations the preview applied, in order (the same list as migrations/status). */
    pending: Schema.Array(Schema.Struct({ id: Schema.Int, name: Schema.String })),
    /** New tables, with their columns, keys and indexes. */
    tablesAdded: Schema.Array(Table),
    tablesDropped: Schema.Array(Schema.String),
    /** Columns of tables that exist before and after: added, dropped, or changed (type, nullability, default). */
    columns: Schema.Array(SchemaChange),
    /** Indexes, primary keys and unique constraints of tables that exist before and after. */
    indexes: Schema.Array(SchemaChange),
    foreignKeys: Schema.Array(SchemaChange)
  }),
  audience: "admin"
})

export const MigrationsNew = mutation({
  method: "migrations/new",
  description:
    "Write the next numbered migration file, NNNN_name.sql, with the header every migration carries (admin, and only "
    + "on a daemon started with SOCKEYE_DEV=1; otherwise -32003). Fill it in, preview it with migrations/plan, apply it "
    + "with migrations/up, then check that schema/drift is empty.",
  params: Schema.Struct({
    /** snake_case words, e.g. `sockeye_widgets` or `case_priority`: the file becomes NNNN_<name>.sql. */
    name: Schema.String.pipe(
      Schema.pattern(/^[a-z][a-z0-9_]{0,62}$/, { message: () => "a snake_case name: a-z first, then a-z, 0-9 or _, at most 63 characters" })
    )
  }),
  result: Schema.Struct({
    /** The migration's number. */
    id: Schema.Int,
    /** The file written, absolute. */
    path: Schema.String
  }),
  audience: "admin",
  dryRun: { refused: "it writes a file into the migrations folder, outside PostgreSQL's rollback" }
})
