import { SqlClient } from "@effect/sql"
import { Data, Effect } from "effect"
import { Unavailable, type DryRunChange, type DryRunPreview } from "@sockeye/protocol"
import { alertVisible, caseVisible } from "../domain/Access.js"
import type { Principal } from "../domain/Principal.js"

/**
 * Dry runs: the method runs for real inside a transaction that is always rolled back, so the
 * preview is exact (constraints, RBAC checks, cascades all run, and a refused write is refused
 * with the same error). The rows come from the capture trigger of 0018_sockeye_dry_run.sql,
 * which is active only while this transaction sets `sockeye.dry_run`. NOTIFY from a rolled-back
 * transaction is never delivered, and nested withTransaction calls are savepoints inside ours.
 */

type Row = Record<string, unknown>

interface Captured {
  readonly tableName: string
  readonly op: "insert" | "update" | "delete"
  readonly before: Row | null
  readonly after: Row | null
}

/** Carries the preview out of the transaction: failing is what makes withTransaction roll back. */
class RolledBack extends Data.TaggedError("DryRunRolledBack")<{
  readonly result: unknown
  readonly changes: ReadonlyArray<DryRunChange>
  readonly hidden: number
}> {}

/** Secrets stay out of previews even though the caller could write them: hashes, keys, passwords. */
const SECRET_COLUMN = /password|passwd|secret|token_hash|api_key|apikey|private_key/i
const redact = (row: Row): Row =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v !== null && SECRET_COLUMN.test(k) ? "[redacted]" : v]))

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

const idOf = (row: Row, key: ReadonlyArray<string> | undefined): DryRunChange["id"] => {
  if (!key || key.length === 0) return null
  if (key.length === 1) return (row[key[0]!] ?? null) as DryRunChange["id"]
  return Object.fromEntries(key.map((k) => [k, row[k]]))
}

/**
 * Folds the captured row images into one change per row: the first image's before, the last
 * image's after. A row inserted and deleted again, or updated back to its values, is no change;
 * an update lists only the columns that differ.
 */
export const collapse = (captured: ReadonlyArray<Captured>, keys: ReadonlyMap<string, ReadonlyArray<string>>): Array<DryRunChange> => {
  const rows = new Map<string, { table: string; id: DryRunChange["id"]; before: Row | null; after: Row | null }>()
  captured.forEach((c, i) => {
    const image = (c.before ?? c.after)!
    const id = idOf(image, keys.get(c.tableName))
    const key = id === null ? `${c.tableName}\u0000#${i}` : `${c.tableName}\u0000${JSON.stringify(id)}`
    const found = rows.get(key)
    if (found) found.after = c.after
    else rows.set(key, { table: c.tableName, id, before: c.before, after: c.after })
  })
  const changes: Array<DryRunChange> = []
  for (const { table, id, before, after } of rows.values()) {
    if (before === null && after !== null) changes.push({ table, id, op: "insert", after: redact(after) })
    else if (before !== null && after === null) changes.push({ table, id, op: "delete", before: redact(before) })
    else if (before !== null && after !== null) {
      const columns = Object.keys(after).filter((k) => !same(before[k], after[k]))
      if (columns.length === 0) continue
      changes.push({
        table, id, op: "update",
        before: redact(Object.fromEntries(columns.map((k) => [k, before[k]]))),
        after: redact(Object.fromEntries(columns.map((k) => [k, after[k]])))
      })
    }
  }
  return changes
}

/** The alert or case a changed row belongs to, by CoPilot's column names. */
const ALERT_TABLE = "incident_management_alert"
const CASE_TABLE = "incident_management_case"
const ownerIds = (change: DryRunChange, table: string, columns: ReadonlyArray<string>): Array<number> => {
  const rows = [change.before, change.after].filter((r): r is Record<string, unknown> => r !== undefined)
  const values = change.table === table ? [change.id] : rows.flatMap((r) => columns.map((c) => r[c]))
  return values.filter((v): v is number => typeof v === "number")
}
const alertsOf = (c: DryRunChange) => ownerIds(c, ALERT_TABLE, ["alert_id", "alert_linked"])
const casesOf = (c: DryRunChange) => ownerIds(c, CASE_TABLE, ["case_id"])

/**
 * A write may reach rows its caller cannot see (closing a case closes all its alerts, hidden ones
 * too). The preview shows only changes to alerts and cases the caller may see, and counts the
 * rest, so a dry run reveals no more than the real call's answer. Admins see everything.
 */
const visibleOnly = (sql: SqlClient.SqlClient, principal: Principal, changes: ReadonlyArray<DryRunChange>) =>
  Effect.gen(function*() {
    if (principal.system || principal.user.role === "admin") return { shown: changes, hidden: 0 }
    const alertIds = [...new Set(changes.flatMap(alertsOf))]
    const caseIds = [...new Set(changes.flatMap(casesOf))]
    const alerts = alertIds.length === 0 ? [] : yield* sql<{ id: number }>`
      select a.id from incident_management_alert a where a.id = any(${alertIds}::int[]) and ${alertVisible(sql, principal, "a")}`
    const cases = caseIds.length === 0 ? [] : yield* sql<{ id: number }>`
      select c.id from incident_management_case c where c.id = any(${caseIds}::int[]) and ${caseVisible(sql, principal, "c")}`
    const seenAlerts = new Set(alerts.map((r) => r.id))
    const seenCases = new Set(cases.map((r) => r.id))
    const shown = changes.filter((c) => alertsOf(c).every((id) => seenAlerts.has(id)) && casesOf(c).every((id) => seenCases.has(id)))
    return { shown, hidden: changes.length - shown.length }
  })

export const dryRun = <A, E, R>(
  sql: SqlClient.SqlClient,
  principal: Principal,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<DryRunPreview<A>, E | Unavailable, R> =>
  sql.withTransaction(Effect.gen(function*() {
    const uncovered = yield* sql<{ name: string }>`
      select c.relname as name from pg_class c
      where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
        and not exists (select 1 from pg_trigger g where g.tgrelid = c.oid and g.tgname = 'sockeye_dry_run_capture')
      order by 1 limit 20`
    if (uncovered.length > 0) {
      return yield* new Unavailable({
        message: `dry runs are unavailable: table ${uncovered.map((t) => t.name).join(", ")} has no capture trigger; ` +
          "the daemon attaches it when it runs migrations (0018_sockeye_dry_run.sql)"
      })
    }
    yield* sql`create temporary table sockeye_dry_run_changes (
      seq bigint generated always as identity, table_name text not null, op text not null, before jsonb, after jsonb
    ) on commit drop`
    yield* sql`select set_config('sockeye.dry_run', 'on', true)`
    const result = yield* effect
    const captured = yield* sql<Captured>`select table_name, op, before, after from sockeye_dry_run_changes order by seq`
    const tables = [...new Set(captured.map((c) => c.tableName))]
    const keyRows = tables.length === 0 ? [] : yield* sql<{ tableName: string; columns: Array<string> }>`
      select c.relname as table_name, array_agg(a.attname::text order by k.ord) as columns
      from pg_index i
      join pg_class c on c.oid = i.indrelid
      cross join unnest(i.indkey) with ordinality as k(attnum, ord)
      join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
      where i.indisprimary and c.relnamespace = current_schema()::regnamespace and c.relname = any(${tables}::text[])
      group by c.relname`
    const { shown, hidden } = yield* visibleOnly(sql, principal, collapse(captured, new Map(keyRows.map((k) => [k.tableName, k.columns]))))
    return yield* new RolledBack({ result, changes: shown, hidden })
  })).pipe(
    Effect.catchTag("SqlError", (error) => Effect.die(error)),
    Effect.catchIf((e): e is RolledBack => e instanceof RolledBack,
      (done) => Effect.succeed({
        dryRun: true as const,
        changes: done.changes,
        ...(done.hidden > 0 ? { hiddenChanges: done.hidden } : {}),
        result: done.result as A
      }))
  ) as Effect.Effect<DryRunPreview<A>, E | Unavailable, R>
