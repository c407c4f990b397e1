import { Arbitrary, FastCheck as fc, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Alerts, Cases, methods, NoParams, Notifications } from "@sockeye/protocol"
import { decoderFor, isCompiled, optionDecoderFor } from "../src/compiledDecoder.js"

/**
 * Every schema a client decodes, and the params too: they exercise the compiler on more shapes.
 * NoParams has no Arbitrary (Effect builds one for its `never` values first); it has a test of its own.
 */
const schemas: ReadonlyArray<readonly [string, Schema.Schema<any, any, never>]> = ([
  ...methods.flatMap((m) => [
    [`${m.method} result`, m.result] as const,
    [`${m.method} params`, m.params] as const,
    ...(m.dryRun ? [[`${m.method} dry run`, m.dryRun.preview] as const] : [])
  ]),
  ...Notifications.serverNotifications.map((n) => [`${n.method} notification`, n.params] as const)
] as ReadonlyArray<readonly [string, Schema.Schema<any, any, never>]>).filter(([, schema]) => schema !== NoParams)

/** What a decoder did with an input: its value as JSON (key order included), or its error message. */
const outcome = (decode: (u: unknown) => unknown, input: unknown) => {
  try {
    return { value: JSON.stringify(decode(input)) }
  } catch (error) {
    return { error: String(error) }
  }
}

/** A wire value: the schema's encoding of an arbitrary valid value, through JSON as the socket carries it. */
const wireValues = (schema: Schema.Schema<any, any, never>, count: number) => {
  const encode = Schema.encodeSync(schema)
  return fc.sample(Arbitrary.make(schema), { numRuns: count, seed: 42 })
    .map((value) => JSON.parse(JSON.stringify(encode(value))) as unknown)
}

/** Replaces the value at one random place in a JSON value with anything (or deletes a key). */
const mutate = (value: unknown, pick: number, replacement: unknown, remove: boolean): unknown => {
  const places: Array<[Record<string, unknown> | Array<unknown>, string | number]> = []
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => { places.push([v, i]); walk(x) })
    else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) { places.push([v as Record<string, unknown>, k]); walk(x) }
  }
  const copy = structuredClone(value)
  walk(copy)
  if (places.length === 0) return replacement
  const [holder, key] = places[pick % places.length]!
  if (remove && !Array.isArray(holder)) delete (holder as Record<string, unknown>)[key as string]
  else (holder as Record<string, unknown>)[key as string] = replacement
  return copy
}

describe("decoderFor", () => {
  it("compiles the schemas of the hot answers (pages, details, change notifications)", () => {
    for (const schema of [Alerts.AlertsList.result, Alerts.AlertsGet.result, Alerts.AlertsCount.result, Cases.CasesList.result,
      Cases.CasesGet.result, ...Notifications.serverNotifications.map((n) => n.params)]) {
      expect(isCompiled(schema), String(schema.ast)).toBe(true)
    }
  })

  it.each(schemas)("%s: valid answers decode exactly as Schema.decodeUnknownSync does", (_, schema) => {
    const fast = decoderFor(schema)
    const slow = Schema.decodeUnknownSync(schema)
    let accepted = 0
    for (const wire of wireValues(schema, 30)) {
      const expected = outcome(slow, wire)
      expect(outcome(fast, wire)).toEqual(expected)
      if (expected.value !== undefined) accepted++
    }
    // Some generated values do not survive JSON (a filter over the encoded form): most must.
    expect(accepted).toBeGreaterThan(15)
  })

  it.each(schemas)("%s: broken answers get Schema's own answer (its error, or its value)", (_, schema) => {
    const fast = decoderFor(schema)
    const slow = Schema.decodeUnknownSync(schema)
    const [base] = wireValues(schema, 1)
    fc.assert(fc.property(fc.nat(), fc.jsonValue(), fc.boolean(), (pick, replacement, remove) => {
      const broken = mutate(base, pick, replacement, remove)
      expect(outcome(fast, broken)).toEqual(outcome(slow, broken))
    }), { numRuns: 60, seed: 7 })
  })

  it("NoParams: {} decodes, any key is refused as Schema refuses it", () => {
    const fast = decoderFor(NoParams)
    const slow = Schema.decodeUnknownSync(NoParams)
    for (const wire of [{}, { a: 1 }, { a: null }, [], null, "x"]) expect(outcome(fast, wire)).toEqual(outcome(slow, wire))
    expect(fast({})).toEqual({})
  })

  it("shapes beyond the protocol's: overlapping unions, optional keys, records, enums, key order", () => {
    enum Level { Low = "low", High = 2 }
    const schema = Schema.Struct({
      first: Schema.Union(Schema.NumberFromString, Schema.String),
      maybe: Schema.optional(Schema.Int),
      counts: Schema.Record({ key: Schema.String, value: Schema.Number }),
      level: Schema.Enums(Level),
      when: Schema.NullOr(Schema.Date)
    })
    const fast = decoderFor(schema)
    const slow = Schema.decodeUnknownSync(schema)
    expect(isCompiled(schema)).toBe(true)
    const inputs: Array<unknown> = [
      { when: null, level: 2, counts: { a: 1 }, first: "12" },
      { first: "x", maybe: 3, counts: {}, level: "low", when: "2026-01-01T00:00:00Z", extra: true },
      { first: "x", maybe: 3.5, counts: {}, level: "low", when: null },
      { first: "x", maybe: undefined, counts: {}, level: "low", when: null },
      { first: 1, counts: {}, level: "low", when: null },
      { first: "x", counts: { a: "1" }, level: "low", when: null },
      { first: "x", counts: {}, level: "mid", when: null },
      { first: "x", counts: {}, level: "low", when: "yesterday" },
      { first: "x", counts: {}, level: "low" }
    ]
    for (const input of inputs) expect(outcome(fast, input)).toEqual(outcome(slow, input))
    expect(fast(inputs[0])).toEqual({ first: 12, counts: { a: 1 }, level: 2, when: null })
  })

  it("never changes its input", () => {
    const [wire] = wireValues(Alerts.AlertsList.result, 1)
    const before = JSON.stringify(wire)
    decoderFor(Alerts.AlertsList.result)(wire)
    expect(JSON.stringify(wire)).toBe(before)
  })

  it("turns wire timestamps into Dates and refuses a bad one with Schema's message", () => {
    const decode = decoderFor(Alerts.AlertsList.result)
    const item = {
      id: 7, name: "sshd: brute force", status: "OPEN", createdAt: "2026-11-28T08:00:00.000Z", closedAt: null,
      customerCode: "ACME", source: "wazuh", assignedTo: null, escalated: false, tags: [{ id: 1, tag: "ssh" }],
      iocCount: 0, assetCount: 1, caseIds: []
    }
    const page = decode({ items: [item], nextCursor: null })
    expect(page.items[0]!.createdAt).toEqual(new Date("2026-11-28T08:00:00.000Z"))
    expect(() => decode({ items: [{ ...item, createdAt: "not a date" }], nextCursor: null })).toThrow(/createdAt/)
    expect(() => decode({ items: [{ ...item, id: 0 }], nextCursor: null })).toThrow(/\["id"\]/)
  })

  it("as an Option: Some for a valid notification, None for a broken one", () => {
    const schema = Notifications.serverNotifications[0].params
    const decode = optionDecoderFor(schema)
    const [wire] = wireValues(schema, 1)
    expect(decode(wire)).toEqual(Schema.decodeUnknownOption(schema)(wire))
    expect(decode(wire)._tag).toBe("Some")
    expect(decode({ broken: true })._tag).toBe("None")
  })
})
