/**
 * Pure extraction of an alert from a SIEM document (copilot-facts §f.3–f.7), with CoPilot's gaps
 * closed. Nothing here touches the database or the SIEM, so every rule is unit-tested.
 *
 * Field resolution (`resolveField`): CoPilot reads Graylog-flattened documents whose keys use
 * `_` for nesting (`rule_description`); the Wazuh indexer holds Wazuh's own nested JSON
 * (`rule.description`). A field name is looked up, at each object level:
 *   1. as a key of that object, exactly (so flat `rule_description` or `data.srcip` keys win);
 *   2. else split at a `.` or `_`, shortest head first: if the head names a nested object, the
 *      rest of the name is resolved inside it by the same two rules.
 * So `data_win_eventdata_commandLine`, `data.win.eventdata.commandLine` and a flat key of either
 * spelling all find the same value, and keys that contain `_` themselves (`full_log`,
 * `syscheck.sha256_after`) still resolve. Arrays are values, not paths.
 */
import { timestampMillis } from "../../connectors/siem/documents.js"
import type { FieldMapping } from "./Mapping.js"

export type Document = Readonly<Record<string, unknown>>

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A name's (head, rest) splits at each `.` or `_`, shortest head first. */
type Splits = ReadonlyArray<readonly [head: string, rest: string]>
const splitCache = new Map<string, Splits>()
/** Mapping names and their tails are a few hundred; a bound keeps odd names from growing it. */
const SPLIT_CACHE_MAX = 4096

// Ingestion resolves some 80 names per document: slicing each name again per document was the
// daemon's largest CPU cost in the ingestion benchmark, so the splits are computed once per name.
const splitsOf = (name: string): Splits => {
  const cached = splitCache.get(name)
  if (cached) return cached
  const splits: Array<readonly [string, string]> = []
  for (let i = 1; i < name.length - 1; i++) {
    const c = name[i]
    if (c === "." || c === "_") splits.push([name.slice(0, i), name.slice(i + 1)])
  }
  if (splitCache.size >= SPLIT_CACHE_MAX) splitCache.clear()
  splitCache.set(name, splits)
  return splits
}

const resolveIn = (object: Record<string, unknown>, name: string, depth: number): unknown => {
  const own = object[name]
  if (own !== undefined && Object.hasOwn(object, name)) return own
  // Wazuh nests at most a handful of levels; the bound keeps a hostile name from exploding.
  if (depth > 12) return undefined
  for (const [headName, rest] of splitsOf(name)) {
    const head = object[headName]
    if (!isObject(head) || !Object.hasOwn(object, headName)) continue
    const found = resolveIn(head, rest, depth + 1)
    if (found !== undefined) return found
  }
  return undefined
}

/** The value a field name denotes in the document (see the module comment), or undefined. */
export const resolveField = (doc: Document, name: string): unknown => resolveIn(doc as Record<string, unknown>, name, 0)

/** A value as text for titles, assets, customer codes and IoCs: scalars, or an array's first such. */
export const textOf = (value: unknown): string | undefined => {
  if (typeof value === "string") {
    const text = value.replace(/\uFEFF/g, "").trim()
    return text === "" ? undefined : text
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = textOf(item)
      if (text !== undefined) return text
    }
  }
  return undefined
}

/** The first field among `names` with a non-empty text value. */
export const firstText = (doc: Document, names: ReadonlyArray<string>): { field: string; value: string } | undefined => {
  for (const field of names) {
    const value = textOf(resolveField(doc, field))
    if (value !== undefined) return { field, value }
  }
  return undefined
}

/**
 * The document's source type (which field mapping applies): `syslog_type`, else `integration`
 * (both set by Graylog pipelines), else "wazuh" for a document of a wazuh-alerts-* index, which
 * Wazuh itself wrote and which names neither.
 */
export const sourceTypeOf = (doc: Document, index: string): string | undefined =>
  firstText(doc, ["syslog_type", "integration"])?.value ?? (index.startsWith("wazuh-alerts-") ? "wazuh" : undefined)

/**
 * Where the customer code is looked for after the mapping's own field (CoPilot's
 * CustomerCodeKeys, in its order; the Office 365 tenant lookup is not ported).
 */
export const CUSTOMER_FALLBACKS = ["agent_labels_customer", "syslog_customer", "customer_code", "aws_account_id", "cluster_node"] as const

/** The customer code the document names, or undefined when no customer field is set. */
export const customerCodeOf = (doc: Document, mappingField: string | undefined): string | undefined => {
  const fields = mappingField ? [mappingField, ...CUSTOMER_FALLBACKS.filter((f) => f !== mappingField)] : [...CUSTOMER_FALLBACKS]
  const found = firstText(doc, fields)
  if (!found) return undefined
  // A Wazuh worker node named wazuh.worker.<customer>[...] carries the customer in its name.
  if (found.field === "cluster_node") {
    const worker = /^wazuh\.worker\.([^.]+)/.exec(found.value)
    if (worker) return worker[1]!.toLowerCase()
  }
  return found.value
}

export type IocType = "IP" | "DOMAIN" | "HASH" | "URL"

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/
const HASH = /^(?:[a-f0-9]{32}|[a-f0-9]{40}|[a-f0-9]{64})$/i
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i
const URL_PATTERN = /^https?:\/\/[^\s/$.?#][^\s]*$/i
const HEXTET = /^[0-9a-f]{1,4}$/i

/** Full, compressed (`::`) and IPv4-suffixed IPv6 forms; a zone id (`%eth0`) is not an IoC. */
const isIpv6 = (value: string) => {
  const halves = value.split("::")
  if (halves.length > 2) return false
  const groups = halves.map((h) => (h === "" ? [] : h.split(":")))
  const all = groups.flat()
  const last = all[all.length - 1]
  const v4 = last !== undefined && IPV4.test(last)
  const hextets = v4 ? all.slice(0, -1) : all
  if (!hextets.every((g) => HEXTET.test(g))) return false
  const width = hextets.length + (v4 ? 2 : 0)
  return halves.length === 2 ? width < 8 : width === 8
}

/**
 * An IoC's type by the shape of its value; undefined when it has none of these shapes (such a
 * value stays in the context only: the ioc table requires a type). CoPilot never typed URLs.
 */
export const iocTypeOf = (value: string): IocType | undefined => {
  if (URL_PATTERN.test(value)) return "URL"
  if (IPV4.test(value)) return "IP"
  if (value.includes(":") && isIpv6(value)) return "IP"
  if (HASH.test(value)) return "HASH"
  if (DOMAIN.test(value)) return "DOMAIN"
  return undefined
}

const PROCESS_IMAGE_FIELDS = ["process_image", "data_win_eventdata_image", "data_event_Image", "data_win_eventdata_sourceImage"]

/** The executable's file name, for either path separator. */
export const basename = (path: string) => path.split(/[\\/]/).filter((p) => p !== "").pop() ?? path

/** CoPilot's `process_name` context entry: [basename of the process image], none for osquery. */
export const processNameOf = (doc: Document): ReadonlyArray<string> => {
  if (textOf(resolveField(doc, "rule_group1")) === "osquery") return []
  const image = firstText(doc, PROCESS_IMAGE_FIELDS)
  return image ? [basename(image.value)] : []
}

/** What an alert is made from, once the customer is known to exist. */
export interface Extracted {
  readonly source: string
  readonly customerCode: string
  readonly title: string
  readonly asset: string
  readonly ioc: { readonly value: string; readonly type: IocType } | undefined
  readonly context: Record<string, unknown>
  /** The event time (mapping's field, else `timestamp`, else `@timestamp`); undefined if none parses. */
  readonly eventTime: Date | undefined
}

export type Extraction =
  | { readonly _tag: "ok"; readonly value: Extracted }
  | { readonly _tag: "rejected"; readonly reason: string }

const rejected = (reason: string): Extraction => ({ _tag: "rejected", reason })

// Column limits of incident_management_asset / _ioc / _alert.
const MAX_ASSET = 255
const MAX_IOC = 250
const MAX_CUSTOMER = 50

/** Read as the index reads dates (ISO with or without zone, Graylog's `yyyy-MM-dd HH:mm:ss.SSS`, epoch ms). */
const eventTimeOf = (doc: Document, field: string): Date | undefined => {
  for (const name of [field, "timestamp", "@timestamp"]) {
    const millis = timestampMillis(resolveField(doc, name))
    if (millis !== undefined) return new Date(millis)
  }
  return undefined
}

/**
 * An alert's parts from a document and its source's mapping, or why the document cannot become
 * one. The customer code is only extracted here; whether that customer exists is the caller's
 * question (it needs the database).
 */
export const extract = (doc: Document, source: string, mapping: FieldMapping): Extraction => {
  // CoPilot's order: the customer first, then the mapped fields.
  const customerCode = customerCodeOf(doc, mapping.customerCode)
  if (customerCode === undefined) {
    return rejected(`no customer code: none of ${[mapping.customerCode, ...CUSTOMER_FALLBACKS.filter((f) => f !== mapping.customerCode)].join(", ")} is set`)
  }
  if (customerCode.length > MAX_CUSTOMER) return rejected(`customer code longer than ${MAX_CUSTOMER} characters`)
  const title = textOf(resolveField(doc, mapping.title))
  if (title === undefined) return rejected(`missing title field ${mapping.title}`)
  // CoPilot's asset field may hold a comma list of candidates: the first present one wins.
  const asset = firstText(doc, mapping.asset.flatMap((f) => f.split(",")).map((f) => f.trim()).filter((f) => f !== ""))
  if (asset === undefined) return rejected(`missing asset field ${mapping.asset.join(", ")}`)
  const iocValue = firstText(doc, mapping.ioc)?.value
  const iocType = iocValue !== undefined && iocValue.length <= MAX_IOC ? iocTypeOf(iocValue) : undefined
  const context: Record<string, unknown> = {}
  for (const field of mapping.fieldName) {
    const value = resolveField(doc, field)
    if (value !== undefined && value !== null) context[field] = value
  }
  context["process_name"] = processNameOf(doc)
  return {
    _tag: "ok",
    value: {
      source,
      customerCode,
      title,
      asset: asset.value.slice(0, MAX_ASSET),
      ioc: iocType ? { value: iocValue!, type: iocType } : undefined,
      context,
      eventTime: eventTimeOf(doc, mapping.timestamp)
    }
  }
}

/**
 * The original document a Graylog event points at: `urn:graylog:message:es:<index>:<id>`.
 * CoPilot kept only the last `_` part of the id, which breaks OpenSearch ids containing `_`;
 * here the id is everything after the index.
 */
export const parseOriginContext = (value: unknown): { index: string; id: string } | undefined => {
  if (typeof value !== "string") return undefined
  const match = /^urn:graylog:(?:message|event):es:([^:]+):(.+)$/.exec(value.trim())
  return match ? { index: match[1]!, id: match[2]! } : undefined
}
