import { describe, expect, it } from "vitest"
import { json, type WriteRequest } from "../../../src/domain/ingest/AlertWriter.js"
import { alertKeys, assignAlerts, firstPerOriginal, plan } from "../../../src/domain/ingest/WritePlan.js"

/** How a batch is laid out before it is written: shared alerts, new alerts, assets and IoCs once. */

const request = (id: string, customer: string, title: string, asset: string, ioc?: string): WriteRequest => ({
  original: { index: "wazuh-alerts-4.x-2025.01.01", id },
  collected: { index: "wazuh-alerts-4.x-2025.01.01", id },
  alert: {
    source: "wazuh", customerCode: customer, title, asset, context: { id }, eventTime: undefined,
    ioc: ioc ? { value: ioc, type: "IP" } : undefined
  }
})

describe("WritePlan", () => {
  it("groups a batch by customer and title, merging into the oldest OPEN alert or one new alert per key", () => {
    const requests = [
      request("a", "ACME", "t1", "h1", "1.1.1.1"),
      request("b", "ACME", "t1", "h2", "1.1.1.1"),
      request("c", "ACME", "t2", "h1"),
      request("d", "GLBX", "t1", "h1", "2.2.2.2"),
      request("e", "ACME", "t2", "h1", "3.3.3.3")
    ]
    const keys = alertKeys(requests)
    expect(keys).toEqual([{ customerCode: "ACME", title: "t1" }, { customerCode: "ACME", title: "t2" }, { customerCode: "GLBX", title: "t1" }])
    const draft = assignAlerts(requests, keys, [
      { id: 9, customerCode: "ACME", alertName: "t2" }, { id: 7, customerCode: "ACME", alertName: "t2" }
    ])
    expect(draft.mergedInto).toEqual([7])
    expect(draft.newAlerts.map((k) => [k.customerCode, k.title, k.source])).toEqual([["ACME", "t1", "wazuh"], ["GLBX", "t1", "wazuh"]])
    const planned = plan(requests, draft, [100, 101], [{ alertLinked: 7, assetName: "h1" }])
    expect(planned.newAlerts.map((a) => [a.id, a.customerCode, a.title])).toEqual([[100, "ACME", "t1"], [101, "GLBX", "t1"]])
    expect(planned.assets.map((a) => [a.alertId, a.name, a.id])).toEqual([[100, "h1", "a"], [100, "h2", "b"], [101, "h1", "d"]])
    expect(planned.iocs).toEqual([{ alertId: 100, value: "1.1.1.1", type: "IP" }, { alertId: 101, value: "2.2.2.2", type: "IP" }, { alertId: 7, value: "3.3.3.3", type: "IP" }])
    expect([...planned.alertOf]).toEqual([["a", 100], ["b", 100], ["c", 7], ["d", 101], ["e", 7]].map(([d, a]) => [`wazuh-alerts-4.x-2025.01.01\u0000${d}`, a]))
    expect([...planned.creators].map((k) => k.split("\u0000")[1])).toEqual(["a", "d"])
    expect([...planned.created]).toEqual([100, 101])
    expect(planned.done).toHaveLength(5)
  })

  it("writes a document named twice in a batch (two Graylog events) once", () => {
    const twice = [request("a", "ACME", "t", "h"), { ...request("a", "ACME", "t", "h"), collected: { index: "gl-events_0", id: "e2" } }]
    expect(firstPerOriginal(twice)).toEqual([twice[0]])
  })
})

describe("json parameters", () => {
  it("drop NUL characters from every string, and only them", () => {
    const value = { a: "x\u0000y", b: ["\u0000", "\\u0000", "\\\u0000z"], c: { "k\u0000": 1 }, d: "\\" }
    expect(JSON.parse(json(value))).toEqual({ a: "xy", b: ["", "\\u0000", "\\z"], c: { k: 1 }, d: "\\" })
  })
})
