import { describe, expect, it } from "vitest"
import { canonicalSent, canonicalStored, convert, kindOf, stableJson } from "../../../src/domain/import/Convert.js"

// Pure conversions; the import tests run them against real MariaDB and PostgreSQL.
describe("MySQL values to PostgreSQL", () => {
  it("reads naive datetimes as UTC, keeping microseconds", () => {
    expect(convert("timestamptz", "2024-01-02 03:04:05")).toEqual({ ok: true, value: "2024-01-02 03:04:05.000000+00" })
    expect(convert("timestamptz", "2024-01-02 03:04:05.123")).toEqual({ ok: true, value: "2024-01-02 03:04:05.123000+00" })
    expect(convert("timestamp", "2024-01-02 03:04:05.123456")).toEqual({ ok: true, value: "2024-01-02 03:04:05.123456" })
  })

  it("refuses what PostgreSQL cannot hold, saying why", () => {
    expect(convert("timestamptz", "0000-00-00 00:00:00")).toEqual({ ok: false, problem: "zero date 0000-00-00 00:00:00, which PostgreSQL cannot hold" })
    expect(convert("text", "a\u0000b")).toEqual({ ok: false, problem: "text with a NUL character, which PostgreSQL cannot hold" })
    expect(convert("json", '{"a": "\\u0000"}')).toMatchObject({ ok: false, problem: expect.stringContaining("NUL") })
    expect(convert("json", "{not json")).toEqual({ ok: false, problem: "invalid JSON: {not json" })
    expect(convert("integer", { x: 1 })).toMatchObject({ ok: false })
  })

  it("TINYINT(1) and BIT(1) to boolean, JSON text to values, BLOB to bytea", () => {
    expect([0, 1, "0", "1", 2].map((v) => convert("boolean", v))).toEqual([false, true, false, true, true].map((value) => ({ ok: true, value })))
    expect(convert("boolean", Buffer.from([1]))).toEqual({ ok: true, value: true })
    expect(convert("json", '{"b": [1, 2.5], "a": null}')).toEqual({ ok: true, value: { b: [1, 2.5], a: null } })
    expect(convert("json", { already: "parsed" })).toEqual({ ok: true, value: { already: "parsed" } })
    expect(convert("bytea", Buffer.from([0x80, 0xff]))).toEqual({ ok: true, value: "\\x80ff" })
    expect(convert("text", null)).toEqual({ ok: true, value: null })
  })

  it("canonical text agrees between what is sent and what PostgreSQL gives back", () => {
    expect(canonicalSent("timestamptz", "2024-01-02 03:04:05.000000+00")).toBe(canonicalStored("timestamptz", "2024-01-02 03:04:05.000000"))
    expect(canonicalSent("json", { b: 1, a: [true] })).toBe(canonicalStored("json", '{"a": [true], "b": 1}'))
    expect(canonicalSent("boolean", true)).toBe(canonicalStored("boolean", "t"))
    expect(canonicalSent("bytea", "\\x80ff")).toBe(canonicalStored("bytea", "80ff"))
    expect(canonicalSent("float", 70.5)).toBe(canonicalStored("float", "70.5"))
    expect(canonicalSent("integer", "42")).toBe(canonicalStored("integer", "42"))
    expect(stableJson({ z: { y: 1, x: 2 }, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"z":{"x":2,"y":1}}')
  })

  it("kinds by PostgreSQL type name", () => {
    expect(["timestamp with time zone", "timestamp without time zone", "boolean", "jsonb", "bytea", "bigint", "double precision", "numeric(10,2)", "character varying(50)", "text"].map(kindOf))
      .toEqual(["timestamptz", "timestamp", "boolean", "json", "bytea", "integer", "float", "numeric", "text", "text"])
  })
})
