import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Forbidden, NotFound, type ParamsOf, type Siem as Methods } from "@sockeye/protocol"
import { SiemIndex } from "../../connectors/siem/SiemIndex.js"
import { alertVisible } from "../Access.js"
import { CurrentPrincipal } from "../Principal.js"
import { toRpcError } from "./siemErrors.js"

const DEFAULT_SIZE = 50
const MAX_SIZE = 500

/** Raw SIEM documents belong to every customer: only staff (and the daemon itself) may read them freely. */
const requireStaff = (method: string) =>
  Effect.flatMap(CurrentPrincipal, (principal) =>
    principal.system || principal.user.role === "admin" || principal.user.role === "analyst"
      ? Effect.void
      : Effect.fail(new Forbidden({ message: `${method} is not allowed for role ${principal.user.role}` })))

/**
 * siem/get, siem/search and alerts/event over the daemon's SiemIndex (OpenSearch, the local
 * index or none), with SiemError turned into wire errors: -32010 names an unconfigured or
 * unreachable SIEM. alerts/event reaches one document only, through an alert the caller may see.
 */
export class SiemService extends Effect.Service<SiemService>()("SiemService/SiemService", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const siem = yield* SiemIndex

    const get = Effect.fn("SiemService.get")(function*(params: ParamsOf<typeof Methods.SiemGet>) {
      yield* requireStaff("siem/get")
      yield* Effect.annotateCurrentSpan({ index: params.index, id: params.id })
      return yield* siem.get(params.index, params.id).pipe(Effect.mapError(toRpcError))
    })

    const search = Effect.fn("SiemService.search")(function*(params: ParamsOf<typeof Methods.SiemSearch>) {
      yield* requireStaff("siem/search")
      const result = yield* siem.search({
        indexPattern: params.indexPattern,
        size: Math.min(params.size ?? DEFAULT_SIZE, MAX_SIZE),
        ...(params.query !== undefined ? { query: params.query } : {}),
        ...(params.from ? { from: params.from } : {}),
        ...(params.to ? { to: params.to } : {}),
        ...(params.sort ? { sort: params.sort } : {})
      }).pipe(Effect.mapError(toRpcError))
      return { total: result.total, hits: result.hits.map(({ index, id, source }) => ({ index, id, source })) }
    })

    const event = Effect.fn("SiemService.event")(function*(params: ParamsOf<typeof Methods.AlertsEvent>) {
      const principal = yield* CurrentPrincipal
      yield* Effect.annotateCurrentSpan({ alertId: params.alertId })
      // One statement: the alert must be visible, and the asset must be its own.
      const rows = yield* sql<{ assetId: number | null; indexName: string | null; indexId: string | null }>`
        select s.id as asset_id, s.index_name, s.index_id
        from incident_management_alert a
        left join incident_management_asset s on s.alert_linked = a.id
          ${params.assetId === undefined ? sql`` : sql`and s.id = ${params.assetId}`}
        where a.id = ${params.alertId} and ${alertVisible(sql, principal, "a")}
        order by s.id nulls last
        limit 1`.pipe(Effect.orDie)
      const row = rows[0]
      if (!row) return yield* new NotFound({ message: `alert ${params.alertId} not found` })
      if (row.assetId === null || row.indexName === null || row.indexId === null) {
        return yield* new NotFound({
          message: params.assetId === undefined
            ? `alert ${params.alertId} has no asset`
            : `asset ${params.assetId} of alert ${params.alertId} not found`
        })
      }
      // Alerts made from Graylog threshold webhooks have no document behind them (copilot-facts §f.11).
      if (row.indexName === "not_applicable") {
        return yield* new NotFound({ message: `alert ${params.alertId} has no SIEM document (its asset names index not_applicable)` })
      }
      return yield* siem.get(row.indexName, row.indexId).pipe(Effect.mapError(toRpcError))
    })

    return { get, search, event } as const
  })
}) {}
