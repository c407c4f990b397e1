import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Effect, Layer, Logger, ManagedRuntime, Option, Redacted } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import * as OpenSearch from "../../../src/connectors/siem/OpenSearch.js"
import { SiemIndex, type SearchRequest, type SiemError } from "../../../src/connectors/siem/SiemIndex.js"
import { MISSING_TIME_ASC, documentTime } from "../../../src/connectors/siem/documents.js"
import { tempDir } from "../../fixtures/Daemon.js"
import { startOpenSearchServer, type OpenSearchServer } from "../../fixtures/OpenSearchServer.js"
import { key, loadFixtureDocs } from "./siemFixtures.js"

/**
 * The OpenSearch layer (the real @opensearch-project/opensearch client) against
 * test/fixtures/OpenSearchServer.ts, an HTTP server that stands in for OpenSearch, which cannot
 * run here. The server answers the _search, _doc, _update, _bulk, _snapshot and _settings
 * shapes the daemon uses and records each request, so these tests check both what the daemon
 * sends and how it reads the answers.
 */

interface Connected {
  readonly runtime: ManagedRuntime.ManagedRuntime<SiemIndex, never>
  readonly logs: Array<string>
  readonly call: <A>(f: (s: typeof SiemIndex.Service) => Effect.Effect<A, SiemError>) => Promise<A>
  readonly fail: <A>(f: (s: typeof SiemIndex.Service) => Effect.Effect<A, SiemError>) => Promise<SiemError>
}

const opened: Array<Connected> = []
const connect = (url: string, overrides: Partial<OpenSearch.OpenSearchConfig> = {}): Connected => {
  const logs: Array<string> = []
  const capture = Logger.replace(Logger.defaultLogger, Logger.make(({ logLevel, message }) => {
    logs.push(`${logLevel.label} ${([] as Array<unknown>).concat(message).join(" ")}`)
  }))
  const config: OpenSearch.OpenSearchConfig = {
    url, username: Option.none(), password: Option.none(), caFile: Option.none(), tlsVerify: true, timeoutMs: 2000, ...overrides
  }
  const runtime = ManagedRuntime.make(OpenSearch.layer(config).pipe(Layer.provide(capture)))
  const call: Connected["call"] = (f) => runtime.runPromise(Effect.flatMap(SiemIndex, f))
  const fail: Connected["fail"] = (f) => runtime.runPromise(Effect.flip(Effect.flatMap(SiemIndex, f)))
  const connected = { runtime, logs, call, fail }
  opened.push(connected)
  return connected
}

/** Waits (without asserting on time) until the start-up probe has logged. */
const probeLog = async (c: Connected) => {
  await c.call(() => Effect.void)
  for (let i = 0; i < 500 && !c.logs.some((l) => l.includes("SIEM")); i++) await new Promise((r) => setTimeout(r, 10))
  return c.logs.find((l) => l.includes("SIEM"))!
}

const closedPort = () => new Promise<number>((done) => {
  const probe = net.createServer().listen(0, "127.0.0.1", () => {
    const port = (probe.address() as net.AddressInfo).port
    probe.close(() => done(port))
  })
})

let server: OpenSearchServer
let os: Connected
const docs = loadFixtureDocs()
const last = (s: OpenSearchServer) => s.requests[s.requests.length - 1]!

beforeAll(async () => {
  server = await startOpenSearchServer()
  os = connect(server.url, { username: Option.some("sockeye"), password: Option.some(Redacted.make("s3cret")) })
  await os.call((s) => s.index(docs))
})
afterAll(async () => {
  for (const c of opened) await c.runtime.dispose()
  await server?.close()
})

describe("OpenSearch layer against the stand-in server", () => {
  it("probes at start and logs the cluster; sends basic auth", async () => {
    expect(await probeLog(os)).toBe("INFO SIEM: OpenSearch at http://127.0.0.1:" + server.port + " (cluster sockeye-test, opensearch 2.19.1)")
    expect(server.requests[0]).toMatchObject({ method: "GET", path: "/" })
    for (const r of server.requests) expect(r.headers.authorization).toBe(`Basic ${Buffer.from("sockeye:s3cret").toString("base64")}`)
  })

  it("indexes with _bulk index operations and refresh=wait_for", () => {
    const bulk = server.requests.find((r) => r.path === "/_bulk")!
    expect(bulk.method).toBe("POST")
    expect(bulk.query.get("refresh")).toBe("wait_for")
    expect((bulk.body as Array<unknown>).slice(0, 2)).toEqual([{ index: { _index: docs[0]!.index, _id: docs[0]!.id } }, docs[0]!.source])
    expect([...server.indices.values()].reduce((n, m) => n + m.size, 0)).toBe(docs.length)
  })

  it("gets a document, and a missing one as not-found", async () => {
    const doc = docs.find((d) => d.id === "0NRwVY0B9LTh695MCISi")!
    expect(await os.call((s) => s.get(doc.index, doc.id))).toEqual({ index: doc.index, id: doc.id, source: doc.source })
    expect(last(server)).toMatchObject({ method: "GET", path: `/${doc.index}/_doc/${doc.id}` })
    expect(await os.fail((s) => s.get("gl-events_0", "nope"))).toMatchObject({ reason: "not-found", message: "document nope not found in index gl-events_0" })
  })

  it("search sends query_string, term, range, sort [field, _id], search_after, size and track_total_hits", async () => {
    const request: SearchRequest = {
      indexPattern: "wazuh-alerts-*",
      query: "rule.level:>=5 AND agent.name:Win*",
      terms: { "agent.id": "012" },
      from: new Date("2023-01-01T00:00:00Z"),
      to: new Date("2023-02-01T00:00:00Z"),
      sort: { field: "timestamp", direction: "asc" },
      size: 1
    }
    const page = await os.call((s) => s.search(request))
    expect(last(server)).toMatchObject({ method: "POST", path: "/wazuh-alerts-*/_search" })
    expect(last(server).body).toEqual({
      query: {
        bool: {
          filter: [
            { term: { "agent.id": "012" } },
            { range: { timestamp: { gte: "2023-01-01T00:00:00.000Z", lt: "2023-02-01T00:00:00.000Z", format: "strict_date_optional_time" } } }
          ],
          must: [{ query_string: { query: "rule.level:>=5 AND agent.name:Win*", default_operator: "AND" } }]
        }
      },
      sort: [{ timestamp: { order: "asc", missing: "_last", unmapped_type: "date" } }, { _id: { order: "asc" } }],
      size: 1,
      track_total_hits: true
    })
    // The three Defender alerts of agent 012 in January 2023 have levels 12, 3 and 5.
    const defender = docs.filter((d) => d.file.includes("win-defender") && (d.source["rule"] as { level: number }).level >= 5)
    expect(page.total).toBe(2)
    expect(page.hits.map((h) => [h.id, h.sortValue])).toEqual([[defender[0]!.id, documentTime(defender[0]!.source)]])
    const next = await os.call((s) => s.search({ ...request, after: { sortValue: page.hits[0]!.sortValue!, id: page.hits[0]!.id } }))
    expect((last(server).body as { search_after: unknown }).search_after).toEqual([page.hits[0]!.sortValue, page.hits[0]!.id])
    expect(next.hits.map((h) => h.id)).toEqual([defender[1]!.id])
  })

  it("after walks every wazuh document once, past OpenSearch's Long.MAX_VALUE for a missing time", async () => {
    const seen: Array<string> = []
    let after: SearchRequest["after"]
    // Bounded: a continuation that repeats itself fails here rather than looping.
    for (let pages = 0; pages < 20; pages++) {
      const page = await os.call((s) => s.search({ indexPattern: "wazuh-alerts-*", sort: { field: "timestamp", direction: "asc" }, size: 300, ...(after ? { after } : {}) }))
      seen.push(...page.hits.map(key))
      if (page.hits.length < 300) break
      after = { sortValue: page.hits[299]!.sortValue!, id: page.hits[299]!.id }
    }
    expect(seen).toHaveLength(2696)
    expect(new Set(seen).size).toBe(2696)
    // Pages past the first missing time ask for "no timestamp, id beyond" directly.
    expect(server.requests.some((r) => String(JSON.stringify(r.body)).includes(`"must_not":{"exists":{"field":"timestamp"}}`))).toBe(true)
    const missing = await os.call((s) => s.search({ indexPattern: "wazuh-alerts-4.x-sample", sort: { field: "timestamp", direction: "asc" }, size: 1 }))
    expect(missing.hits[0]!.sortValue).toBe(MISSING_TIME_ASC)
  })

  it("update sends _update with {doc}; the stand-in deep-merges; a missing document is not-found", async () => {
    await os.call((s) => s.update("gl-events_0", "event-002", { fields: { COPILOT_ALERT_ID: "7" } }))
    expect(last(server)).toMatchObject({ method: "POST", path: "/gl-events_0/_update/event-002", body: { doc: { fields: { COPILOT_ALERT_ID: "7" } } } })
    const page = await os.call((s) => s.search({ indexPattern: "gl-events*", terms: { "fields.COPILOT_ALERT_ID": "7" }, size: 10 }))
    expect(page.hits.map((h) => h.id)).toEqual(["event-002"])
    expect(await os.fail((s) => s.update("gl-events_0", "nope", { a: 1 })))
      .toMatchObject({ reason: "not-found", message: "document nope not found in index gl-events_0" })
  })

  it("updateMany sends one _bulk of update actions with {doc}; missing documents are not-found, the rest applied", async () => {
    await os.call((s) => s.updateMany([
      { index: "gl-events_0", id: "event-003", partial: { fields: { COPILOT_ALERT_ID: "8" } } },
      { index: "gl-events_0", id: "event-004", partial: { alert_id: 8 } }
    ]))
    expect(last(server)).toMatchObject({ method: "POST", path: "/_bulk" })
    expect(last(server).body).toEqual([
      { update: { _index: "gl-events_0", _id: "event-003" } }, { doc: { fields: { COPILOT_ALERT_ID: "8" } } },
      { update: { _index: "gl-events_0", _id: "event-004" } }, { doc: { alert_id: 8 } }
    ])
    const page = await os.call((s) => s.search({ indexPattern: "gl-events*", terms: { "fields.COPILOT_ALERT_ID": "8" }, size: 10 }))
    expect(page.hits.map((h) => h.id)).toEqual(["event-003"])
    expect((await os.call((s) => s.get("gl-events_0", "event-004"))).source["alert_id"]).toBe(8)
    expect(await os.fail((s) => s.updateMany([
      { index: "gl-events_0", id: "event-004", partial: { alert_id: 9 } },
      { index: "gl-events_0", id: "nope", partial: { alert_id: 9 } }
    ]))).toMatchObject({ reason: "not-found", message: "1 documents to update not found: gl-events_0/nope" })
    expect((await os.call((s) => s.get("gl-events_0", "event-004"))).source["alert_id"]).toBe(9)
  })

  it("admin: snapshot create, get settings, put settings", async () => {
    expect(await os.call((s) => s.admin.createSnapshot("backups", "snap-1", ["wazuh-alerts-*", "gl-events*"]))).toEqual({ accepted: true })
    expect(last(server)).toMatchObject({
      path: "/_snapshot/backups/snap-1",
      body: { indices: "wazuh-alerts-*,gl-events*", ignore_unavailable: true, include_global_state: false }
    })
    const settings = await os.call((s) => s.admin.getSettings("gl-events*"))
    expect(last(server)).toMatchObject({ method: "GET", path: "/gl-events*/_settings" })
    expect(Object.keys(settings)).toEqual(["gl-events_0"])
    await os.call((s) => s.admin.putSettings("gl-events_0", { index: { mapping: { total_fields: { limit: 2000 } } } }))
    expect(last(server)).toMatchObject({ method: "PUT", path: "/gl-events_0/_settings", body: { index: { mapping: { total_fields: { limit: 2000 } } } } })
    expect(server.settings.get("gl-events_0")).toMatchObject({ index: { number_of_shards: "1", mapping: { total_fields: { limit: 2000 } } } })
  })

  it("a request the index refuses (400) is rejected, with the indexer's reason", async () => {
    expect(await os.fail((s) => s.search({ indexPattern: "*", query: "rule.level:[1 TO 3]", size: 1 }))).toMatchObject({
      reason: "rejected",
      message: expect.stringMatching(/^the SIEM at http:\/\/127\.0\.0\.1:\d+ rejected the search on \*: query_shard_exception: ranges \[a TO b\]/)
    })
    expect(await os.fail((s) => s.search({ indexPattern: "no-such-index", size: 1 })))
      .toMatchObject({ reason: "not-found", message: "no index matches no-such-index" })
  })
})

describe("OpenSearch layer: an indexer that does not answer", () => {
  it("a closed port: the daemon's layer still starts, logs a warning, and calls fail unreachable naming the URL", async () => {
    const port = await closedPort()
    const c = connect(`http://127.0.0.1:${port}`)
    expect(await probeLog(c)).toMatch(new RegExp(`^WARN the SIEM at http://127\\.0\\.0\\.1:${port} is unreachable: .*ECONNREFUSED.*; SIEM calls answer -32010 until it is back$`))
    expect(await c.fail((s) => s.get("a", "b"))).toMatchObject({
      reason: "unreachable", message: expect.stringMatching(new RegExp(`^the SIEM at http://127\\.0\\.0\\.1:${port} is unreachable: `))
    })
  })

  it("a URL the client cannot use: unconfigured, with the reason, and the layer still starts", async () => {
    expect(await connect("not a url").fail((s) => s.search({ indexPattern: "*", size: 1 })))
      .toMatchObject({ reason: "unconfigured", message: "the SIEM at not a url is not usable: Invalid URL" })
  })

  for (const mode of [503, "close", "hang"] as const) {
    it(`a server that answers ${mode === "hang" ? "nothing (timeout)" : mode === "close" ? "by closing the socket" : "503"}: unreachable`, async () => {
      const flaky = await startOpenSearchServer()
      try {
        const c = connect(flaky.url, { timeoutMs: 300 })
        await probeLog(c)
        flaky.failWith(mode)
        expect(await c.fail((s) => s.search({ indexPattern: "*", size: 1 }))).toMatchObject({
          reason: "unreachable", message: expect.stringContaining(`the SIEM at ${flaky.url} is unreachable: `)
        })
      } finally {
        await flaky.close()
      }
    })
  }
})

describe("OpenSearch layer over TLS", () => {
  let tls: OpenSearchServer
  let dir: string
  beforeAll(async () => {
    dir = tempDir("siemtls")
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" })
    tls = await startOpenSearchServer({ tls: { key: fs.readFileSync(path.join(dir, "key.pem"), "utf8"), cert: fs.readFileSync(path.join(dir, "cert.pem"), "utf8") } })
    tls.put("i", "1", { a: 1 })
  })
  afterAll(async () => {
    await tls?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("verifies against SOCKEYE_OPENSEARCH_CA_FILE", async () => {
    const c = connect(tls.url, { caFile: Option.some(path.join(dir, "cert.pem")) })
    expect(await c.call((s) => s.get("i", "1"))).toEqual({ index: "i", id: "1", source: { a: 1 } })
  })

  it("refuses an unknown certificate by default, and accepts it with verification off", async () => {
    expect(await connect(tls.url).fail((s) => s.get("i", "1"))).toMatchObject({
      reason: "unreachable", message: expect.stringMatching(/certificate/i)
    })
    expect(await connect(tls.url, { tlsVerify: false }).call((s) => s.get("i", "1"))).toMatchObject({ source: { a: 1 } })
  })

  it("an unreadable CA file leaves the SIEM unconfigured, with the reason, and the layer still starts", async () => {
    const c = connect(tls.url, { caFile: Option.some(path.join(dir, "missing.pem")) })
    expect(await c.fail((s) => s.get("i", "1"))).toMatchObject({
      reason: "unconfigured",
      message: expect.stringMatching(/^the SIEM at https:\/\/127\.0\.0\.1:\d+ is not usable: SOCKEYE_OPENSEARCH_CA_FILE .*missing\.pem cannot be read \(ENOENT/)
    })
  })
})
