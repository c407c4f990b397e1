import { describe, expect, it } from "vitest"
import { Either } from "effect"
import { MAX_CLAUSES, parseQuery, type QueryNode } from "../../../src/connectors/siem/QueryString.js"
import { deepMerge, describeUrl, timestampMillis } from "../../../src/connectors/siem/documents.js"

const tree = (query: string): QueryNode => {
  const parsed = parseQuery(query)
  if (Either.isLeft(parsed)) throw new Error(`${query}: ${parsed.left}`)
  return parsed.right
}
const refusal = (query: string) => Either.getLeft(parseQuery(query)).pipe((o) => (o._tag === "Some" ? o.value : "(parsed)"))

describe("query-string subset: what parses", () => {
  const cases: Array<[string, QueryNode]> = [
    ["", { kind: "all" }],
    ["*", { kind: "all" }],
    ["*:*", { kind: "all" }],
    ["rule.id:5712", { kind: "term", field: "rule.id", value: "5712" }],
    ["rule.description:\"brute force: \\\"x\\\"\"", { kind: "term", field: "rule.description", value: "brute force: \"x\"" }],
    ["agent.name:web*", { kind: "prefix", field: "agent.name", prefix: "web" }],
    ["agent.name:*", { kind: "exists", field: "agent.name" }],
    ["_exists_:data.srcip", { kind: "exists", field: "data.srcip" }],
    ["rule.level:>=10", { kind: "compare", field: "rule.level", op: ">=", value: 10 }],
    ["rule.level:>9.5", { kind: "compare", field: "rule.level", op: ">", value: 9.5 }],
    ["rule.level:<-1", { kind: "compare", field: "rule.level", op: "<", value: -1 }],
    ["rule.level:<=3", { kind: "compare", field: "rule.level", op: "<=", value: 3 }],
    ["brute", { kind: "text", text: "brute" }],
    ["brut*", { kind: "text", text: "brut" }],
    ["\"brute force\"", { kind: "text", text: "brute force" }],
    ["path:C\\:\\\\Windows\\*", { kind: "term", field: "path", value: "C:\\Windows*" }],
    ["data.win.eventdata.threat\\ Name:Virus", { kind: "term", field: "data.win.eventdata.threat Name", value: "Virus" }],
    ["host:web-01", { kind: "term", field: "host", value: "web-01" }],
    ["@timestamp:*", { kind: "exists", field: "@timestamp" }],
    ["a:1 b:2", { kind: "and", nodes: [{ kind: "term", field: "a", value: "1" }, { kind: "term", field: "b", value: "2" }] }],
    ["a:1 OR b:2 AND NOT c:3", {
      kind: "or",
      nodes: [{ kind: "term", field: "a", value: "1" }, {
        kind: "and", nodes: [{ kind: "term", field: "b", value: "2" }, { kind: "not", node: { kind: "term", field: "c", value: "3" } }]
      }]
    }],
    ["(a:1 OR b:2) c", {
      kind: "and",
      nodes: [{ kind: "or", nodes: [{ kind: "term", field: "a", value: "1" }, { kind: "term", field: "b", value: "2" }] }, { kind: "text", text: "c" }]
    }],
    ["NOT NOT a", { kind: "not", node: { kind: "not", node: { kind: "text", text: "a" } } }],
    ["and or", { kind: "and", nodes: [{ kind: "text", text: "and" }, { kind: "text", text: "or" }] }]
  ]
  for (const [query, expected] of cases) it(JSON.stringify(query), () => expect(tree(query)).toEqual(expected))
})

describe("query-string subset: what is refused, with the reason and where", () => {
  const cases: Array<[string, string]> = [
    ["rule.level:[10 TO 12]", "ranges [a TO b] are not supported: use field:>=a AND field:<b (at character 12)"],
    ["rule.level:{10 TO 12}", "ranges [a TO b] are not supported: use field:>=a AND field:<b (at character 12)"],
    ["agent.name:/web.*/", "regular expressions /…/ are not supported (at character 12)"],
    ["brute~", "fuzzy and proximity searches (~) are not supported (at character 6)"],
    ["\"brute force\"~2", "proximity searches (\"…\"~n) are not supported (at character 14)"],
    ["a:b^2", "boosts (^) are not supported (at character 4)"],
    ["a:w?b", "wildcards are supported only at the end of a value (val*) (at character 4)"],
    ["a:*b", "wildcards are supported only at the end of a value (val*) (at character 3)"],
    ["data.*:x", "wildcard field names are not supported (at character 1)"],
    ["+a", "the + and - prefixes are not supported: use AND and NOT (at character 1)"],
    ["a -b", "the + and - prefixes are not supported: use AND and NOT (at character 3)"],
    ["!a", "use NOT instead of ! (at character 1)"],
    ["a && b", "use AND instead of && (at character 3)"],
    ["a || b", "use OR instead of || (at character 3)"],
    ["f:(a b)", "field:(…) groups are not supported: write field:a OR field:b (at character 3)"],
    ["a:b:c", "a second ':' in field:value: quote the value or escape it (\\:) (at character 4)"],
    ["a:", "a: needs a value (at character 3)"],
    ["a:>=ten", "a:>= takes a number (for times, use from and to) (at character 5)"],
    ["a..b:c", "\"a..b\" is not a field name (letters, digits, _ @ . -) (at character 1)"],
    ["a\\.b:c", "field names with escaped dots are not supported (at character 1)"],
    ["(a", "missing ) for this ( (at character 1)"],
    ["a)", "unexpected ) (at character 2)"],
    ["()", "empty parentheses (at character 1)"],
    ["AND a", "AND needs a clause before it (at character 1)"],
    ["a OR", "the query ends where a clause was expected (at character 5)"],
    ["\"open", "unterminated phrase (at character 1)"],
    ["a\\", "a trailing \\ escapes nothing (at character 2)"],
    ["ab\"c\"", "unexpected \" inside a word: quote the whole value (at character 3)"],
    ["a:b[1]", "'[' must be escaped (\\[) or quoted (at character 4)"],
    ["_exists_:\"x\"", "_exists_ takes a field name, not a phrase (at character 10)"],
    ["(".repeat(40) + "a" + ")".repeat(40), "parentheses nest deeper than 32 (at character 33)"]
  ]
  for (const [query, reason] of cases) it(JSON.stringify(query.slice(0, 40)), () => expect(refusal(query)).toBe(reason))

  it(`more than ${MAX_CLAUSES} clauses`, () => {
    expect(refusal(Array.from({ length: MAX_CLAUSES + 1 }, (_, i) => `f:${i}`).join(" OR "))).toMatch(/^more than 1024 clauses \(at character \d+\)$/)
    expect(Either.isRight(parseQuery(Array.from({ length: MAX_CLAUSES }, (_, i) => `f:${i}`).join(" OR ")))).toBe(true)
  })
})

describe("document helpers", () => {
  it("timestampMillis reads what the date_optional_time||epoch_millis format reads", () => {
    expect(timestampMillis("2022-05-11T12:29:19.905+0000")).toBe(Date.UTC(2022, 4, 11, 12, 29, 19, 905))
    expect(timestampMillis("2022-11-17T19:17:42.694+0200")).toBe(Date.UTC(2022, 10, 17, 17, 17, 42, 694))
    expect(timestampMillis("2022-11-17T19:17:42-05:30")).toBe(Date.UTC(2022, 10, 18, 0, 47, 42))
    expect(timestampMillis("2020-03-04T13:55:05.224939+0000")).toBe(Date.UTC(2020, 2, 4, 13, 55, 5, 224))
    expect(timestampMillis("2024-01-15 10:00:00.000")).toBe(Date.UTC(2024, 0, 15, 10))
    expect(timestampMillis("2024-01-15")).toBe(Date.UTC(2024, 0, 15))
    expect(timestampMillis(1700000000123)).toBe(1700000000123)
    expect(timestampMillis("1700000000123")).toBe(1700000000123)
    for (const bad of ["{timestamp}", "2024-02-31T00:00:00Z", "2024-01-01T25:00:00Z", "Jan 17 09:44:35", null, {}, Number.NaN]) {
      expect(timestampMillis(bad), String(bad)).toBeUndefined()
    }
  })

  it("deepMerge merges objects at every depth and replaces arrays, scalars and null", () => {
    const before = { a: { b: 1, c: [1, 2], d: { e: 1 } }, f: "x", g: { h: 1 } }
    expect(deepMerge(before, { a: { c: [3], d: { z: 2 } }, f: null, g: "flat", n: { m: 1 } }))
      .toEqual({ a: { b: 1, c: [3], d: { e: 1, z: 2 } }, f: null, g: "flat", n: { m: 1 } })
    expect(before.a.d).toEqual({ e: 1 })
  })

  it("describeUrl drops credentials", () => {
    expect(describeUrl("https://admin:secret@indexer:9200/")).toBe("https://indexer:9200")
  })
})
