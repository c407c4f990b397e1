import { SqlClient } from "@effect/sql"
import { Effect, Stream } from "effect"
import { canonicalSelect, canonicalStored } from "./Convert.js"
import type { TablePlan } from "./Plan.js"
import { KEY_SEPARATOR, type ExceptionKind } from "./Transform.js"

export const q = (name: string) => `"${name.replace(/"/g, '""')}"`

/** Tables the migrations seed (role: CoPilot's fixed ids 1-4); the import overwrites those rows. */
export const SEEDED_BY_MIGRATIONS: ReadonlySet<string> = new Set(["role"])

/**
 * The field mappings migration 0012 seeds with Wazuh defaults. A CoPilot database with its own
 * mappings replaces them (the import clears these tables first); one without keeps the defaults.
 */
export const SEEDED_MAPPINGS: ReadonlyArray<string> = [
  "incident_management_fieldname", "incident_management_assetfieldname", "incident_management_timestampfieldname",
  "incident_management_alerttitlefieldname", "incident_management_iocfieldname", "incident_management_customercodefieldname"
]

export const EXCEPTIONS_TABLE = "sockeye_import_exceptions"

export interface ExceptionRow {
  readonly table: string
  readonly key: string
  readonly kind: ExceptionKind
  readonly detail: string
  readonly row: Record<string, unknown>
}

const keyExpression = (plan: TablePlan, alias = "") =>
  `json_build_array(${plan.primaryKey.map((c) => `${alias}${q(c)}::text`).join(", ")})::text`

/** json_build_array spells `["1", "2"]`; the import's keys are JSON.stringify's `["1","2"]`. */
const normalizeKey = (text: string) => JSON.stringify(JSON.parse(text))

/** Sockeye's PostgreSQL, as the importer writes and reads it. */
export class Target extends Effect.Service<Target>()("Import/Target", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const count = (table: string) =>
      Effect.map(sql.unsafe<{ n: string }>(`select count(*)::text as n from ${q(table)}`), (rows) => Number(rows[0]?.n ?? 0))

    /** The keys of a referenced table, to find rows that point at nothing. */
    const keys = (table: string, columns: ReadonlyArray<string>) =>
      Effect.map(
        sql.unsafe<Record<string, string>>(`select ${columns.map((c, i) => `${q(c)}::text as k${i}`).join(", ")} from ${q(table)}`),
        (rows) => new Set(rows.map((r) => columns.map((_, i) => r[`k${i}`]).join(KEY_SEPARATOR)))
      )

    /**
     * Inserts converted rows; returns the keys it inserted. Rows already there (an earlier,
     * interrupted run) or clashing with a unique index are left out, not failed.
     */
    const insert = (plan: TablePlan, rows: ReadonlyArray<Record<string, unknown>>) => {
      const columns = plan.columns.map((c) => q(c.name)).join(", ")
      const conflict = SEEDED_BY_MIGRATIONS.has(plan.target)
        ? `on conflict (${plan.primaryKey.map(q).join(", ")}) do update set ${plan.columns.filter((c) => !plan.primaryKey.includes(c.name)).map((c) => `${q(c.name)} = excluded.${q(c.name)}`).join(", ")}`
        : "on conflict do nothing"
      return Effect.map(
        sql.unsafe<{ k: string }>(
          `insert into ${q(plan.target)} (${columns}) select ${columns} from json_populate_recordset(null::${q(plan.target)}, $1::json) ${conflict} returning ${keyExpression(plan)} as k`,
          [JSON.stringify(rows)]
        ),
        (inserted) => new Set(inserted.map((r) => normalizeKey(r.k)))
      )
    }

    /** Which of these rows' primary keys the target already holds. */
    const present = (plan: TablePlan, rows: ReadonlyArray<Record<string, unknown>>) =>
      Effect.map(
        sql.unsafe<{ k: string }>(
          `select ${keyExpression(plan, "t.")} as k from ${q(plan.target)} t join json_populate_recordset(null::${q(plan.target)}, $1::json) s using (${plan.primaryKey.map(q).join(", ")})`,
          [JSON.stringify(rows.map((r) => Object.fromEntries(plan.primaryKey.map((c) => [c, r[c]]))))]
        ),
        (found) => new Set(found.map((r) => normalizeKey(r.k)))
      )

    /** The unique indexes a row collides with, for the report. */
    const collisions = (plan: TablePlan, row: Record<string, unknown>) =>
      Effect.forEach(plan.uniques, (unique) =>
        Effect.map(
          sql.unsafe<{ n: string }>(
            `select count(*)::text as n from ${q(plan.target)} t join json_populate_recordset(null::${q(plan.target)}, $1::json) s using (${unique.columns.map(q).join(", ")})`,
            [JSON.stringify([row])]
          ),
          (rows) => Number(rows[0]?.n ?? 0) > 0 ? [`${unique.columns.map((c) => `${c} = ${JSON.stringify(row[c])}`).join(", ")} is taken (${unique.name})`] : []
        )).pipe(Effect.map((found) => found.flat()))

    const recordExceptions = (rows: ReadonlyArray<ExceptionRow>) =>
      rows.length === 0 ? Effect.void : sql.unsafe(
        `insert into ${EXCEPTIONS_TABLE} (table_name, source_key, kind, detail, source_row)
         select table_name, source_key, kind, detail, source_row
         from json_to_recordset($1::json) as x(table_name text, source_key text, kind text, detail text, source_row text)
         on conflict (table_name, source_key) do nothing`,
        [JSON.stringify(rows.map((r) => ({
          table_name: r.table, source_key: r.key, kind: r.kind, detail: r.detail, source_row: JSON.stringify(r.row)
        })))]
      ).pipe(Effect.asVoid)

    /** Rows PostgreSQL itself refused (a unique value taken, a value it cannot hold): only the copy knows them. */
    const refusedKeys = (table: string) =>
      Effect.map(
        sql<{ sourceKey: string }>`select source_key from ${sql(EXCEPTIONS_TABLE)} where table_name = ${table} and kind in ('duplicate', 'invalid')`,
        (rows) => new Set(rows.map((r) => r.sourceKey))
      )

    /** Moves the identity past the largest id, so the next insert does not collide. */
    const resetSequence = (plan: TablePlan) =>
      plan.identity === undefined ? Effect.void : sql.unsafe(
        `select setval(pg_get_serial_sequence($1, $2), coalesce(max(${q(plan.identity)}), 1), max(${q(plan.identity)}) is not null) from ${q(plan.target)}`,
        [q(plan.target), plan.identity]
      ).pipe(Effect.asVoid)

    /** Every row of the copied columns, in canonical text, for the checksum. */
    const canonicalRows = (plan: TablePlan) =>
      sql.unsafe<Record<string, string | null>>(
        `select ${plan.columns.map((c, i) => `${canonicalSelect(c.kind, c.name)} as c${i}`).join(", ")} from ${q(plan.target)}`
      ).stream.pipe(Stream.map((row) => plan.columns.map((c, i) => canonicalStored(c.kind, row[`c${i}`] ?? null))))

    const clear = (tables: ReadonlyArray<string>) =>
      sql.withTransaction(Effect.forEach(tables, (table) => sql.unsafe(`delete from ${q(table)}`), { discard: true }))

    return {
      sql, clear, count, keys, insert, present, collisions, recordExceptions, refusedKeys, resetSequence, canonicalRows
    } as const
  })
}) {}
