import { describe, expect, it } from "vitest"
import { JSONSchema, Schema } from "effect"
import {
  Auth, Conflict, ErrorCode, Forbidden, InternalError, InvalidParams, InvalidRequest, Lifecycle, NotFound,
  ProtocolError, TooLarge, Unauthenticated, Unavailable, codeOf, dataOf, fromWire, methods, openRpcDocument
} from "../src/index.js"

describe("the method registry", () => {
  it("names each method once, as area/verb (PROTOCOL.md's reportTemplates/* has a camelCase area) or a lifecycle name", () => {
    const names = methods.map((m) => m.method)
    expect(new Set(names).size).toBe(names.length)
    for (const name of names) expect(name).toMatch(/^(initialize|shutdown|rpc\.discover|[a-z][a-zA-Z]*(\/[a-zA-Z]+)+)$/)
  })

  it("gives every method a JSON Schema for params and result, and a description", () => {
    for (const m of methods) {
      expect(m.description.length, m.method).toBeGreaterThan(10)
      expect(() => JSONSchema.make(m.params), m.method).not.toThrow()
      expect(() => JSONSchema.make(m.result), m.method).not.toThrow()
    }
  })

  it("marks reads read-only and mutations not", () => {
    expect(Auth.TokensList.hints.readOnly).toBe(true)
    expect(Auth.TokensCreate.hints.readOnly).toBe(false)
    expect(Auth.TokensRevoke.hints.destructive).toBe(true)
  })
})

describe("wire encoding", () => {
  it("round-trips initialize params and timestamps as ISO strings", () => {
    const params = { protocolVersion: "1" as const, clientInfo: { name: "x" }, credentials: { token: "sk_1" } }
    const encoded = Schema.encodeSync(Lifecycle.InitializeParams)(params)
    expect(Schema.decodeUnknownSync(Lifecycle.InitializeParams)(JSON.parse(JSON.stringify(encoded)))).toEqual(params)
    const at = new Date("2026-01-02T03:04:05.000Z")
    const wire = Schema.encodeSync(Auth.TokensCreate.params)({ name: "n", expiresAt: at })
    expect(wire).toEqual({ name: "n", expiresAt: "2026-01-02T03:04:05.000Z" })
  })

  it("refuses a protocol version other than 1", () => {
    expect(() => Schema.decodeUnknownSync(Lifecycle.InitializeParams)({ protocolVersion: "2", clientInfo: { name: "x" } })).toThrow()
  })
})

describe("errors", () => {
  const samples = [
    new InvalidParams({ message: "bad", issues: [{ path: ["a", 0], message: "Expected string" }] }),
    new Unauthenticated({ message: "who" }),
    new Forbidden({ message: "no" }),
    new NotFound({ message: "gone" }),
    new Conflict({ message: "clash" }),
    new Unavailable({ message: "down" }),
    new TooLarge({ message: "big" }),
    new InvalidRequest({ message: "late" }),
    new InternalError({ message: "oops", incident: "abc" })
  ]

  it.each(samples.map((e) => [e._tag, e] as const))("%s survives the wire", (_tag, error) => {
    const back = fromWire(codeOf(error), error.message, JSON.parse(JSON.stringify(dataOf(error) ?? null)))
    expect(back).toEqual(error)
  })

  it("keeps the codes of DESIGN.md", () => {
    expect(ErrorCode).toMatchObject({
      ParseError: -32700, InvalidRequest: -32600, MethodNotFound: -32601, InvalidParams: -32602, InternalError: -32603,
      NotInitialized: -32002, RequestCancelled: -32800, Unauthenticated: -32001, Forbidden: -32003, NotFound: -32004,
      Conflict: -32009, Unavailable: -32010, TooLarge: -32013
    })
  })

  it("keeps an unknown code whole", () => {
    expect(fromWire(-31999, "future", { x: 1 })).toEqual(new ProtocolError({ code: -31999, message: "future", data: { x: 1 } }))
  })
})

describe("OpenRPC", () => {
  const doc = openRpcDocument("test")

  it("lists every method by name with its params and a resolvable result schema", () => {
    expect(doc.openrpc).toMatch(/^1\./)
    expect(doc.methods.map((m) => m.name)).toEqual(methods.map((m) => m.method))
    const create = doc.methods.find((m) => m.name === "auth/tokens/create")!
    expect(create.params.map((p) => [p.name, p.required])).toEqual([["name", true], ["expiresAt", false], ["dryRun", false], ["onBehalfOf", false]])
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[A-Za-z0-9]+/g) ?? []
    for (const ref of refs) expect(doc.components.schemas, ref).toHaveProperty(ref.split("/").pop()!)
    expect(JSON.stringify(doc)).not.toContain("$defs")
  })
})
