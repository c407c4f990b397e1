import { JSONSchema } from "effect"
import { resultOnWire, type Method } from "./Method.js"
import { methods } from "./registry.js"
import { ErrorCode } from "./Errors.js"
import { PROTOCOL_VERSION } from "./methods/lifecycle.js"

type JsonObject = { [key: string]: unknown }

const rewriteRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(rewriteRefs)
  if (typeof value !== "object" || value === null) return value
  const out: JsonObject = {}
  for (const [key, inner] of Object.entries(value)) {
    if (key === "$ref" && typeof inner === "string") {
      out[key] = inner.replace("#/$defs/", "#/components/schemas/")
    } else if (key === "$id" && typeof inner === "string" && inner.startsWith("/schemas/")) {
      // Effect's marker for Unknown/object: repeated across methods, it makes validators see clashing ids.
      continue
    } else if (key !== "$schema" && key !== "$defs") {
      out[key] = rewriteRefs(inner)
    }
  }
  return out
}

/** JSON Schema of a schema's encoded (wire) side, its definitions collected into `defs`. */
export const jsonSchemaOf = (schema: Method["params"], defs: JsonObject): JsonObject => {
  const generated = JSONSchema.make(schema) as unknown as JsonObject
  for (const [name, def] of Object.entries((generated["$defs"] ?? {}) as JsonObject)) {
    defs[name] = rewriteRefs(def)
  }
  return rewriteRefs(generated) as JsonObject
}

const resolve = (schema: JsonObject, defs: JsonObject): JsonObject => {
  const ref = schema["$ref"]
  if (typeof ref !== "string") return schema
  const target = defs[ref.replace("#/components/schemas/", "")]
  return typeof target === "object" && target !== null ? resolve(target as JsonObject, defs) : schema
}

const methodDoc = (method: Method, defs: JsonObject) => {
  const params = resolve(jsonSchemaOf(method.params, defs), defs)
  const properties = (params["properties"] ?? {}) as JsonObject
  const required = new Set((params["required"] ?? []) as Array<string>)
  return {
    name: method.method,
    summary: method.description,
    paramStructure: "by-name",
    params: Object.entries(properties).map(([name, schema]) => ({
      name,
      required: required.has(name),
      schema
    })),
    result: { name: "result", schema: jsonSchemaOf(resultOnWire(method), defs) },
    "x-audience": method.audience,
    "x-hints": method.hints
  }
}

/** The OpenRPC 1.x document of every method, generated from the protocol schemas. */
export const openRpcDocument = (version: string, list: ReadonlyArray<Method> = methods) => {
  const defs: JsonObject = {}
  const docs = list.map((m) => methodDoc(m, defs))
  return {
    openrpc: "1.3.2",
    info: {
      title: "Sockeye",
      version,
      description: `Sockeye daemon JSON-RPC protocol ${PROTOCOL_VERSION}. Error codes: ${
        Object.entries(ErrorCode).map(([k, v]) => `${v} ${k}`).join(", ")
      }.`
    },
    methods: docs,
    components: { schemas: defs }
  }
}
