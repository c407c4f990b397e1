import { Context, Data, type Effect } from "effect"

/**
 * Why a SIEM call failed. "unconfigured" and "unreachable" become -32010 on the wire with a
 * message that says which; "not-found" becomes -32004; "rejected" is the index refusing the
 * request (a bad query): -32602.
 */
export class SiemError extends Data.TaggedError("SiemError")<{
  readonly reason: "unconfigured" | "unreachable" | "not-found" | "rejected"
  readonly message: string
  readonly cause?: unknown
}> {}

export interface SiemDoc {
  readonly index: string
  readonly id: string
  readonly source: Record<string, unknown>
}

export interface PartialUpdate {
  readonly index: string
  readonly id: string
  readonly partial: Record<string, unknown>
}

export interface SearchRequest {
  /** An index name or pattern with `*` wildcards, e.g. `wazuh-alerts-*`, `gl-events*`. */
  readonly indexPattern: string
  /** Lucene query-string syntax (the subset each layer documents); none means all documents. */
  readonly query?: string
  /** Exact-value filters on fields (dotted paths), AND-ed: `{"fields.COPILOT_ALERT_ID": "NONE"}`. */
  readonly terms?: Readonly<Record<string, string | number | boolean>>
  /** Time range on `timeField` (default `timestamp`): from inclusive, to exclusive. */
  readonly from?: Date
  readonly to?: Date
  readonly timeField?: string
  /** Keyset continuation for ingestion: documents strictly after this (sort value, id) pair. */
  readonly after?: { readonly sortValue: string | number; readonly id: string }
  readonly size: number
  /** Default: `timeField` descending; the document id breaks ties in the same direction. */
  readonly sort?: { readonly field: string; readonly direction: "asc" | "desc" }
  /**
   * Default true: `total` counts every match (ignoring `after`). False skips that count, which
   * costs a second pass on the local index; `total` is then the number of hits returned.
   */
  readonly trackTotalHits?: boolean
}

export interface SearchResult {
  readonly total: number
  readonly hits: ReadonlyArray<SiemDoc & { readonly sortValue?: string | number }>
}

/**
 * The SIEM document store the daemon reads alerts from: the Wazuh indexer (OpenSearch) or a
 * local index kept in PostgreSQL for the embedded default and the demo. Both layers implement
 * the same subset; the OpenSearch one is the reference for its semantics.
 */
export interface SiemIndexService {
  readonly kind: "opensearch" | "local" | "none"
  /** A human-readable target for messages, e.g. `https://indexer:9200` or `local index`. */
  readonly describe: string
  readonly get: (index: string, id: string) => Effect.Effect<SiemDoc, SiemError>
  readonly search: (request: SearchRequest) => Effect.Effect<SearchResult, SiemError>
  /** Partial update of a document's source (write-back of alert ids), as OpenSearch `_update` with `doc`. */
  readonly update: (index: string, id: string, partial: Record<string, unknown>) => Effect.Effect<void, SiemError>
  /**
   * Partial updates of many documents in one request, as `_bulk` with `update` actions (the
   * write-back of a batch's alert ids): only the named fields travel and change. Every update
   * whose document exists is applied; then, if some did not exist, fails "not-found" naming
   * them. Not atomic, as `_bulk` is not; the last of two updates of one document wins.
   */
  readonly updateMany: (updates: ReadonlyArray<PartialUpdate>) => Effect.Effect<void, SiemError>
  /** Adds or replaces documents (the demo and tests fill the local index this way). */
  readonly index: (docs: ReadonlyArray<SiemDoc>) => Effect.Effect<void, SiemError>
  /** OpenSearch admin calls the maintenance jobs make; the local layer answers "unconfigured". */
  readonly admin: {
    readonly createSnapshot: (repository: string, snapshot: string, indices: ReadonlyArray<string>) => Effect.Effect<unknown, SiemError>
    readonly getSettings: (indexPattern: string) => Effect.Effect<Record<string, unknown>, SiemError>
    readonly putSettings: (index: string, settings: Record<string, unknown>) => Effect.Effect<void, SiemError>
  }
}

export class SiemIndex extends Context.Tag("Connectors/SiemIndex")<SiemIndex, SiemIndexService>() {}
