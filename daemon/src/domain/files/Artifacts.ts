import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import { NotFound, type Files as Api, type ParamsOf } from "@sockeye/protocol"
import { BlobStore } from "../../connectors/blobs/BlobStore.js"
import { customerVisible } from "../Access.js"
import { CurrentPrincipal, type Principal } from "../Principal.js"
import { requireStore } from "./blobErrors.js"
import { downloadChunk } from "./Download.js"

type Kind = ParamsOf<typeof Api.ArtifactsList>["kind"]

interface ArtifactRow {
  readonly id: number
  readonly fileName: string
  readonly customerCode: string | null
  readonly agentId: string | null
  readonly artifactName: string | null
  readonly flowId: string | null
  readonly reportName: string | null
  readonly fileSize: number
  readonly fileHash: string
  readonly status: string
  readonly createdAt: Date
  readonly bucketName: string
  readonly objectKey: string
}

const DEFAULT_LIMIT = 100
const labels: Record<Kind, string> = { agent: "agent artifact", vulnerability: "vulnerability report", sca: "SCA report" }

/**
 * Read-only access to what CoPilot's other processes store: Velociraptor collections
 * (agent_datastore, seen through the agent's customer), vulnerability and SCA reports (through
 * their customer). Sockeye never writes these rows or objects.
 */
export class Artifacts extends Effect.Service<Artifacts>()("Files/Artifacts", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const store = yield* BlobStore

    const visible = (principal: Principal, column: string) =>
      principal.system ? sql`true` : customerVisible(sql, principal.user.id, sql.literal(column))

    const select = (principal: Principal, kind: Kind, where: Fragment, limit: number) => {
      if (kind === "agent") {
        return sql<ArtifactRow>`
          select d.id, d.file_name, ag.customer_code, d.agent_id, d.artifact_name, d.flow_id, null as report_name,
                 d.file_size, d.file_hash, d.status, d.collection_time as created_at, d.bucket_name, d.object_key
          from agent_datastore d join agents ag on ag.agent_id = d.agent_id
          where ${visible(principal, "ag.customer_code")} and ${where}
          order by d.collection_time desc, d.id desc limit ${limit}`.pipe(Effect.orDie)
      }
      const table = sql(kind === "vulnerability" ? "vulnerability_reports" : "sca_reports")
      return sql<ArtifactRow>`
        select d.id, d.file_name, d.customer_code, null as agent_id, null as artifact_name, null as flow_id, d.report_name,
               d.file_size, d.file_hash, d.status, d.generated_at as created_at, d.bucket_name, d.object_key
        from ${table} d
        where ${visible(principal, "d.customer_code")} and ${where}
        order by d.generated_at desc, d.id desc limit ${limit}`.pipe(Effect.orDie)
    }

    const toWire = (kind: Kind) => (r: ArtifactRow) => ({
      id: r.id, kind, fileName: r.fileName, customerCode: r.customerCode, size: r.fileSize, sha256: r.fileHash,
      status: r.status, createdAt: r.createdAt,
      ...(r.agentId === null ? {} : { agentId: r.agentId }),
      ...(r.artifactName === null ? {} : { artifactName: r.artifactName }),
      ...(r.flowId === null ? {} : { flowId: r.flowId }),
      ...(r.reportName === null ? {} : { reportName: r.reportName })
    })

    const list = Effect.fn("Artifacts.list")(function*(params: ParamsOf<typeof Api.ArtifactsList>) {
      const principal = yield* CurrentPrincipal
      const customer = params.kind === "agent" ? "ag.customer_code" : "d.customer_code"
      const filters = [
        ...(params.customerCode === undefined ? [] : [sql`${sql.literal(customer)} = ${params.customerCode}`]),
        ...(params.agentId === undefined ? [] : [params.kind === "agent" ? sql`d.agent_id = ${params.agentId}` : sql`false`])
      ]
      const rows = yield* select(principal, params.kind, filters.length === 0 ? sql`true` : sql.and(filters), params.limit ?? DEFAULT_LIMIT)
      return rows.map(toWire(params.kind))
    })

    const download = Effect.fn("Artifacts.download")(function*(params: ParamsOf<typeof Api.ArtifactsDownload>) {
      const principal = yield* CurrentPrincipal
      yield* requireStore(store)
      const [row] = yield* select(principal, params.kind, sql`d.id = ${params.id}`, 1)
      const what = `${labels[params.kind]} ${params.id}`
      if (!row) return yield* new NotFound({ message: `${what} not found` })
      return yield* downloadChunk(store, row, what, params)
    })

    return { list, download } as const
  })
}) {}
