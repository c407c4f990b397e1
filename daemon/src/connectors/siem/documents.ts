/**
 * Document helpers both SIEM layers (and the OpenSearch test server) share, so that the local
 * index reads times and merges updates the way the Wazuh indexer does.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * Epoch milliseconds of a date value as OpenSearch's `date_optional_time||epoch_millis` reads
 * it: ISO 8601 with or without a zone (`+0000`, `+02:00`, `Z`; none means UTC, which also
 * covers Graylog's `yyyy-MM-dd HH:mm:ss.SSS`), or epoch milliseconds as a number or digits.
 * Millisecond precision, as the `date` type keeps. Anything else (Wazuh's sample placeholder
 * `{timestamp}`) is undefined.
 */
export const timestampMillis = (value: unknown): number | undefined => {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined
  if (typeof value !== "string") return undefined
  if (/^-?\d{1,15}$/.test(value)) return Number(value)
  const m = DATE.exec(value.trim())
  if (!m) return undefined
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((part) => Number(part ?? 0))
  const millis = Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3))
  const utc = Date.UTC(year!, month! - 1, day!, hour, minute, second, millis)
  const check = new Date(utc)
  // Date.UTC rolls 2024-02-31 over to March: a value that does not round-trip is not a date.
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day! || hour > 23 || minute > 59 || second > 60) return undefined
  const zone = m[8]
  if (!zone || zone.toUpperCase() === "Z") return utc
  const sign = zone.startsWith("-") ? -1 : 1
  const digits = zone.slice(1).replace(":", "")
  return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
}

/** The fields a document's time is read from, in order (Wazuh: `timestamp`; indexed AIT docs: `@timestamp`). */
export const TIME_FIELDS = ["timestamp", "@timestamp"] as const

/** The document's time in epoch milliseconds: the first of TIME_FIELDS that holds a date. */
export const documentTime = (source: Record<string, unknown>): number | undefined => {
  for (const field of TIME_FIELDS) {
    const millis = timestampMillis(source[field])
    if (millis !== undefined) return millis
  }
  return undefined
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * OpenSearch `_update` with `doc`: objects merge key by key at every depth; arrays, scalars and
 * null replace what was there. Returns a new object.
 */
export const deepMerge = (target: Record<string, unknown>, partial: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...target }
  for (const [key, value] of Object.entries(partial)) {
    const current = out[key]
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value
  }
  return out
}

/** A bulk update's failure for documents that do not exist: how many, and the first few. */
export const missingMessage = (keys: ReadonlyArray<string>) =>
  `${keys.length} documents to update not found: ${keys.slice(0, 5).join(", ")}${keys.length > 5 ? ` and ${keys.length - 5} more` : ""}`

/** A URL fit for messages and logs: no user or password in it. */
export const describeUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    parsed.username = ""
    parsed.password = ""
    return parsed.toString().replace(/\/$/, "")
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//")
  }
}

/** Sort positions for a document without a time: far after (asc) or far before (desc) every real one, so it sorts last either way. */
export const MISSING_TIME_ASC = 253402300799999 // 9999-12-31T23:59:59.999Z
export const MISSING_TIME_DESC = -62135596800000 // 0001-01-01T00:00:00Z
