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
