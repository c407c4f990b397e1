import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted, String as Str } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { connect, type DaemonClient } from "@sockeye/client"
import * as LocalIndex from "../../../src/connectors/siem/LocalIndex.js"
import { SiemIndex, type SiemDoc } from "../../../src/connectors/siem/SiemIndex.js"
import { ADMIN_PASSWORD, type RunningDaemon } from "../../fixtures/Daemon.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")
/** The real SIEM documents (never copied into the repository). */
export const fixturesDir = path.resolve(repoRoot, "../shared/fixtures/siem")

export interface FixtureDoc extends SiemDoc {
  readonly file: string
}

const SAMPLE_DAY = Date.UTC(2024, 5, 1)

/**
 * Every document of `dir`/*.ndjson as it would sit in the index. Search hits keep their _index
 * and _id. Raw Wazuh alerts get the daily index their time names and an id from file and line;
 * Wazuh's sample set has the literal "{timestamp}", replaced (as its README asks) by a time on
 * 2024-06-01 from its line number. CoPilot's notification payloads hold the gl-event as `event`.
 */
export const readFixture = (dir: "wazuh-alerts" | "graylog"): ReadonlyArray<FixtureDoc> =>
  fs.readdirSync(path.join(fixturesDir, dir)).filter((f) => f.endsWith(".ndjson")).sort().flatMap((file) =>
    fs.readFileSync(path.join(fixturesDir, dir, file), "utf8").split("\n").filter((l) => l.trim() !== "").map((line, n): FixtureDoc => {
      const parsed = JSON.parse(line) as Record<string, any>
      const stem = file.replace(/\.ndjson$/, "").slice(0, 60)
      if (parsed["_source"]) return { file, index: parsed["_index"], id: parsed["_id"], source: parsed["_source"] }
      if (parsed["event"]) return { file, index: "gl-events_9", id: parsed["event"].id, source: parsed["event"] }
      const source = { ...parsed }
      if (source["timestamp"] === "{timestamp}") {
        const at = new Date(SAMPLE_DAY + n * 1000).toISOString().replace("Z", "+0000")
        source["timestamp"] = at
        source["@timestamp"] = at
      }
      const time = String(source["timestamp"] ?? source["@timestamp"])
      return { file, index: `wazuh-alerts-4.x-${time.slice(0, 10).replaceAll("-", ".")}`, id: `${stem}-${n + 1}`, source }
    }))

/** The local index on the test database, in this process (the daemon reads the same table). */
export const indexDocuments = (url: string, docs: ReadonlyArray<SiemDoc>) =>
  Effect.runPromise(Effect.flatMap(SiemIndex, (siem) => siem.index(docs)).pipe(
    Effect.provide(LocalIndex.layer.pipe(Layer.provide(PgClient.layer({
      url: Redacted.make(url),
      transformResultNames: Str.snakeToCamel,
      transformJson: false
    })))),
    Effect.scoped
  ))

export const connectAdmin = (daemon: RunningDaemon): Promise<DaemonClient> =>
  connect({ kind: "socket", path: daemon.socketPath! }, {
    clientInfo: { name: "ingest-test" },
    credentials: { username: "admin", password: ADMIN_PASSWORD }
  })
