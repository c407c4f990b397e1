import { describe, expect, it } from "vitest"
import {
  basename, customerCodeOf, extract, iocTypeOf, parseOriginContext, processNameOf, resolveField, sourceTypeOf, textOf
} from "../../../src/domain/ingest/Extract.js"
import { assemble, mappingRows, validateMapping } from "../../../src/domain/ingest/Mapping.js"
import { wazuhDefaults } from "../../../src/domain/ingest/WazuhDefaults.js"
import { readFixture } from "./fixtures.js"

/** The pure rules of extraction, on hand-made documents and on the real fixtures. */

const nested = {
  timestamp: "2022-05-11T12:29:19.905+0000",
  rule: { description: "\uFEFF sshd: brute force ", mitre: { id: ["T1110"] } },
  agent: { id: "000", name: "web-01", labels: { customer: "acme" } },
  data: { srcip: "172.17.1.1", win: { eventdata: { image: "C:\\Windows\\System32\\cmd.exe" } } },
  syscheck: { sha256_after: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  full_log: "May 11 sshd[1]: Invalid user"
}
const flat = { rule_description: "flat title", agent_name: "flat-host", "data.srcip": "10.0.0.1", agent_labels_customer: "globex" }

describe("resolveField", () => {
  it("finds underscore and dotted names in nested documents, keys with underscores included", () => {
    expect(resolveField(nested, "rule_description")).toBe("\uFEFF sshd: brute force ")
    expect(resolveField(nested, "rule.description")).toBe("\uFEFF sshd: brute force ")
    expect(resolveField(nested, "agent_labels_customer")).toBe("acme")
    expect(resolveField(nested, "data_win_eventdata_image")).toBe("C:\\Windows\\System32\\cmd.exe")
    expect(resolveField(nested, "syscheck_sha256_after")).toMatch(/^e3b0/)
    expect(resolveField(nested, "full_log")).toBe("May 11 sshd[1]: Invalid user")
    expect(resolveField(nested, "rule_mitre_id")).toEqual(["T1110"])
  })

  it("prefers a flat key, at any level, to a path", () => {
    expect(resolveField(flat, "rule_description")).toBe("flat title")
    expect(resolveField(flat, "data.srcip")).toBe("10.0.0.1")
    expect(resolveField(flat, "data_srcip")).toBeUndefined()
    expect(resolveField({ rule_description: "flat", rule: { description: "nested" } }, "rule_description")).toBe("flat")
  })

  it("answers undefined for missing fields and never walks into arrays or scalars", () => {
    expect(resolveField(nested, "agent_ip")).toBeUndefined()
    expect(resolveField(nested, "rule_mitre_id_0")).toBeUndefined()
    expect(resolveField(nested, "full_log_x")).toBeUndefined()
    expect(resolveField({}, "a_b_c")).toBeUndefined()
  })
})

describe("values", () => {
  it("strips BOMs, trims, reads numbers and the first usable array item", () => {
    expect(textOf("\uFEFF  title \uFEFF")).toBe("title")
    expect(textOf("   ")).toBeUndefined()
    expect(textOf(12)).toBe("12")
    expect(textOf(["", null, "x"])).toBe("x")
    expect(textOf({ a: 1 })).toBeUndefined()
  })

  it("types IoCs by shape, URLs included, and leaves other values untyped", () => {
    expect(iocTypeOf("172.17.1.1")).toBe("IP")
    expect(iocTypeOf("2001:db8::1")).toBe("IP")
    expect(iocTypeOf("::ffff:10.0.0.1")).toBe("IP")
    expect(iocTypeOf("evil.example.com")).toBe("DOMAIN")
    expect(iocTypeOf("d41d8cd98f00b204e9800998ecf8427e")).toBe("HASH")
    expect(iocTypeOf("da39a3ee5e6b4b0d3255bfef95601890afd80709")).toBe("HASH")
    expect(iocTypeOf("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")).toBe("HASH")
    expect(iocTypeOf("https://secure.eicar.org/eicar.com.txt")).toBe("URL")
    expect(iocTypeOf("http://1.2.3.4:8080/x")).toBe("URL")
    for (const value of ["999.1.1.1", "192.168.10.21:80", "/etc/passwd", "admin", "12345", "1:2:3", "abc.123"]) {
      expect(iocTypeOf(value), value).toBeUndefined()
    }
  })

  it("names the process by its image's file name, except for osquery", () => {
    expect(processNameOf(nested)).toEqual(["cmd.exe"])
    expect(processNameOf({ process_image: "/usr/bin/curl" })).toEqual(["curl"])
    expect(processNameOf({ rule_group1: "osquery", process_image: "/usr/bin/curl" })).toEqual([])
    expect(processNameOf({})).toEqual([])
    expect(basename("C:\\a\\b.exe")).toBe("b.exe")
  })
})

describe("source type and customer", () => {
  it("reads syslog_type, then integration, then wazuh for wazuh-alerts indices", () => {
    expect(sourceTypeOf({ syslog_type: "office365", integration: "x" }, "wazuh-alerts-4.x-2024.01.01")).toBe("office365")
    expect(sourceTypeOf({ integration: "crowdstrike" }, "graylog_1")).toBe("crowdstrike")
    expect(sourceTypeOf({}, "wazuh-alerts-4.x-2024.01.01")).toBe("wazuh")
    expect(sourceTypeOf({}, "graylog_1")).toBeUndefined()
  })

  it("takes the mapping's field first, then CoPilot's fallbacks, reading worker node names", () => {
    expect(customerCodeOf({ agent: { labels: { customer: "acme" } }, customer_code: "x" }, "agent_labels_customer")).toBe("acme")
    expect(customerCodeOf({ tenant: "t1", customer_code: "x" }, "tenant")).toBe("t1")
    expect(customerCodeOf({ syslog_customer: "s", customer_code: "x" }, "nope")).toBe("s")
    expect(customerCodeOf({ cluster: { node: "wazuh.worker.Globex.02" } }, "agent_labels_customer")).toBe("globex")
    expect(customerCodeOf({ cluster: { node: "wazuh-manager" } }, "agent_labels_customer")).toBe("wazuh-manager")
    expect(customerCodeOf({ agent: { name: "x" } }, "agent_labels_customer")).toBeUndefined()
  })
})

describe("extract", () => {
  it("builds the alert's parts with the Wazuh defaults from a nested document", () => {
    const result = extract(nested, "wazuh", wazuhDefaults)
    expect(result._tag).toBe("ok")
    if (result._tag !== "ok") return
    expect(result.value).toMatchObject({ source: "wazuh", customerCode: "acme", title: "sshd: brute force", asset: "web-01", ioc: { value: "172.17.1.1", type: "IP" } })
    expect(result.value.eventTime?.toISOString()).toBe("2022-05-11T12:29:19.905Z")
    expect(result.value.context).toMatchObject({
      rule_description: "\uFEFF sshd: brute force ", agent_name: "web-01", data_srcip: "172.17.1.1", rule_mitre_id: ["T1110"],
      data_win_eventdata_image: "C:\\Windows\\System32\\cmd.exe", process_name: ["cmd.exe"]
    })
    expect(Object.keys(result.value.context)).not.toContain("agent_ip")
  })

  it("says why a document cannot become an alert, customer first as CoPilot checks", () => {
    const reason = (doc: Record<string, unknown>) => {
      const r = extract(doc, "wazuh", wazuhDefaults)
      return r._tag === "rejected" ? r.reason : "ok"
    }
    expect(reason({ rule: { description: "t" }, agent: { name: "h" } })).toMatch(/^no customer code: none of agent_labels_customer, syslog_customer/)
    expect(reason({ agent: { name: "h", labels: { customer: "c" } } })).toBe("missing title field rule_description")
    expect(reason({ rule: { description: " \uFEFF " }, agent: { name: "h", labels: { customer: "c" } } })).toBe("missing title field rule_description")
    expect(reason({ rule: { description: "t" }, agent: { labels: { customer: "c" } } })).toBe("missing asset field agent_name")
    expect(reason({ rule: { description: "t" }, agent: { name: "h", labels: { customer: "c".repeat(51) } } })).toBe("customer code longer than 50 characters")
  })

  it("falls back from the mapped time field to timestamp and @timestamp, Graylog's format included", () => {
    const time = (doc: Record<string, unknown>) => {
      const r = extract({ rule: { description: "t" }, agent: { name: "h", labels: { customer: "c" } }, ...doc }, "wazuh", wazuhDefaults)
      return r._tag === "ok" ? r.value.eventTime?.toISOString() : r.reason
    }
    expect(time({ timestamp_utc: "2024-01-15 10:00:00.000", timestamp: "2020-01-01T00:00:00Z" })).toBe("2024-01-15T10:00:00.000Z")
    expect(time({ "@timestamp": "2022-01-17T09:44:35.000000Z" })).toBe("2022-01-17T09:44:35.000Z")
    expect(time({ timestamp: "{timestamp}" })).toBeUndefined()
  })

  it("extracts every real Wazuh fixture document up to its customer", () => {
    const docs = readFixture("wazuh-alerts")
    expect(docs.length).toBe(2696)
    const reasons = new Map<string, number>()
    for (const { source } of docs) {
      const r = extract(source, "wazuh", { ...wazuhDefaults, customerCode: "manager_name" })
      const key = r._tag === "ok" ? "ok" : r.reason
      reasons.set(key, (reasons.get(key) ?? 0) + 1)
    }
    expect(Object.fromEntries(reasons)).toEqual({ ok: 2696 })
  })
})

describe("origin_context", () => {
  it("splits Graylog's URN into index and id, ids with _ and : kept whole", () => {
    expect(parseOriginContext("urn:graylog:message:es:graylog-01_3:766b70b4-f94f-11ef-be9a-005056b6f13d"))
      .toEqual({ index: "graylog-01_3", id: "766b70b4-f94f-11ef-be9a-005056b6f13d" })
    expect(parseOriginContext("urn:graylog:message:es:wazuh-alerts-4.x-2024.01.29:0NRw_Y0B9LTh695MCISi"))
      .toEqual({ index: "wazuh-alerts-4.x-2024.01.29", id: "0NRw_Y0B9LTh695MCISi" })
    expect(parseOriginContext(null)).toBeUndefined()
    expect(parseOriginContext("urn:graylog:message:mongodb:x:y")).toBeUndefined()
  })
})

describe("mappings", () => {
  it("round-trips through rows and fills what CoPilot leaves unset", () => {
    expect(assemble(mappingRows(wazuhDefaults))).toEqual({ _tag: "complete", mapping: wazuhDefaults })
    const partial = assemble([{ kind: "title", fieldName: "rule_description" }, { kind: "asset", fieldName: "agent_name" }])
    expect(partial).toEqual({ _tag: "complete", mapping: { fieldName: [], asset: ["agent_name"], timestamp: "timestamp", title: "rule_description", ioc: [], customerCode: "agent_labels_customer" } })
    expect(assemble([{ kind: "fieldName", fieldName: "x" }])).toEqual({ _tag: "incomplete", missing: ["title", "asset"] })
  })

  it("refuses what the tables cannot hold or would read back differently", () => {
    expect(validateMapping(wazuhDefaults)).toEqual([])
    const issues = validateMapping({ ...wazuhDefaults, title: "x".repeat(101), asset: ["a,b"], ioc: ["v", "v"], customerCode: " c" })
    expect(issues.map((i) => i.path.join("."))).toEqual(["fields.asset.0", "fields.title", "fields.ioc.1", "fields.customerCode"])
  })
})
