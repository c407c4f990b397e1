import { describe, expect, it } from "vitest"
import AjvModule from "ajv"
import { Either, Schema } from "effect"
import { Alerts, Mcp, SchemaMethods, Tags, methods, resultOnWire } from "../src/index.js"

const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule
const mutations = methods.filter((m) => m.dryRun !== undefined)
const decodes = (schema: Schema.Schema<any, any>, value: unknown) =>
  Either.isRight(Schema.decodeUnknownEither(schema, { onExcessProperty: "error" })(value))

describe("mutation options", () => {
  it("every mutation but shutdown has a dry-run schema; queries have none", () => {
    for (const m of methods) expect(m.dryRun !== undefined, m.method).toBe(!m.hints.readOnly && m.method !== "shutdown")
    expect(mutations.length).toBeGreaterThan(20)
  })

  it("every mutation's params take dryRun and onBehalfOf, and refuse bad ones", () => {
    for (const m of mutations) {
      const fields = (Schema.encodedSchema(m.params).ast as { propertySignatures?: Array<{ name: PropertyKey }> }).propertySignatures
        ?? (Schema.encodedSchema(m.params).ast as { from?: { propertySignatures: Array<{ name: PropertyKey }> } }).from?.propertySignatures
      expect(fields?.map((f) => f.name), m.method).toEqual(expect.arrayContaining(["dryRun", "onBehalfOf"]))
    }
    expect(decodes(Tags.TagsCreate.params, { tag: "x", dryRun: true, onBehalfOf: "alice" })).toBe(true)
    expect(decodes(Tags.TagsCreate.params, { tag: "x", dryRun: "yes" })).toBe(false)
    expect(decodes(Tags.TagsCreate.params, { tag: "x", onBehalfOf: "" })).toBe(false)
    expect(decodes(Tags.TagsCreate.params, { tag: "x", onBehalfOf: "x".repeat(257) })).toBe(false)
  })

  it("a mutation without params of its own takes the options alone", () => {
    expect(decodes(SchemaMethods.MigrationsUp.params, {})).toBe(true)
    expect(decodes(SchemaMethods.MigrationsUp.params, { dryRun: true, onBehalfOf: "ops" })).toBe(true)
    expect(decodes(SchemaMethods.MigrationsUp.params, { other: 1 })).toBe(false)
  })

  it("a filtered params schema keeps its filter", () => {
    expect(decodes(Tags.RbacGrantsSet.params, { userId: 1, tagIds: [], dryRun: true })).toBe(true)
    expect(decodes(Tags.RbacGrantsSet.params, { userId: 1, roleId: 2, tagIds: [], dryRun: true })).toBe(false)
  })
})

describe("dry-run results on the wire", () => {
  const preview = { dryRun: true, changes: [{ table: "incident_management_alert", id: 3, op: "update", before: { status: "OPEN" }, after: { status: "CLOSED" } }], result: { updated: [3] } }

  it("a mutation answers its result or a preview; a refused dry run only its result", () => {
    expect(decodes(resultOnWire(Alerts.AlertsUpdate), { updated: [3] })).toBe(true)
    expect(decodes(resultOnWire(Alerts.AlertsUpdate), preview)).toBe(true)
    expect(decodes(resultOnWire(Alerts.AlertsUpdate), { ...preview, result: { nope: 1 } })).toBe(false)
    expect(SchemaMethods.MigrationsUp.dryRun?.refused).toMatch(/migrations\/status/)
    expect(resultOnWire(SchemaMethods.MigrationsUp)).toBe(SchemaMethods.MigrationsUp.result)
  })

  it("the MCP outputSchema of a mutation is an object that validates both answers", () => {
    const tool = Mcp.toolOf(Alerts.AlertsUpdate)
    expect(tool.wrapped).toBe(false)
    expect(tool.tool.outputSchema["type"]).toBe("object")
    expect(Object.keys(tool.tool.inputSchema["properties"] as object)).toEqual(expect.arrayContaining(["dryRun", "onBehalfOf"]))
    const validate = new Ajv({ strict: false }).compile(tool.tool.outputSchema)
    expect(validate({ updated: [3] })).toBe(true)
    expect(validate(preview)).toBe(true)
    expect(validate({ dryRun: true, changes: [{ table: "t", id: 1, op: "upsert" }], result: { updated: [] } })).toBe(false)
  })
})
