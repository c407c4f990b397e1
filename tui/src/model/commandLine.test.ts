import { describe, expect, it } from "vitest"
import { complete, parseCommandLine, type Lookups } from "./commandLine.js"
import { alertQueryOf } from "./resolve.js"

const NOW = Date.parse("2026-11-03T12:00:00Z")
const lookups: Lookups = { tags: ["network", "malware", "identity"], customers: ["ACME", "GLOBEX"], users: ["alice", "bob"], sources: ["wazuh", "graylog"] }

describe("the : command line", () => {
  it("parses views, aliases and filters", () => {
    expect(parseCommandLine("alerts status=open tag=network customer=acme", NOW)).toEqual({
      kind: "alerts", spec: { status: ["OPEN"], tags: ["network"], customers: ["acme"] }, label: "status=open tag=network customer=acme"
    })
    expect(parseCommandLine("al status=open,in_progress assignee=none escalated=yes ioc=1.2.3.4 since=24h sort=-name brute force", NOW)).toEqual({
      kind: "alerts",
      spec: {
        status: ["OPEN", "IN_PROGRESS"], assignee: null, escalated: true, ioc: "1.2.3.4",
        createdAfter: new Date(NOW - 86_400_000), sort: { field: "name", direction: "desc" }, text: "brute force"
      },
      label: "status=open,in_progress assignee=none escalated=yes ioc=1.2.3.4 since=24h sort=-name brute force"
    })
    expect(parseCommandLine("alert 123")).toEqual({ kind: "alert", id: 123 })
    expect(parseCommandLine("a #7")).toEqual({ kind: "alert", id: 7 })
    expect(parseCommandLine("case 42")).toEqual({ kind: "case", id: 42 })
    expect(parseCommandLine("cs status=closed sort=customer:desc").kind).toBe("cases")
    expect(parseCommandLine("jobs")).toEqual({ kind: "jobs" })
    expect(parseCommandLine("j")).toEqual({ kind: "jobs" })
    expect(parseCommandLine("q")).toEqual({ kind: "quit" })
    expect(parseCommandLine("help")).toEqual({ kind: "help" })
  })

  it("says what is wrong", () => {
    expect(parseCommandLine("alertz")).toMatchObject({ kind: "error", message: expect.stringContaining('unknown command "alertz"') })
    expect(parseCommandLine("alerts status=maybe")).toMatchObject({ kind: "error", message: expect.stringContaining('unknown status "maybe"') })
    expect(parseCommandLine("cases tag=x")).toMatchObject({ kind: "error", message: expect.stringContaining('cases has no filter "tag"') })
    expect(parseCommandLine("alerts sort=colour")).toMatchObject({ kind: "error", message: expect.stringContaining('unknown column "colour"') })
    expect(parseCommandLine("alerts since=soon")).toMatchObject({ kind: "error" })
    expect(parseCommandLine("jobs now")).toMatchObject({ kind: "error", message: "jobs takes no arguments" })
    expect(parseCommandLine("")).toMatchObject({ kind: "error" })
  })

  it("completes view names, filter keys and values", () => {
    expect(complete("al", lookups)).toEqual({ from: 0, candidates: ["alerts", "alert"] })
    expect(complete("alerts st", lookups)).toEqual({ from: 7, candidates: ["status="] })
    expect(complete("alerts status=o", lookups)).toEqual({ from: 7, candidates: ["status=open"] })
    expect(complete("alerts status=open,c", lookups)).toEqual({ from: 7, candidates: ["status=open,closed"] })
    expect(complete("alerts tag=n", lookups).candidates).toEqual(["tag=network"])
    expect(complete("alerts customer=", lookups).candidates).toEqual(["customer=ACME", "customer=GLOBEX"])
    expect(complete("alerts assignee=", lookups).candidates).toEqual(["assignee=me", "assignee=none", "assignee=alice", "assignee=bob"])
    expect(complete("cases ta", lookups).candidates).toEqual([])
    expect(complete("jobs ", lookups).candidates).toEqual([])
  })

  it("resolves tag names to the daemon's ids and customer names to their codes", () => {
    const parsed = parseCommandLine("alerts tag=Network customer=acme assignee=me")
    if (parsed.kind !== "alerts") throw new Error(parsed.kind)
    const tags = [{ id: 4, tag: "network" }]
    expect(alertQueryOf(parsed.spec, parsed.label, { tags, me: "alice", customers: ["ACME"] })).toMatchObject({
      filter: { tagIds: [4], customerCodes: ["ACME"], assignedTo: "alice" }, label: "tag=Network customer=acme assignee=me"
    })
    expect(alertQueryOf({ tags: ["nope"] }, "", { tags, me: "alice" })).toBe('unknown tag "nope"')
  })
})
