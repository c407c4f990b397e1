import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { MAPPING_TABLES, mappingRows, type FieldMapping, type MappingKey, type MappingRow } from "./Mapping.js"

/** Namespace of the advisory locks that serialise replacing one source's mapping. */
const MAPPING_LOCK = 0x6d6170

interface Row {
  readonly source: string
  readonly kind: MappingKey
  readonly fieldName: string
}

/** The incident_management_*fieldname tables, keyed by source. */
export class MappingsRepo extends Effect.Service<MappingsRepo>()("Ingest/MappingsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** Every row of the six tables (of one source, or all), in id order within each table. */
    const rows = (source: string | undefined) => {
      const where = source === undefined ? sql`true` : sql`source = ${source}`
      return sql<Row>`
        select source, kind, field_name from (
          select source, 'fieldName' as kind, field_name, id, 1 as t from incident_management_fieldname where ${where}
          union all select source, 'asset', field_name, id, 2 from incident_management_assetfieldname where ${where}
          union all select source, 'timestamp', field_name, id, 3 from incident_management_timestampfieldname where ${where}
          union all select source, 'title', field_name, id, 4 from incident_management_alerttitlefieldname where ${where}
          union all select source, 'ioc', field_name, id, 5 from incident_management_iocfieldname where ${where}
          union all select source, 'customerCode', field_name, id, 6 from incident_management_customercodefieldname where ${where}
        ) m order by source, t, id`.pipe(Effect.orDie)
    }

    /** The rows of every source, grouped by source. */
    const all = rows(undefined).pipe(Effect.map((list) => {
      const bySource = new Map<string, Array<MappingRow>>()
      for (const r of list) {
        const group = bySource.get(r.source) ?? []
        group.push({ kind: r.kind, fieldName: r.fieldName })
        bySource.set(r.source, group)
      }
      return bySource
    }))

    const ofSource = (source: string) =>
      rows(source).pipe(Effect.map((list) => list.map((r): MappingRow => ({ kind: r.kind, fieldName: r.fieldName }))))

    const sources = sql<{ source: string }>`
      select source from incident_management_fieldname
      union select source from incident_management_assetfieldname
      union select source from incident_management_timestampfieldname
      union select source from incident_management_alerttitlefieldname
      union select source from incident_management_iocfieldname
      union select source from incident_management_customercodefieldname
      order by 1`.pipe(Effect.orDie, Effect.map((list) => list.map((r) => r.source)))

    /** Replaces the source's rows; the caller's transaction makes it all or nothing. */
    const replace = (source: string, mapping: FieldMapping) =>
      Effect.gen(function*() {
        // Two writers of one source would otherwise each delete the old rows and both insert.
        yield* sql`select pg_advisory_xact_lock(${MAPPING_LOCK}, hashtext(${source}))`
        for (const table of Object.values(MAPPING_TABLES)) {
          yield* sql`delete from ${sql(table)} where source = ${source}`
        }
        for (const [kind, table] of Object.entries(MAPPING_TABLES) as Array<[MappingKey, string]>) {
          const names = mappingRows(mapping).filter((r) => r.kind === kind).map((r) => r.fieldName)
          if (names.length === 0) continue
          yield* sql`insert into ${sql(table)} (source, field_name)
            select ${source}, f from json_array_elements_text(${JSON.stringify(names)}::json) with ordinality as t(f, n)
            order by n`
        }
      }).pipe(Effect.orDie)

    return { all, ofSource, sources, replace } as const
  })
}) {}
