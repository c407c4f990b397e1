import { Client, errors } from "@opensearch-project/opensearch"
import { Effect, Layer, Option, Redacted, type Scope } from "effect"
import * as fs from "node:fs"
import { searchBody, toHit, type RawHit } from "./OpenSearchQuery.js"
import { SiemError, SiemIndex, type PartialUpdate, type SearchRequest, type SiemDoc, type SiemIndexService } from "./SiemIndex.js"
import { describeUrl, missingMessage } from "./documents.js"
import { unavailable } from "./Unavailable.js"

/** How to reach the Wazuh indexer (DaemonConfig's SOCKEYE_OPENSEARCH_* settings). */
export interface OpenSearchConfig {
  readonly url: string
  readonly username: Option.Option<string>
  readonly password: Option.Option<Redacted.Redacted>
  /** PEM file of the CA that signed the indexer's certificate. */
  readonly caFile: Option.Option<string>
  /** False accepts any certificate. */
  readonly tlsVerify: boolean
  /** Each request's timeout, and the start-up probe's. */
  readonly timeoutMs: number
}

const reasonOf = (body: unknown): string | undefined => {
  const error = (body as { error?: unknown } | undefined)?.error
  if (typeof error === "string") return error
  const e = error as { type?: string; reason?: string; root_cause?: Array<{ reason?: string }> } | undefined
  const reason = e?.root_cause?.[0]?.reason ?? e?.reason
  return reason ? (e?.type ? `${e.type}: ${reason}` : reason) : undefined
}

/**
 * A failed call as a SiemError: no answer (refused, timed out, 5xx, 429) is "unreachable",
 * 404 "not-found" (with `notFound` as the message when given), 401/403 a credentials problem
 * (also -32010), any other 4xx "rejected" with the indexer's own reason.
 */
export const toSiemError = (target: string, what: string, notFound?: string) => (error: unknown): SiemError => {
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode ?? error.meta?.statusCode
    const reason = reasonOf(error.body) ?? error.message
    if (status === 404) return new SiemError({ reason: "not-found", message: notFound ?? `${what}: ${reason}`, cause: error })
    if (status === 401 || status === 403) {
      return new SiemError({
        reason: "unreachable", cause: error,
        message: `the SIEM at ${target} refused the credentials (${status}): check SOCKEYE_OPENSEARCH_USERNAME and SOCKEYE_OPENSEARCH_PASSWORD`
      })
    }
    if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
      return new SiemError({ reason: "rejected", message: `the SIEM at ${target} rejected ${what}: ${reason}`, cause: error })
    }
    return new SiemError({ reason: "unreachable", message: `the SIEM at ${target} is unreachable: ${status ?? "no status"} ${reason}`, cause: error })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new SiemError({ reason: "unreachable", message: `the SIEM at ${target} is unreachable: ${message}`, cause: error })
}

/**
 * The Wazuh indexer through @opensearch-project/opensearch. The client lives as long as the
 * scope; a probe at start logs whether the indexer answers but never stops the daemon, which
 * must start without its SIEM (calls then fail "unreachable", -32010).
 */
export const make = (config: OpenSearchConfig): Effect.Effect<SiemIndexService, never, Scope.Scope> =>
  Effect.gen(function*() {
    const target = describeUrl(config.url)
    const caFile = Option.getOrUndefined(config.caFile)
    const ca = caFile === undefined ? undefined : yield* Effect.either(Effect.try(() => fs.readFileSync(caFile)))
    if (ca?._tag === "Left") {
      const message = `the SIEM at ${target} is not usable: SOCKEYE_OPENSEARCH_CA_FILE ${caFile} cannot be read (${String((ca.left.error as Error).message)})`
      yield* Effect.logError(message)
      return unavailable("opensearch", target, new SiemError({ reason: "unconfigured", message }))
    }
    const created = yield* Effect.acquireRelease(
      Effect.try(() => new Client({
        node: config.url,
        requestTimeout: config.timeoutMs,
        // One retry: a daemon should answer "unreachable" soon rather than retry a dead node thrice.
        maxRetries: 1,
        ...(Option.isSome(config.username)
          ? { auth: { username: config.username.value, password: Option.match(config.password, { onNone: () => "", onSome: Redacted.value }) } }
          : {}),
        ssl: { rejectUnauthorized: config.tlsVerify, ...(ca?._tag === "Right" ? { ca: ca.right } : {}) }
      })),
      (client) => Effect.promise(() => client.close().catch(() => undefined))
    ).pipe(Effect.either)
    if (created._tag === "Left") {
      const message = `the SIEM at ${target} is not usable: ${String((created.left.error as Error).message)}`
      yield* Effect.logError(message)
      return unavailable("opensearch", target, new SiemError({ reason: "unconfigured", message }))
    }
    const client = created.right

    /** One request, aborted if the fiber is interrupted; errors mapped for `what`. */
    const call = <B = unknown>(what: string, run: () => PromiseLike<{ body: unknown }> & { abort: () => void }, notFound?: string) =>
      Effect.tryPromise({
        try: (signal) => {
          const request = run()
          signal.addEventListener("abort", () => request.abort())
          return Promise.resolve(request).then((response) => response.body as B)
        },
        catch: toSiemError(target, what, notFound)
      })

    yield* call<{ cluster_name?: string; version?: { distribution?: string; number?: string } }>("the health probe", () => client.info()).pipe(
      Effect.timeoutFail({ duration: config.timeoutMs, onTimeout: () => new SiemError({ reason: "unreachable", message: `the SIEM at ${target} did not answer within ${config.timeoutMs} ms` }) }),
      Effect.tap((info) =>
        Effect.logInfo(`SIEM: OpenSearch at ${target} (cluster ${info.cluster_name ?? "?"}, ${info.version?.distribution ?? "opensearch"} ${info.version?.number ?? "?"})`)),
      Effect.catchAll((error) => Effect.logWarning(`${error.message}; SIEM calls answer -32010 until it is back`)),
      Effect.forkScoped
    )

    const get = Effect.fn("OpenSearch.get")(function*(index: string, id: string) {
      const body = yield* call<{ _index: string; _id: string; _source?: Record<string, unknown> }>(
        `get ${index}/${id}`, () => client.get({ index, id }), `document ${id} not found in index ${index}`)
      return { index: body._index, id: body._id, source: body._source ?? {} }
    })

    const search = Effect.fn("OpenSearch.search")(function*(request: SearchRequest) {
      const body = yield* call<{ hits: { total?: number | { value: number }; hits: Array<RawHit> } }>(
        `the search on ${request.indexPattern}`,
        () => client.search({ index: request.indexPattern, body: searchBody(request) as never }),
        `no index matches ${request.indexPattern}`)
      const total = body.hits.total
      return {
        total: typeof total === "number" ? total : total?.value ?? body.hits.hits.length,
        hits: body.hits.hits.map((hit) => toHit(hit, request))
      }
    })

    const update = Effect.fn("OpenSearch.update")(function*(index: string, id: string, partial: Record<string, unknown>) {
      yield* call(`the update of ${index}/${id}`, () => client.update({ index, id, body: { doc: partial } }),
        `document ${id} not found in index ${index}`)
    })

    // No refresh wait: nothing reads the written-back fields within a run (paging is by keyset),
    // and waiting for a refresh per batch would cost more than the write.
    const updateMany = Effect.fn("OpenSearch.updateMany")(function*(updates: ReadonlyArray<PartialUpdate>) {
      if (updates.length === 0) return
      const operations = updates.flatMap((u) => [{ update: { _index: u.index, _id: u.id } }, { doc: u.partial }])
      const body = yield* call<{ errors: boolean; items: Array<Record<string, { _index?: string; _id?: string; status: number; error?: unknown }>> }>(
        `a bulk update of ${updates.length} documents`, () => client.bulk({ body: operations }))
      if (!body.errors) return
      const failed = body.items.map((item) => Object.values(item)[0]!).filter((item) => item.error)
      const missing = failed.filter((item) => item.status === 404)
      if (missing.length === failed.length) {
        return yield* new SiemError({ reason: "not-found", message: missingMessage(missing.map((m) => `${m._index}/${m._id}`)) })
      }
      const first = failed.find((item) => item.status !== 404)
      return yield* new SiemError({
        reason: "rejected",
        message: `the SIEM at ${target} rejected ${failed.length} of ${updates.length} updates of a bulk request: ${reasonOf(first) ?? JSON.stringify(first?.error)}`
      })
    })

    const indexDocs = Effect.fn("OpenSearch.index")(function*(docs: ReadonlyArray<SiemDoc>) {
      if (docs.length === 0) return
      const operations = docs.flatMap((d) => [{ index: { _index: d.index, _id: d.id } }, d.source])
      const body = yield* call<{ errors: boolean; items: Array<Record<string, { status: number; error?: unknown }>> }>(
        `a bulk request of ${docs.length} documents`, () => client.bulk({ body: operations, refresh: "wait_for" }))
      if (body.errors) {
        const failed = body.items.map((item) => Object.values(item)[0]!).find((item) => item.error)
        return yield* new SiemError({
          reason: "rejected",
          message: `the SIEM at ${target} rejected documents of a bulk request: ${reasonOf(failed) ?? JSON.stringify(failed?.error)}`
        })
      }
    })

    const service: SiemIndexService = {
      kind: "opensearch",
      describe: target,
      get,
      search,
      update,
      updateMany,
      index: indexDocs,
      admin: {
        createSnapshot: (repository, snapshot, indices) =>
          call(`snapshot ${repository}/${snapshot}`, () => client.snapshot.create({
            repository, snapshot, body: { indices: indices.join(","), ignore_unavailable: true, include_global_state: false }
          }), `snapshot repository ${repository} not found`),
        getSettings: (indexPattern) =>
          call<Record<string, unknown>>(`the settings of ${indexPattern}`, () => client.indices.getSettings({ index: indexPattern }),
            `no index matches ${indexPattern}`),
        putSettings: (index, settings) =>
          Effect.asVoid(call(`new settings for ${index}`, () => client.indices.putSettings({ index, body: settings }),
            `no index matches ${index}`))
      }
    }
    return service
  })

export const layer = (config: OpenSearchConfig) => Layer.scoped(SiemIndex, make(config))
