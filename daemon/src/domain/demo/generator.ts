/**
 * A deterministic generator of a realistic SOC: customers, people, tags and comments; the SIEM
 * documents its alerts come from are made by documents.ts from the rules in rules.ts. Pure:
 * the same seed gives the same data, so demos and tests are repeatable.
 */

/** mulberry32: small, fast, good enough for demo data. */
export const prng = (seed: number) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)]!
  const chance = (p: number) => next() < p
  const hex = (length: number) => Array.from({ length }, () => "0123456789abcdef"[int(0, 15)]).join("")
  return { next, int, pick, chance, hex }
}
export type Prng = ReturnType<typeof prng>

export const customers = [
  { code: "ACME", name: "Acme Corporation", city: "Springfield", country: "US" },
  { code: "GLOBEX", name: "Globex Industries", city: "Cypress Creek", country: "US" },
  { code: "INITECH", name: "Initech", city: "Austin", country: "US" },
  { code: "UMBRELLA", name: "Umbrella Health", city: "Raccoon City", country: "US" },
  { code: "NORDWIND", name: "Nordwind Logistik", city: "Hamburg", country: "DE" },
  { code: "KESTREL", name: "Kestrel Bank", city: "Leeds", country: "GB" }
] as const

export const tags = ["network", "malware", "phishing", "identity", "endpoint", "cloud", "compliance", "critical"] as const

export const people = [
  { username: "alice", role: "analyst" as const, email: "alice@soc.example" },
  { username: "bob", role: "analyst" as const, email: "bob@soc.example" },
  { username: "dana", role: "analyst" as const, email: "dana@soc.example" },
  { username: "carol", role: "customer_user" as const, email: "carol@acme.example", customers: ["ACME"] },
  { username: "erin", role: "customer_user" as const, email: "erin@kestrel.example", customers: ["KESTREL", "NORDWIND"] },
  { username: "scheduler", role: "scheduler" as const, email: "scheduler@soc.example" }
]

export const comments = [
  "Checked with the host owner: expected maintenance window.",
  "Escalating: the source IP appears on two threat-intel feeds.",
  "Blocked the IP at the perimeter firewall.",
  "False positive: vulnerability scanner run by the customer.",
  "Collected triage artifacts from the endpoint.",
  "User confirmed they did not initiate this sign-in; password reset requested.",
  "Same pattern as last week's incident; linking to the case."
]
