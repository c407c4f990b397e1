import type { Ingest, Issue } from "@sockeye/protocol"

/** A source's field mapping as the wire carries it (incident_management_*fieldname rows). */
export type FieldMapping = typeof Ingest.FieldMapping.Type

/** The six tables, by the mapping key each one stores. */
export const MAPPING_TABLES = {
  fieldName: "incident_management_fieldname",
  asset: "incident_management_assetfieldname",
  timestamp: "incident_management_timestampfieldname",
  title: "incident_management_alerttitlefieldname",
  ioc: "incident_management_iocfieldname",
  customerCode: "incident_management_customercodefieldname"
} as const
export type MappingKey = keyof typeof MAPPING_TABLES

/** field_name is varchar(100) in every one of them. */
export const MAX_FIELD_NAME = 100

export interface MappingRow {
  readonly kind: MappingKey
  readonly fieldName: string
}

/** The rows that store a mapping, in the order they are read back (by id). */
export const mappingRows = (m: FieldMapping): ReadonlyArray<MappingRow> => [
  ...m.fieldName.map((fieldName) => ({ kind: "fieldName" as const, fieldName })),
  ...m.asset.map((fieldName) => ({ kind: "asset" as const, fieldName })),
  { kind: "timestamp", fieldName: m.timestamp },
  { kind: "title", fieldName: m.title },
  ...m.ioc.map((fieldName) => ({ kind: "ioc" as const, fieldName })),
  { kind: "customerCode", fieldName: m.customerCode }
]

/**
 * A stored mapping, which CoPilot's tables may hold only partly (CoPilot never writes the
 * customer code table; the single-valued ones use their first row).
 */
export type Assembled =
  | { readonly _tag: "complete"; readonly mapping: FieldMapping }
  | { readonly _tag: "incomplete"; readonly missing: ReadonlyArray<string> }

/**
 * Rows (in id order) to a mapping. Absent single fields take CoPilot's effective behaviour: the
 * event time falls back to `timestamp`, and the customer code to agent_labels_customer (the
 * first field it tries anyway). No title or no asset makes the mapping unusable.
 */
export const assemble = (rows: ReadonlyArray<MappingRow>): Assembled => {
  const of = (kind: MappingKey) => rows.filter((r) => r.kind === kind).map((r) => r.fieldName)
  const title = of("title")[0]
  const asset = of("asset")
  const missing = [...(title === undefined ? ["title"] : []), ...(asset.length === 0 ? ["asset"] : [])]
  if (missing.length > 0 || title === undefined) return { _tag: "incomplete", missing }
  return {
    _tag: "complete",
    mapping: {
      fieldName: of("fieldName"),
      asset,
      timestamp: of("timestamp")[0] ?? "timestamp",
      title,
      ioc: of("ioc"),
      customerCode: of("customerCode")[0] ?? "agent_labels_customer"
    }
  }
}

const fieldIssues = (path: ReadonlyArray<string | number>, name: string): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  if (name.length > MAX_FIELD_NAME) issues.push({ path: [...path], message: `at most ${MAX_FIELD_NAME} characters (the field_name column)` })
  if (name.trim() !== name || name.trim() === "") issues.push({ path: [...path], message: "a field name without surrounding spaces" })
  return issues
}

const listIssues = (path: ReadonlyArray<string | number>, names: ReadonlyArray<string>, noCommas: boolean): ReadonlyArray<Issue> => {
  const seen = new Set<string>()
  return names.flatMap((name, i) => {
    const issues = [...fieldIssues([...path, i], name)]
    if (seen.has(name)) issues.push({ path: [...path, i], message: `${name} is listed twice` })
    // Stored asset rows are read as CoPilot's comma lists: one candidate per entry keeps them exact.
    if (noCommas && name.includes(",")) issues.push({ path: [...path, i], message: "one asset field per entry (no commas)" })
    seen.add(name)
    return issues
  })
}

/** What the schema cannot say about a mapping: column widths, duplicates, commas in asset names. */
export const validateMapping = (m: FieldMapping): ReadonlyArray<Issue> => [
  ...listIssues(["fields", "fieldName"], m.fieldName, false),
  ...listIssues(["fields", "asset"], m.asset, true),
  ...fieldIssues(["fields", "timestamp"], m.timestamp),
  ...fieldIssues(["fields", "title"], m.title),
  ...listIssues(["fields", "ioc"], m.ioc, false),
  ...fieldIssues(["fields", "customerCode"], m.customerCode)
]
