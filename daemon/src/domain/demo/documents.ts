/**
 * SIEM documents for the demo (and for tests and benchmarks that need many realistic ones):
 * Wazuh alerts as the Wazuh indexer stores them in wazuh-alerts-4.x-YYYY.MM.DD (nested rule,
 * agent, manager, decoder, data; `agent.labels.customer` naming the customer, as Wazuh agent
 * labels do), and Graylog events in gl-events_* pointing at some of them by origin_context,
 * with fields.COPILOT_ALERT_ID = "NONE" as CoPilot's Graylog event definitions add it. Pure.
 */
import type { SiemDoc } from "../../connectors/siem/SiemIndex.js"
import type { Prng } from "./generator.js"
import { rules, type Host, type Rule } from "./rules.js"

const DAY = 86_400_000

/** Each customer's agents: Linux servers and Windows machines, with Wazuh agent ids. */
export const hostsOf = (rng: Prng, customers: ReadonlyArray<{ readonly code: string }>): ReadonlyArray<Host> => {
  let agent = 0
  return customers.flatMap((c, ci) => {
    const short = c.code.toLowerCase().slice(0, 4)
    const make = (os: Host["os"], prefix: string, n: number): Host => ({
      name: `${prefix}-${short}-${String(n).padStart(2, "0")}`,
      agentId: String(++agent).padStart(3, "0"),
      ip: `10.${10 + ci}.${os === "linux" ? 1 : 2}.${rng.int(2, 250)}`,
      os,
      customer: c.code
    })
    return [
      ...["web", "web", "db", "mail", "vpn", "app"].map((p, i) => make("linux", p, i + 1)),
      ...["ws", "ws", "ws", "dc", "fs", "ws"].map((p, i) => make("windows", p, i + 1))
    ]
  })
}

/** The daily index Wazuh's Filebeat template writes an alert to. */
export const wazuhIndexOf = (at: Date) => `wazuh-alerts-4.x-${at.toISOString().slice(0, 10).replaceAll("-", ".")}`

const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
/** An OpenSearch auto-generated id (20 URL-safe base64 characters, `_` included). */
export const autoId = (rng: Prng) => Array.from({ length: 20 }, () => ID_CHARS[rng.int(0, ID_CHARS.length - 1)]).join("")

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
/** A ULID, as Graylog names its events. */
const ulid = (rng: Prng, at: Date) => {
  let time = at.getTime()
  let head = ""
  for (let i = 0; i < 10; i++) { head = CROCKFORD[time % 32]! + head; time = Math.floor(time / 32) }
  return head + Array.from({ length: 16 }, () => CROCKFORD[rng.int(0, 31)]).join("")
}

/** Wazuh's timestamp: millisecond ISO with a +0000 offset. */
const wazuhTime = (at: Date) => at.toISOString().replace("Z", "+0000")
/** Graylog's event time format, yyyy-MM-dd HH:mm:ss.SSS in UTC. */
const graylogTime = (at: Date) => at.toISOString().replace("T", " ").replace("Z", "")

const compliance = (rule: Rule) => rule.level >= 7
  ? { pci_dss: ["10.2.4", "10.2.5"], gdpr: ["IV_35.7.d", "IV_32.2"], hipaa: ["164.312.b"], nist_800_53: ["AU.14", "AC.7"], tsc: ["CC6.1", "CC6.8", "CC7.2", "CC7.3"] }
  : { gdpr: ["IV_32.2"] }

/** One Wazuh alert document of `rule` on `host` at `at`. */
export const wazuhAlert = (rng: Prng, rule: Rule, host: Host, at: Date, firedtimes: number): SiemDoc => {
  const fired = rule.fire(rng, host, at)
  // Cloud integrations run on the customer's Wazuh manager: agent 000.
  const agent = rule.os === "manager"
    ? { id: "000", name: `wazuh-${host.customer.toLowerCase()}`, labels: { customer: host.customer } }
    : { id: host.agentId, name: host.name, ip: host.ip, labels: { customer: host.customer } }
  return {
    index: wazuhIndexOf(at),
    id: autoId(rng),
    source: {
      timestamp: wazuhTime(at),
      "@timestamp": at.toISOString(),
      rule: {
        level: rule.level, description: fired.description ?? rule.description, id: rule.id, firedtimes, mail: rule.level >= 12,
        groups: rule.groups, ...(rule.mitre ? { mitre: rule.mitre } : {}), ...compliance(rule)
      },
      agent,
      manager: { name: `wazuh-${host.customer.toLowerCase()}` },
      id: `${Math.floor(at.getTime() / 1000)}.${rng.int(10_000, 99_999_999)}`,
      input: { type: "log" },
      ...fired.fields
    }
  }
}

/** A Graylog event (an event definition fired on the alert) naming the alert as its origin. */
export const graylogEvent = (rng: Prng, original: SiemDoc, at: Date): SiemDoc => {
  const rule = original.source["rule"] as { description: string; level: number; id: string }
  const agent = original.source["agent"] as { labels: { customer: string } }
  const id = ulid(rng, at)
  return {
    index: "gl-events_0",
    id,
    source: {
      id,
      event_definition_type: "aggregation-v1",
      event_definition_id: `64f0c0ffee${rule.id.padStart(14, "0")}`,
      origin_context: `urn:graylog:message:es:${original.index}:${original.id}`,
      timestamp: graylogTime(at),
      timestamp_processing: graylogTime(new Date(at.getTime() + rng.int(200, 5000))),
      timerange_start: null,
      timerange_end: null,
      streams: ["000000000000000000000002"],
      source_streams: ["000000000000000000000001"],
      message: rule.description,
      source: "graylog-server",
      key_tuple: [],
      key: "",
      priority: rule.level >= 12 ? 3 : 2,
      scores: {},
      associated_assets: [],
      alert: true,
      fields: { COPILOT_ALERT_ID: "NONE", CUSTOMER_CODE: agent.labels.customer, ALERT_LEVEL: String(rule.level) },
      group_by_fields: {}
    }
  }
}

export interface DemoDay {
  /** Start and end of the day's slice. */
  readonly from: Date
  readonly to: Date
  readonly alerts: ReadonlyArray<SiemDoc>
  readonly events: ReadonlyArray<SiemDoc>
}

const pickRule = (rng: Prng, total: number) => {
  let roll = rng.next() * total
  for (const rule of rules) {
    roll -= rule.weight
    if (roll < 0) return rule
  }
  return rules[rules.length - 1]!
}

/**
 * `count` alerts over the `days` days before `now`, more of them recent, split by day; about
 * half of those of level 7 or more also get a Graylog event (event definitions select the
 * alerts that matter).
 */
export const demoDays = (rng: Prng, hosts: ReadonlyArray<Host>, count: number, now: number, days = 14): ReadonlyArray<DemoDay> => {
  const total = rules.reduce((sum, r) => sum + r.weight, 0)
  const start = now - days * DAY
  const times = Array.from({ length: count }, () => now - Math.floor(rng.next() ** 2 * days * DAY)).sort((a, b) => a - b)
  const fired = new Map<string, number>()
  const out = Array.from({ length: days }, (_, d) => ({ from: new Date(start + d * DAY), to: new Date(start + (d + 1) * DAY), alerts: [] as Array<SiemDoc>, events: [] as Array<SiemDoc> }))
  for (const t of times) {
    const rule = pickRule(rng, total)
    const candidates = hosts.filter((h) => h.os === (rule.os === "manager" ? "linux" : rule.os))
    const host = rng.pick(candidates)
    const key = `${rule.id} ${host.name}`
    fired.set(key, (fired.get(key) ?? 0) + 1)
    const at = new Date(t)
    const doc = wazuhAlert(rng, rule, host, at, fired.get(key)!)
    const day = out[Math.min(days - 1, Math.floor((t - start) / DAY))]!
    day.alerts.push(doc)
    if (rule.level >= 7 && rng.chance(0.5)) day.events.push(graylogEvent(rng, doc, new Date(t + rng.int(1000, 60_000))))
  }
  return out
}
