import { Schema } from "effect"

export const Column = Schema.Struct({
  name: Schema.String,
  /** PostgreSQL's name for the type, e.g. `character varying(255)`. */
  type: Schema.String,
  nullable: Schema.Boolean,
  /** The server-side default expression, if any. */
  default: Schema.NullOr(Schema.String)
}).annotations({ identifier: "Column" })

export const ForeignKey = Schema.Struct({
  name: Schema.String,
  columns: Schema.Array(Schema.String),
  refTable: Schema.String,
  refColumns: Schema.Array(Schema.String),
  onDelete: Schema.String
}).annotations({ identifier: "ForeignKey" })

export const Index = Schema.Struct({
  name: Schema.String,
  columns: Schema.Array(Schema.String),
  unique: Schema.Boolean,
  primary: Schema.Boolean,
  /** The index definition as `pg_get_indexdef` prints it, without schema names. */
  definition: Schema.String
}).annotations({ identifier: "Index" })

export const Table = Schema.Struct({
  name: Schema.String,
  /** The practical domain the table belongs to (seed/database-schema.md's map). */
  domain: Schema.String,
  columns: Schema.Array(Column),
  primaryKey: Schema.Array(Schema.String),
  foreignKeys: Schema.Array(ForeignKey),
  indexes: Schema.Array(Index)
}).annotations({ identifier: "Table" })
export type Table = typeof Table.Type

export const Relationship = Schema.Struct({
  fromTable: Schema.String,
  fromColumns: Schema.Array(Schema.String),
  toTable: Schema.String,
  toColumns: Schema.Array(Schema.String),
  constraint: Schema.String
}).annotations({ identifier: "Relationship" })

export const Domain = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  tables: Schema.Array(Schema.String)
}).annotations({ identifier: "Domain" })

export const ColumnProblem = Schema.Struct({
  table: Schema.String,
  column: Schema.String,
  /** What differs: missing, extra, type, nullable, default. */
  problem: Schema.String
})

export const Drift = Schema.Struct({
  /** Tables the migrations define that the live database lacks. */
  missingTables: Schema.Array(Schema.String),
  /** Tables in the live database that no migration defines. */
  extraTables: Schema.Array(Schema.String),
  columns: Schema.Array(ColumnProblem),
  /** Indexes and constraints that differ: `{table, name, problem}`. */
  indexes: Schema.Array(Schema.Struct({ table: Schema.String, name: Schema.String, problem: Schema.String })),
  foreignKeys: Schema.Array(Schema.Struct({ table: Schema.String, name: Schema.String, problem: Schema.String }))
}).annotations({ identifier: "Drift" })
