import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { SiemDoc } from "../../../src/connectors/siem/SiemIndex.js"
import { documentTime } from "../../../src/connectors/siem/documents.js"

/** The real SIEM documents, read in place from ../shared (never copied into the repo). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")
export const fixturesDir = path.resolve(repoRoot, "../shared/fixtures/siem")

export interface FixtureDoc extends SiemDoc {
  readonly file: string
  readonly line: number
}

const dateSuffix = (millis: number) => new Date(millis).toISOString().slice(0, 10).replace(/-/g, ".")

/**
 * Every document of wazuh-alerts/*.ndjson and graylog/*.ndjson. Each line is one JSON value
 * of one of two shapes: an OpenSearch hit `{"_index", "_id", "_source"}` (the Office 365 file,
 * gl-events-docs), indexed under its own index and id; or a bare `_source` (every other file),
 * indexed under `wazuh-alerts-4.x-<yyyy.mm.dd of its time>` (`-sample` without a time: Wazuh's
 * generated set has the "{timestamp}" placeholder) or, for the Graylog notification payloads,
 * `gl-notifications`, with the id `<file>:<line>` (Wazuh's own `id` repeats in the sample set).
 */
export const loadFixtureDocs = (): ReadonlyArray<FixtureDoc> => {
  const files = [
    ...fs.readdirSync(path.join(fixturesDir, "wazuh-alerts")).filter((f) => f.endsWith(".ndjson")).map((f) => `wazuh-alerts/${f}`),
    ...fs.readdirSync(path.join(fixturesDir, "graylog")).filter((f) => f.endsWith(".ndjson")).map((f) => `graylog/${f}`)
  ].sort()
  return files.flatMap((file) =>
    fs.readFileSync(path.join(fixturesDir, file), "utf8").split("\n").flatMap((text, line) => {
      if (text.trim() === "") return []
      const value = JSON.parse(text) as Record<string, unknown>
      if (typeof value["_index"] === "string" && typeof value["_source"] === "object") {
        return [{ file, line, index: value["_index"], id: String(value["_id"]), source: value["_source"] as Record<string, unknown> }]
      }
      const time = documentTime(value)
      const index = file.startsWith("graylog/") ? "gl-notifications"
        : `wazuh-alerts-4.x-${time === undefined ? "sample" : dateSuffix(time)}`
      return [{ file, line, index, id: `${path.basename(file, ".ndjson")}:${line}`, source: value }]
    }))
}

/** The value at a dotted path, looking into arrays as OpenSearch does: every value found. */
export const valuesAt = (doc: unknown, field: string): Array<unknown> => {
  const walk = (value: unknown, keys: ReadonlyArray<string>): Array<unknown> => {
    if (Array.isArray(value)) return value.flatMap((v) => walk(v, keys))
    if (keys.length === 0) return value === undefined || value === null ? [] : [value]
    if (typeof value !== "object" || value === null) return []
    return walk((value as Record<string, unknown>)[keys[0]!], keys.slice(1))
  }
  return walk(doc, field.split("."))
}

export const key = (d: { index: string; id: string }) => `${d.index}/${d.id}`
