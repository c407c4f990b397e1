import { Schema } from "effect"

/**
 * Every mutating method takes two optional params besides its own: `dryRun`, which previews the
 * change without making it, and `onBehalfOf`, the audit note naming whom an agent acts for.
 */

/** Who a mutation is done for, in the caller's words ("alice via Claude Code", "ticket SOC-42"). */
export const OnBehalfOf = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(256)).annotations({
  identifier: "OnBehalfOf",
  description: "a short note recorded with the audit entry of the mutation: whom the caller acts for (1-256 characters)"
})

export const mutationOptionFields = {
  /**
   * Preview only: run the method in a transaction that is always rolled back and answer a
   * DryRun preview of the rows it would insert, update and delete.
   */
  dryRun: Schema.optional(Schema.Boolean.annotations({
    description: "true: change nothing; answer {dryRun: true, changes, result}, the rows this call would insert, update or delete"
  })),
  /** Recorded in the audit entry (log_entries) with the client's name; overrides initialize's onBehalfOf. */
  onBehalfOf: Schema.optional(OnBehalfOf)
}

/** A primary key: one column's value, or an object of the columns of a composite key. */
export const RowId = Schema.Union(
  Schema.Number,
  Schema.String,
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  Schema.Null
).annotations({ identifier: "RowId", description: "the row's primary key: the value of a one-column key, an object for a composite key, null for a table without one" })

const Row = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "RowValues",
  description: "column name (as in the database) to value (as PostgreSQL renders it in JSON)"
})

/** One row a dry run would change, with its values before and after. */
export const DryRunChange = Schema.Struct({
  /** The table, as named in the database. */
  table: Schema.String,
  id: RowId,
  op: Schema.Literal("insert", "update", "delete"),
  /** Delete: the whole row. Update: the old values of the columns that change. Absent for inserts. */
  before: Schema.optional(Row),
  /** Insert: the whole row. Update: the new values of the columns that change. Absent for deletes. */
  after: Schema.optional(Row)
}).annotations({ identifier: "DryRunChange" })
export type DryRunChange = typeof DryRunChange.Type

/** The answer of a mutation called with `dryRun: true`. */
export const dryRunPreview = <R, RI>(result: Schema.Schema<R, RI>) =>
  Schema.Struct({
    dryRun: Schema.Literal(true),
    /** Every row the call would insert, update or delete, in the order it would touch them, the audit entry included. */
    changes: Schema.Array(DryRunChange),
    /**
     * How many changes touch alerts or cases the caller may not see (closing a case closes all its
     * alerts): counted, not shown. Absent when there are none.
     */
    hiddenChanges: Schema.optional(Schema.Int.pipe(Schema.positive())),
    /** What the method would have answered. */
    result
  })

export interface DryRunPreview<R = unknown> {
  readonly dryRun: true
  readonly changes: ReadonlyArray<DryRunChange>
  readonly hiddenChanges?: number
  readonly result: R
}
