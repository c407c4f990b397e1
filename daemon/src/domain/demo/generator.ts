/**
 * A deterministic generator of a realistic SOC: customers, people, tags and a few thousand
 * alerts shaped like Wazuh and Graylog detections (rule titles, hosts, indices, IoCs). Pure:
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

/** Detections as Wazuh rules describe them, with the tags an analyst would give them. */
export const detections: ReadonlyArray<{ title: string; source: string; tags: ReadonlyArray<string>; ioc: "IP" | "DOMAIN" | "HASH" | "URL" | null }> = [
  { title: "sshd: Attempt to login using a non-existent user", source: "wazuh", tags: ["identity"], ioc: "IP" },
  { title: "sshd: authentication failed", source: "wazuh", tags: ["identity"], ioc: "IP" },
  { title: "Multiple Windows logon failures", source: "wazuh", tags: ["identity"], ioc: "IP" },
  { title: "Windows Defender: Antimalware platform detected potentially unwanted software", source: "wazuh", tags: ["malware", "endpoint"], ioc: "HASH" },
  { title: "Mimikatz command line detected", source: "wazuh", tags: ["malware", "critical", "endpoint"], ioc: "HASH" },
  { title: "Suspicious PowerShell base64 encoded command", source: "wazuh", tags: ["endpoint"], ioc: null },
  { title: "Certutil used to download a file", source: "wazuh", tags: ["endpoint", "malware"], ioc: "URL" },
  { title: "LSASS memory access by an unusual process", source: "wazuh", tags: ["critical", "endpoint", "identity"], ioc: null },
  { title: "VirusTotal: Alert - file flagged by 12 engines", source: "virustotal", tags: ["malware"], ioc: "HASH" },
  { title: "Office 365: Suspicious inbox forwarding rule created", source: "office365", tags: ["phishing", "cloud"], ioc: "DOMAIN" },
  { title: "Office 365: Sign-in from an unfamiliar location", source: "office365", tags: ["identity", "cloud"], ioc: "IP" },
  { title: "Phishing URL clicked in email", source: "graylog", tags: ["phishing"], ioc: "URL" },
  { title: "Outbound connection to known C2 domain", source: "graylog", tags: ["network", "critical"], ioc: "DOMAIN" },
  { title: "Port scan detected from external host", source: "graylog", tags: ["network"], ioc: "IP" },
  { title: "Firewall: high rate of denied connections", source: "graylog", tags: ["network"], ioc: "IP" },
  { title: "CIS benchmark check failed: password policy", source: "wazuh", tags: ["compliance"], ioc: null },
  { title: "File integrity: /etc/passwd modified", source: "wazuh", tags: ["endpoint", "compliance"], ioc: null },
  { title: "New local administrator account created", source: "wazuh", tags: [], ioc: null }
]

const hostPrefixes = ["web", "db", "dc", "ws", "mail", "vpn", "fs", "app"]

export const hostName = (rng: Prng, customer: string) =>
  `${rng.pick(hostPrefixes)}-${customer.toLowerCase().slice(0, 4)}-${String(rng.int(1, 40)).padStart(2, "0")}`

export const iocValue = (rng: Prng, type: "IP" | "DOMAIN" | "HASH" | "URL") => {
  switch (type) {
    case "IP": return `${rng.pick([45, 91, 185, 193, 203])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`
    case "DOMAIN": return `${rng.pick(["update", "cdn", "login", "secure", "mail"])}-${rng.hex(6)}.${rng.pick(["xyz", "top", "ru", "info", "com"])}`
    case "HASH": return rng.hex(64)
    case "URL": return `http://${rng.pick(["files", "dl", "get"])}.${rng.hex(5)}.${rng.pick(["xyz", "top", "io"])}/${rng.hex(8)}.exe`
  }
}

export const comments = [
  "Checked with the host owner: expected maintenance window.",
  "Escalating: the source IP appears on two threat-intel feeds.",
  "Blocked the IP at the perimeter firewall.",
  "False positive: vulnerability scanner run by the customer.",
  "Collected triage artifacts from the endpoint.",
  "User confirmed they did not initiate this sign-in; password reset requested.",
  "Same pattern as last week's incident; linking to the case."
]
