import { Schema } from "effect"
import { mutation, query } from "../Method.js"
import { NoParams, Timestamp } from "../model/common.js"

const Source = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(50)).annotations({
  description: "an alert source: the document's syslog_type or integration (e.g. wazuh, office365)"
})
const Field = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1024))

/** How a source's documents become alerts: the incident_management_*fieldname rows of that source. */
export const FieldMapping = Schema.Struct({
  /** Document fields copied into the alert context (incident_management_fieldname). */
  fieldName: Schema.Array(Field).pipe(Schema.maxItems(500)),
  /** Asset name candidates, first present wins (incident_management_assetfieldname). */
  asset: Schema.Array(Field).pipe(Schema.minItems(1), Schema.maxItems(20)),
  /** Event time field (incident_management_timestampfieldname). */
  timestamp: Field,
  /** Alert title field (incident_management_alerttitlefieldname). */
  title: Field,
  /** IoC candidates, first present wins (incident_management_iocfieldname). */
  ioc: Schema.Array(Field).pipe(Schema.maxItems(50)),
  /** Customer code field (incident_management_customercodefieldname). */
  customerCode: Field
}).annotations({ identifier: "FieldMapping" })

export const FieldNamesGet = query({
  method: "ingest/fieldNames/get",
  description: "The field mapping of a source.",
  params: Schema.Struct({ source: Source }),
  result: Schema.Struct({ source: Schema.String, fields: FieldMapping })
})

export const FieldNamesSet = mutation({
  method: "ingest/fieldNames/set",
  description: "Replace the field mapping of a source (admin or analyst).",
  params: Schema.Struct({ source: Source, fields: FieldMapping }),
  result: Schema.Struct({ source: Schema.String, fields: FieldMapping }),
  idempotent: true
})

export const Sources = query({
  method: "ingest/sources",
  description: "Sources with a field mapping.",
  params: NoParams,
  result: Schema.Array(Schema.String)
})

export const IngestCounts = Schema.Struct({
  /** Documents read from the SIEM. */
  documents: Schema.Int,
  /** New alerts made. */
  created: Schema.Int,
  /** Documents merged into an existing OPEN alert with the same customer and title. */
  merged: Schema.Int,
  /** Documents already ingested (exactly once). */
  skipped: Schema.Int,
  /** Documents that failed; recorded and retried later. */
  failed: Schema.Int
}).annotations({ identifier: "IngestCounts" })

export const IngestRun = mutation({
  method: "ingest/run",
  description: "Collect new SIEM documents into alerts now (the same work as the collection job). With a progressToken, reports $/progress: begin, a report per batch, end with the counts.",
  params: Schema.Struct({ source: Schema.optional(Source) }),
  dryRun: { refused: "ingestion reads the SIEM and writes back to it, which a rollback cannot undo; ingest/failures and siem/search show what is pending" },
  result: IngestCounts,
  audience: "adminOrScheduler",
  idempotent: true
})

export const IngestFailures = query({
  method: "ingest/failures",
  description: "Documents that failed to ingest, with their error and next retry.",
  params: Schema.Struct({ limit: Schema.optional(Schema.Int.pipe(Schema.between(1, 500))) }),
  result: Schema.Array(Schema.Struct({
    index: Schema.String,
    id: Schema.String,
    error: Schema.String,
    attempts: Schema.Int,
    nextAttemptAt: Schema.NullOr(Timestamp)
  }))
})
