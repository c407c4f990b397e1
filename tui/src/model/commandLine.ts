import { Alerts, Cases, Status } from "@sockeye/protocol"
import type { AlertSortField, CaseSortField, SortDirection } from "./routes.js"

/**
 * The `:` command line, k9s style: a view name or alias, then `key=value` filters (values may be
 * comma lists) and bare words (the text filter). Parsing is pure; names that need the daemon
 * (tags, "me") are resolved by the caller.
 */
export type StatusValue = typeof Status.Type

export interface AlertSpec {
  readonly status?: ReadonlyArray<StatusValue>
  readonly tags?: ReadonlyArray<string>
  readonly customers?: ReadonlyArray<string>
  readonly sources?: ReadonlyArray<string>
  /** A username, "me", or null for unassigned. */
  readonly assignee?: string | null
  readonly escalated?: boolean
  readonly ioc?: string
  readonly text?: string
  readonly createdAfter?: Date
  readonly sort?: { readonly field: string; readonly direction: SortDirection }
}

export type Parsed =
  | { readonly kind: "alerts"; readonly spec: AlertSpec; readonly label: string }
  | { readonly kind: "alert"; readonly id: number }
  | { readonly kind: "cases"; readonly spec: AlertSpec; readonly label: string }
  | { readonly kind: "case"; readonly id: number }
  | { readonly kind: "jobs" }
  | { readonly kind: "help" }
  | { readonly kind: "quit" }
  | { readonly kind: "error"; readonly message: string }

const VIEWS: Record<string, "alerts" | "cases" | "jobs" | "help" | "quit"> = {
  alerts: "alerts", alert: "alerts", al: "alerts", a: "alerts",
  cases: "cases", case: "cases", cs: "cases", c: "cases",
  jobs: "jobs", job: "jobs", j: "jobs",
  help: "help", h: "help", "?": "help",
  quit: "quit", q: "quit", "q!": "quit", exit: "quit"
}

/** Names offered by completion (the first of each group of aliases). */
export const COMMAND_NAMES = ["alerts", "alert", "cases", "case", "jobs", "help", "quit"] as const

export const ALERT_KEYS = ["status", "tag", "customer", "source", "assignee", "escalated", "ioc", "text", "since", "sort"] as const
export const CASE_KEYS = ["status", "customer", "assignee", "escalated", "text", "sort"] as const

const KEY_ALIASES: Record<string, string> = {
  tags: "tag", customers: "customer", sources: "source", assigned: "assignee", assignedto: "assignee",
  user: "assignee", q: "text", created: "since", after: "since"
}

export const statusOf = (value: string): StatusValue | undefined => {
  const v = value.trim().toLowerCase().replace(/[\s-]/g, "_")
  if (v === "open" || v === "o") return "OPEN"
  if (v === "in_progress" || v === "inprogress" || v === "progress" || v === "i") return "IN_PROGRESS"
  if (v === "closed" || v === "close" || v === "c") return "CLOSED"
  return (Status.literals as ReadonlyArray<string>).includes(value.toUpperCase()) ? value.toUpperCase() as StatusValue : undefined
}

const SORT_ALIASES: Record<string, string> = {
  age: "createdAt", created: "createdAt", createdat: "createdAt", time: "createdAt", id: "id", status: "status",
  name: "name", customer: "customerCode", customercode: "customerCode", source: "source", assignee: "assignedTo", assignedto: "assignedTo"
}
export const ALERT_SORT_FIELDS: ReadonlyArray<AlertSortField> = Alerts.AlertSortField.literals
export const CASE_SORT_FIELDS: ReadonlyArray<CaseSortField> = Cases.CaseSortField.literals

const parseSort = (value: string, fields: ReadonlyArray<string>): NonNullable<AlertSpec["sort"]> | string => {
  let v = value.trim()
  let direction: SortDirection | undefined
  if (v.startsWith("-")) { direction = "desc"; v = v.slice(1) }
  const [name = "", dir] = v.split(":")
  const field = SORT_ALIASES[name.toLowerCase()] ?? name
  if (!fields.includes(field)) return `sort: unknown column "${name}" (one of ${fields.join(", ")})`
  if (dir !== undefined && dir !== "asc" && dir !== "desc") return `sort: direction is asc or desc, got "${dir}"`
  return { field, direction: (dir as SortDirection | undefined) ?? direction ?? (field === "createdAt" || field === "id" ? "desc" : "asc") }
}

const parseSince = (value: string, now: number): Date | string => {
  const m = /^(\d+)\s*(m|min|h|d|w)$/i.exec(value.trim())
  if (m) {
    const unit = { m: 60, min: 60, h: 3600, d: 86_400, w: 604_800 }[m[2]!.toLowerCase() as "m"]
    return new Date(now - Number(m[1]) * unit * 1000)
  }
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? `since: give 30m, 24h, 7d or a date, got "${value}"` : date
}

const list = (value: string) => value.split(",").map((v) => v.trim()).filter((v) => v !== "")

const parseFilters = (view: "alerts" | "cases", args: ReadonlyArray<string>, now: number): AlertSpec | string => {
  const spec: { -readonly [K in keyof AlertSpec]: AlertSpec[K] } = {}
  const words: Array<string> = []
  const keys: ReadonlyArray<string> = view === "alerts" ? ALERT_KEYS : CASE_KEYS
  for (const arg of args) {
    const eq = arg.indexOf("=")
    if (eq <= 0) { words.push(arg.startsWith("/") ? arg.slice(1) : arg); continue }
    const rawKey = arg.slice(0, eq).toLowerCase()
    const key = KEY_ALIASES[rawKey] ?? rawKey
    const value = arg.slice(eq + 1)
    if (!keys.includes(key)) return `${view} has no filter "${rawKey}" (use ${keys.join(", ")})`
    switch (key) {
      case "status": {
        const statuses = list(value).map((v) => [v, statusOf(v)] as const)
        const bad = statuses.find(([, s]) => s === undefined)
        if (bad) return `status: unknown status "${bad[0]}" (open, in_progress, closed)`
        spec.status = [...new Set(statuses.map(([, s]) => s!))]
        break
      }
      case "tag": spec.tags = list(value); break
      case "customer": spec.customers = list(value); break
      case "source": spec.sources = list(value); break
      case "assignee": spec.assignee = ["none", "-", "nobody", "unassigned"].includes(value.toLowerCase()) ? null : value; break
      case "escalated": {
        const v = value.toLowerCase()
        if (!["true", "yes", "1", "false", "no", "0"].includes(v)) return `escalated: yes or no, got "${value}"`
        spec.escalated = ["true", "yes", "1"].includes(v)
        break
      }
      case "ioc": spec.ioc = value; break
      case "text": words.push(value); break
      case "since": {
        const since = parseSince(value, now)
        if (typeof since === "string") return since
        spec.createdAfter = since
        break
      }
      case "sort": {
        const sort = parseSort(value, view === "alerts" ? ALERT_SORT_FIELDS : CASE_SORT_FIELDS)
        if (typeof sort === "string") return sort
        spec.sort = sort
        break
      }
    }
  }
  if (words.length > 0) spec.text = words.join(" ")
  return spec
}

/** Parses what follows ":"; `now` anchors relative times (since=24h). */
export const parseCommandLine = (line: string, now: number = Date.now()): Parsed => {
  const [head = "", ...args] = line.trim().split(/\s+/).filter((t) => t !== "")
  if (head === "") return { kind: "error", message: "type a command: alerts, cases, jobs, alert N, case N, help, quit" }
  const inlineId = /^(alert|al|a|case|cs|c)#?(\d+)$/.exec(head)
  const view = VIEWS[head.toLowerCase()]
  const idArg = inlineId ? inlineId[2] : args.length === 1 && /^#?\d+$/.test(args[0]!) ? args[0]!.replace("#", "") : undefined
  if ((inlineId || view === "alerts" || view === "cases") && idArg !== undefined) {
    const id = Number(idArg)
    if (!Number.isSafeInteger(id) || id <= 0) return { kind: "error", message: `not an id: ${idArg}` }
    const kind = (inlineId ? VIEWS[inlineId[1]!] : view) === "alerts" ? "alert" : "case"
    return { kind, id }
  }
  if (!view) return { kind: "error", message: `unknown command "${head}" (alerts, cases, jobs, alert N, case N, help, quit)` }
  if (view === "alerts" || view === "cases") {
    const spec = parseFilters(view, args, now)
    return typeof spec === "string" ? { kind: "error", message: spec } : { kind: view, spec, label: args.join(" ") }
  }
  if (args.length > 0) return { kind: "error", message: `${view} takes no arguments` }
  return { kind: view }
}

/** Values completion can offer, loaded from the daemon by the caller. */
export interface Lookups {
  readonly tags: ReadonlyArray<string>
  readonly customers: ReadonlyArray<string>
  readonly users: ReadonlyArray<string>
  readonly sources: ReadonlyArray<string>
}

export interface Completion {
  /** Where the completed token starts in the input. */
  readonly from: number
  readonly candidates: ReadonlyArray<string>
}

const valuesFor = (key: string, lookups: Lookups, view: string): ReadonlyArray<string> => {
  switch (KEY_ALIASES[key] ?? key) {
    case "status": return ["open", "in_progress", "closed"]
    case "tag": return lookups.tags
    case "customer": return lookups.customers
    case "source": return lookups.sources
    case "assignee": return ["me", "none", ...lookups.users]
    case "escalated": return ["yes", "no"]
    case "since": return ["1h", "24h", "7d", "30d"]
    case "sort": return view === "alerts" ? ["age", "id", "name", "status", "customer", "source", "assignee"] : ["age", "id", "name", "status", "customer", "assignee"]
    default: return []
  }
}

const startsWith = (value: string, prefix: string) => value.toLowerCase().startsWith(prefix.toLowerCase())

/** Candidates for the last word of the input. */
export const complete = (input: string, lookups: Lookups): Completion => {
  const from = input.lastIndexOf(" ") + 1
  const token = input.slice(from)
  const head = input.trimStart().split(/\s+/)[0] ?? ""
  if (from === 0 || input.trimStart() === token) {
    return { from, candidates: COMMAND_NAMES.filter((c) => startsWith(c, token) && c !== token) }
  }
  const view = VIEWS[head.toLowerCase()]
  if (view !== "alerts" && view !== "cases") return { from, candidates: [] }
  const eq = token.indexOf("=")
  if (eq < 0) {
    const keys: ReadonlyArray<string> = view === "alerts" ? ALERT_KEYS : CASE_KEYS
    return { from, candidates: keys.filter((k) => startsWith(k, token)).map((k) => `${k}=`) }
  }
  const key = token.slice(0, eq).toLowerCase()
  const value = token.slice(eq + 1)
  const comma = value.lastIndexOf(",")
  const prefix = value.slice(0, comma + 1)
  const last = value.slice(comma + 1)
  const offered = valuesFor(key, lookups, view).filter((v) => startsWith(v, last) && v !== last)
  return { from, candidates: [...new Set(offered)].slice(0, 50).map((v) => `${token.slice(0, eq + 1)}${prefix}${v}`) }
}
