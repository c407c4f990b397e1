import { describe, expect, it } from "vitest"
import AjvModule from "ajv"
import { openrpcDocument as openRpcMetaSchema } from "@open-rpc/meta-schema"
import { jsonSchema as toolsMetaSchema } from "@json-schema-tools/meta-schema"
import { openRpcDocument } from "../src/index.js"

// ajv is CommonJS: under ESM its class may arrive as the module's `default`.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule
const toolsMeta = toolsMetaSchema as unknown as Record<string, unknown>

/** The OpenRPC meta-schema refers to its JSON Schema meta-schema both with and without the trailing slash. */
const metaValidator = () => {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
  ajv.addMetaSchema(toolsMeta)
  ajv.addMetaSchema({ ...toolsMeta, $id: "https://meta.json-schema.tools" })
  return ajv.compile(openRpcMetaSchema)
}

describe("rpc.discover's OpenRPC document", () => {
  const doc = openRpcDocument("test")

  it("validates against the OpenRPC meta-schema (@open-rpc/meta-schema, draft-07 via ajv)", () => {
    const validate = metaValidator()
    const ok = validate(doc)
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5))).toEqual([])
    expect(ok).toBe(true)
  })

  it("the validator refuses a broken document (the check can fail)", () => {
    const validate = metaValidator()
    expect(validate({ ...doc, openrpc: "9.9.9" })).toBe(false)
    expect(validate({ ...doc, methods: [{ ...doc.methods[0], name: 42 }] })).toBe(false)
    expect(validate({ ...doc, methods: [{ ...doc.methods[0], result: { name: "r", schema: { type: 7 } } }] })).toBe(false)
  })

  it("every params and result schema compiles, its references resolved in components", () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
    const withComponents = (schema: object) => ({ ...schema, components: doc.components })
    for (const method of doc.methods) {
      expect(() => ajv.compile(withComponents(method.result.schema)), method.name).not.toThrow()
      for (const param of method.params) expect(() => ajv.compile(withComponents(param.schema)), `${method.name} ${param.name}`).not.toThrow()
    }
    const whoami = ajv.compile(withComponents(doc.methods.find((m) => m.name === "auth/whoami")!.result.schema))
    expect(whoami({ id: 1, username: "admin", email: "a@b", role: "admin" })).toBe(true)
    expect(whoami({ id: "1", username: "admin", email: "a@b", role: "root" })).toBe(false)
  })
})
