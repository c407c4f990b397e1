import { JSONSchema } from "effect"
import { resultOnWire, type Method } from "./Method.js"
import { lifecycleMethods, methods } from "./registry.js"

/**
 * The MCP face of the protocol: each method but the lifecycle ones is one MCP tool. Pure: both
 * `sockeyed --mcp` (in the daemon) and `sockeye mcp` (a proxy to the shared daemon) use it.
 */

type JsonObject = { [key: string]: unknown }

/** The MCP tool name of a method: `/` written as `_` (`alerts/list` -> `alerts_list`). */
export const toolName = (method: string): string => method.replaceAll("/", "_")

/** MCP versions this face speaks, newest first; `initialize` echoes the client's when listed. */
export const MCP_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const

/** Versions before 2025-06-18 know neither `outputSchema` nor `structuredContent`. */
export const hasStructuredOutput = (version: string): boolean => version >= "2025-06-18"

/** An MCP tool definition (the subset of the MCP `Tool` type that Sockeye fills). */
export interface McpTool {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly inputSchema: JsonObject
  readonly outputSchema: JsonObject
  readonly annotations: {
    readonly title: string
    readonly readOnlyHint: boolean
    readonly destructiveHint: boolean
    readonly idempotentHint: boolean
  }
}

/** A tool with how to find its method and how to shape its result. */
export interface ToolEntry {
  readonly tool: McpTool
  readonly method: Method
  /** The result is not a JSON object: structuredContent is `{ result: <the result> }`. */
  readonly wrapped: boolean
}

const refPrefix = "#/$defs/"

// Effect marks some schemas (Unknown, {}, object) with `$id: "/schemas/..."`; one Ajv instance
// compiling several tools' schemas refuses a second schema that declares the same `$id`.
const withoutIds = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutIds)
  if (typeof value !== "object" || value === null) return value
  const out: JsonObject = {}
  for (const [key, inner] of Object.entries(value)) {
    if (key === "$id" && typeof inner === "string" && inner.startsWith("/schemas/")) continue
    out[key] = withoutIds(inner)
  }
  return out
}

const refsIn = (value: unknown, into: Set<string>): void => {
  if (Array.isArray(value)) return value.forEach((v) => refsIn(v, into))
  if (typeof value !== "object" || value === null) return
  for (const [key, inner] of Object.entries(value)) {
    if (key === "$ref" && typeof inner === "string" && inner.startsWith(refPrefix)) into.add(inner.slice(refPrefix.length))
    else refsIn(inner, into)
  }
}

/** The root schema and the definitions it reaches, transitively. */
const reachable = (root: JsonObject, defs: JsonObject): JsonObject => {
  const names = new Set<string>()
  refsIn(root, names)
  const out: JsonObject = {}
  for (const name of names) {
    if (name in out || !(name in defs)) continue
    out[name] = defs[name]
    refsIn(defs[name], names)
  }
  return out
}

/**
 * A self-contained JSON Schema of a schema's wire side: no external `$ref`, no `$schema` (MCP's
 * default dialect is 2020-12, and these schemas read the same under draft-07), the root a plain
 * schema rather than a `$ref` to a definition, and only the `$defs` it uses kept inside it.
 */
export const selfContainedSchema = (schema: Method["params"]): JsonObject => {
  const generated = withoutIds(JSONSchema.make(schema)) as JsonObject
  const defs = (generated["$defs"] ?? {}) as JsonObject
  const { $schema: _schema, $defs: _defs, ...rest } = generated
  let root: JsonObject = rest
  for (let depth = 0; typeof root["$ref"] === "string" && depth < 10; depth++) {
    const target = defs[(root["$ref"] as string).slice(refPrefix.length)]
    if (typeof target !== "object" || target === null) break
    const { $ref: _ref, ...siblings } = root
    root = { ...(target as JsonObject), ...siblings }
  }
  const used = reachable(root, defs)
  return Object.keys(used).length > 0 ? { ...root, $defs: used } : root
}

/**
 * The output rule: a result whose schema is a JSON object, or a union of JSON objects (a
 * mutation's result or its dry-run preview), is the structuredContent itself; any other result
 * (an array, null, a mixed union) is wrapped as `{ result }`, because MCP requires
 * `outputSchema` to be of type object.
 */
export const outputSchemaOf = (schema: Method["result"]): { readonly schema: JsonObject; readonly wrapped: boolean } => {
  const full = selfContainedSchema(schema)
  if (full["type"] === "object") return { schema: full, wrapped: false }
  if (isUnionOfObjects(full)) return { schema: { type: "object", ...full }, wrapped: false }
  const { $defs, ...inner } = full
  return {
    schema: {
      type: "object",
      properties: { result: inner },
      required: ["result"],
      additionalProperties: false,
      ...($defs ? { $defs } : {})
    },
    wrapped: true
  }
}

const isUnionOfObjects = (full: JsonObject): boolean => {
  const branches = full["anyOf"]
  const defs = (full["$defs"] ?? {}) as JsonObject
  const resolved = (branch: JsonObject): JsonObject => {
    const ref = branch["$ref"]
    return typeof ref === "string" && ref.startsWith(refPrefix) ? resolved((defs[ref.slice(refPrefix.length)] ?? {}) as JsonObject) : branch
  }
  return Array.isArray(branches) && branches.length > 0 && branches.every((b) => resolved(b as JsonObject)["type"] === "object")
}

const inputSchemaOf = (schema: Method["params"]): JsonObject => {
  const full = selfContainedSchema(schema)
  // MCP requires type object at the root; a union of objects (userId | roleId) still is one.
  return full["type"] === "object" ? full : { type: "object", ...full }
}

const audienceNote: Record<Method["audience"], string> = {
  public: "",
  authenticated: "",
  writer: " Allowed for admins and analysts.",
  admin: " Allowed for admins.",
  adminOrScheduler: " Allowed for admins and schedulers."
}

/** The MCP tool of one protocol method. */
export const toolOf = (method: Method): ToolEntry => {
  const output = outputSchemaOf(resultOnWire(method))
  return {
    tool: {
      name: toolName(method.method),
      title: method.method,
      description: `${method.description}${audienceNote[method.audience]} (Sockeye method ${method.method}.)`,
      inputSchema: inputSchemaOf(method.params),
      outputSchema: output.schema,
      annotations: {
        title: method.method,
        readOnlyHint: method.hints.readOnly,
        destructiveHint: method.hints.destructive,
        idempotentHint: method.hints.idempotent
      }
    },
    method,
    wrapped: output.wrapped
  }
}

/** The tools of every non-lifecycle method in `served` (default: every method of the registry). */
export const toolsOf = (served?: ReadonlyArray<string>): ReadonlyArray<ToolEntry> => {
  const keep = served ? new Set(served) : undefined
  return methods
    .filter((m) => !lifecycleMethods.has(m.method) && (!keep || keep.has(m.method)))
    .map(toolOf)
}

/** What an MCP resource URI names. */
export type ResourceRef =
  | { readonly kind: "alert"; readonly id: number }
  | { readonly kind: "case"; readonly id: number }
  | { readonly kind: "schemaDocument" }

export const SCHEMA_DOCUMENT_URI = "sockeye://schema/document"

/** Parses `sockeye://alert/{id}`, `sockeye://case/{id}` and `sockeye://schema/document`. */
export const parseResourceUri = (uri: string): ResourceRef | undefined => {
  if (uri === SCHEMA_DOCUMENT_URI) return { kind: "schemaDocument" }
  const match = /^sockeye:\/\/(alert|case)\/([1-9]\d{0,9})$/.exec(uri)
  if (!match) return undefined
  const id = Number(match[2])
  return Number.isSafeInteger(id) && id <= 2147483647 ? { kind: match[1] as "alert" | "case", id } : undefined
}

/** The protocol call that reads a resource. */
export const resourceCall = (ref: ResourceRef): { readonly method: string; readonly params: JsonObject } => {
  switch (ref.kind) {
    case "alert": return { method: "alerts/get", params: { id: ref.id } }
    case "case": return { method: "cases/get", params: { id: ref.id } }
    case "schemaDocument": return { method: "schema/document", params: {} }
  }
}

export const resourceTemplates = [
  {
    uriTemplate: "sockeye://alert/{id}",
    name: "alert",
    title: "Alert",
    description: "One alert with its assets, IoCs, comments and cases (alerts/get), as JSON; hidden alerts are not found.",
    mimeType: "application/json"
  },
  {
    uriTemplate: "sockeye://case/{id}",
    name: "case",
    title: "Case",
    description: "One case with its alerts, comments and files (cases/get), as JSON; hidden cases are not found.",
    mimeType: "application/json"
  }
] as const

export const staticResources = [
  {
    uri: SCHEMA_DOCUMENT_URI,
    name: "schema-document",
    title: "Database schema",
    description: "A table inventory of the live database schema, in Markdown (schema/document).",
    mimeType: "text/markdown"
  }
] as const
