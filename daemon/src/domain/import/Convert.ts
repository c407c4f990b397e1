/**
 * MySQL values to PostgreSQL ones, by the target column's type, and the canonical text of a
 * value that both sides of the checksum comparison reduce to.
 */
export type Kind = "timestamptz" | "timestamp" | "boolean" | "json" | "bytea" | "integer" | "float" | "numeric" | "text"

/** The kind of a PostgreSQL type as pg_catalog's format_type spells it. */
export const kindOf = (pgType: string): Kind => {
  if (pgType === "timestamp with time zone") return "timestamptz"
  if (pgType.startsWith("timestamp")) return "timestamp"
  if (pgType === "boolean") return "boolean"
  if (pgType === "jsonb" || pgType === "json") return "json"
  if (pgType === "bytea") return "bytea"
  if (pgType === "integer" || pgType === "bigint" || pgType === "smallint") return "integer"
  if (pgType === "double precision" || pgType === "real") return "float"
  if (pgType.startsWith("numeric")) return "numeric"
  return "text"
}

export type Converted = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string }

const ok = (value: unknown): Converted => ({ ok: true, value })
const bad = (problem: string): Converted => ({ ok: false, problem })

const NAIVE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/

/** `YYYY-MM-DD HH:MM:SS.ffffff`: the one spelling of an instant both sides produce. */
const naiveUtc = (value: unknown): string | undefined => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().replace("T", " ").replace("Z", "000")
  const match = NAIVE.exec(String(value))
  if (!match) return undefined
  return `${match[1]} ${match[2]}.${(match[3] ?? "").padEnd(6, "0")}`
}

const hasNul = (text: string) => text.includes("\u0000")

/**
 * One MySQL value as the JSON value json_populate_recordset turns into the target column:
 * naive datetimes become UTC instants, TINYINT(1) booleans, JSON text jsonb, BLOBs bytea.
 */
export const convert = (kind: Kind, value: unknown): Converted => {
  if (value === null || value === undefined) return ok(null)
  switch (kind) {
    case "timestamptz":
    case "timestamp": {
      if (typeof value === "string" && value.startsWith("0000-00-00")) return bad(`zero date ${value}, which PostgreSQL cannot hold`)
      const text = naiveUtc(value)
      return text === undefined ? bad(`${JSON.stringify(value)} is not a datetime`) : ok(kind === "timestamptz" ? `${text}+00` : text)
    }
    case "boolean": {
      if (Buffer.isBuffer(value)) return ok(value.some((b) => b !== 0))
      const n = Number(value)
      return Number.isFinite(n) ? ok(n !== 0) : bad(`${JSON.stringify(value)} is not a boolean`)
    }
    case "json": {
      const text = Buffer.isBuffer(value) ? value.toString("utf8") : typeof value === "string" ? value : JSON.stringify(value)
      if (hasNul(text) || text.includes("\\u0000")) return bad("JSON with a NUL character, which jsonb cannot hold")
      try {
        return ok(JSON.parse(text))
      } catch {
        return bad(`invalid JSON: ${text.slice(0, 80)}`)
      }
    }
    case "bytea":
      return ok(`\\x${(Buffer.isBuffer(value) ? value : Buffer.from(String(value), "utf8")).toString("hex")}`)
    case "integer":
    case "float":
    case "numeric":
      return typeof value === "number" || typeof value === "string" || typeof value === "bigint" ? ok(typeof value === "bigint" ? value.toString() : value) : bad(`${JSON.stringify(value)} is not a number`)
    case "text": {
      const text = Buffer.isBuffer(value) ? value.toString("utf8") : value instanceof Date ? naiveUtc(value) ?? String(value) : String(value)
      return hasNul(text) ? bad("text with a NUL character, which PostgreSQL cannot hold") : ok(text)
    }
  }
}

/** Object keys sorted at every depth, so jsonb's reordering does not count as a change. */
export const stableJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(",")}}`
  }
  return JSON.stringify(value)
}

/** The canonical text of a converted value (what the import sends). */
export const canonicalSent = (kind: Kind, value: unknown): string | null => {
  if (value === null) return null
  switch (kind) {
    case "timestamptz": return String(value).replace(/\+00$/, "")
    case "json": return stableJson(value)
    case "bytea": return String(value).slice(2)
    case "boolean": return value ? "t" : "f"
    case "integer":
    case "float": return String(Number(value))
    default: return String(value)
  }
}

/** The SQL that reads a target column as text in the canonical spelling. */
export const canonicalSelect = (kind: Kind, column: string): string => {
  const c = `"${column.replace(/"/g, '""')}"`
  switch (kind) {
    case "timestamptz": return `to_char(${c} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`
    case "timestamp": return `to_char(${c}, 'YYYY-MM-DD HH24:MI:SS.US')`
    case "bytea": return `encode(${c}, 'hex')`
    case "boolean": return `case when ${c} then 't' when not ${c} then 'f' end`
    default: return `${c}::text`
  }
}

/** The canonical text of a target value read through canonicalSelect. */
export const canonicalStored = (kind: Kind, text: string | null): string | null => {
  if (text === null) return null
  switch (kind) {
    case "json": return stableJson(JSON.parse(text))
    case "integer":
    case "float": return String(Number(text))
    default: return text
  }
}
