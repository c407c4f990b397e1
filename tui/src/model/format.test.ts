import { describe, expect, it } from "vitest"
import { layoutColumns } from "./columns.js"
import { age, fit, relative, splitMatches, wrap } from "./format.js"

describe("cells", () => {
  it("fits text into a width", () => {
    expect(fit("abc", 5)).toBe("abc  ")
    expect(fit("abc", 5, "right")).toBe("  abc")
    expect(fit("abcdef", 4)).toBe("abc…")
    expect(fit("a\nb", 3)).toBe("a b")
  })

  it("says how old, in at most four cells", () => {
    const now = Date.parse("2026-11-03T12:00:00Z")
    expect(age(new Date(now - 5_000), now)).toBe("5s")
    expect(age(new Date(now - 5 * 60_000), now)).toBe("5m")
    expect(age(new Date(now - 3 * 3_600_000), now)).toBe("3h")
    expect(age(new Date(now - 12 * 86_400_000), now)).toBe("12d")
    expect(age(new Date(now - 100 * 86_400_000), now)).toBe("3mo")
    expect(relative(new Date(now + 4 * 60_000), now)).toBe("in 4m")
    expect(relative(new Date(now - 4 * 60_000), now)).toBe("4m ago")
  })

  it("wraps words and splits matches", () => {
    expect(wrap("the quick brown fox", 9)).toEqual(["the quick", "brown fox"])
    expect(wrap("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"])
    expect(wrap("a\n\nb", 10)).toEqual(["a", "", "b"])
    expect(splitMatches("Evil.example and EVIL", "evil")).toEqual([
      { text: "Evil", match: true }, { text: ".example and ", match: false }, { text: "EVIL", match: true }
    ])
  })

  it("lays out columns: drops the most droppable first, gives the rest to the flexible one", () => {
    const columns = [
      { key: "id", title: "ID", width: 5 },
      { key: "name", title: "NAME", width: 10, flex: true, max: 30 },
      { key: "tags", title: "TAGS", width: 10, drop: 1 },
      { key: "source", title: "SOURCE", width: 10, drop: 2 }
    ]
    expect(layoutColumns(columns, 80).columns.map((c) => [c.key, c.width])).toEqual([["id", 5], ["name", 30], ["tags", 10], ["source", 10]])
    expect(layoutColumns(columns, 30).columns.map((c) => [c.key, c.width])).toEqual([["id", 5], ["name", 13], ["tags", 10]])
    expect(layoutColumns(columns, 10).columns.map((c) => c.key)).toEqual(["id", "name"])
  })
})
