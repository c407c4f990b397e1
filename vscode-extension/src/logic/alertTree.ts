import type { DaemonClient } from "@sockeye/client"
import { Alerts, type AlertSummary, type Status } from "@sockeye/protocol"

export const STATUSES: ReadonlyArray<Status> = ["OPEN", "IN_PROGRESS", "CLOSED"]
export const STATUS_LABEL: Record<Status, string> = { OPEN: "Open", IN_PROGRESS: "In progress", CLOSED: "Closed" }

export type AlertNode =
  | { readonly kind: "status"; readonly key: string; readonly status: Status; readonly count: number }
  | { readonly kind: "customer"; readonly key: string; readonly status: Status; readonly customerCode: string; readonly count: number }
  | { readonly kind: "alert"; readonly key: string; readonly alert: AlertSummary }
  | { readonly kind: "more"; readonly key: string; readonly group: string; readonly loaded: number }

interface Group {
  readonly status: Status
  readonly customerCode: string
  items: Array<AlertSummary>
  nextCursor: string | null
  /** The items are stale: the next read fetches again, as many as were shown. */
  stale: boolean
}

export const groupKey = (status: Status, customerCode: string) => `${status}/${customerCode}`

/** Beyond this many changed ids, a change refreshes every group instead of locating each alert. */
const LOCATE_LIMIT = 20

/**
 * The Alerts view: status, then customer (counts from alerts/count), then pages of alerts with a
 * "load more" node (keyset cursors). Loaded pages are kept so that a live change refetches only the
 * groups it touches.
 */
export class AlertTree {
  private readonly groups = new Map<string, Group>()

  constructor(private readonly client: () => DaemonClient, private readonly pageSize = 50) {}

  async roots(): Promise<Array<AlertNode>> {
    const counted = await this.client().call(Alerts.AlertsCount, { groupBy: "status" })
    const count = new Map((counted.groups ?? []).map((g) => [g.key, g.count]))
    return STATUSES.map((status) => ({ kind: "status", key: `status:${status}`, status, count: count.get(status) ?? 0 }))
  }

  async children(node: AlertNode): Promise<Array<AlertNode>> {
    switch (node.kind) {
      case "status": return this.customers(node.status)
      case "customer": return this.alerts(node.status, node.customerCode)
      default: return []
    }
  }

  private async customers(status: Status): Promise<Array<AlertNode>> {
    const counted = await this.client().call(Alerts.AlertsCount, { filter: { status: [status] }, groupBy: "customerCode" })
    return (counted.groups ?? [])
      .filter((g): g is { key: string; count: number } => g.key !== null)
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((g) => ({ kind: "customer", key: `customer:${groupKey(status, g.key)}`, status, customerCode: g.key, count: g.count }))
  }

  private async alerts(status: Status, customerCode: string): Promise<Array<AlertNode>> {
    const key = groupKey(status, customerCode)
    let group = this.groups.get(key)
    if (!group || group.stale) {
      const shown = group ? Math.max(this.pageSize, group.items.length) : this.pageSize
      const page = await this.page(status, customerCode, Math.min(500, shown))
      group = { status, customerCode, items: [...page.items], nextCursor: page.nextCursor, stale: false }
      this.groups.set(key, group)
    }
    return this.nodesOf(key, group)
  }

  private page(status: Status, customerCode: string, limit: number, cursor?: string) {
    return this.client().call(Alerts.AlertsList, {
      filter: { status: [status], customerCodes: [customerCode] },
      limit,
      ...(cursor ? { cursor } : {})
    })
  }

  private nodesOf(key: string, group: Group): Array<AlertNode> {
    const nodes: Array<AlertNode> = group.items.map((alert) => ({ kind: "alert", key: `alert:${alert.id}`, alert }))
    if (group.nextCursor) nodes.push({ kind: "more", key: `more:${key}`, group: key, loaded: group.items.length })
    return nodes
  }

  /** Appends the next page of a group; returns the group's key (the customer node to refresh). */
  async loadMore(key: string): Promise<string> {
    const group = this.groups.get(key)
    if (!group?.nextCursor) return key
    const page = await this.page(group.status, group.customerCode, this.pageSize, group.nextCursor)
    const seen = new Set(group.items.map((a) => a.id))
    group.items.push(...page.items.filter((a) => !seen.has(a.id)))
    group.nextCursor = page.nextCursor
    return key
  }

  /** The group an alert is shown in now, if loaded. */
  private locate(id: number): string | undefined {
    for (const [key, group] of this.groups) if (group.items.some((a) => a.id === id)) return key
    return undefined
  }

  /**
   * Applies alerts/changed to the loaded groups: an update that keeps an alert in its group
   * replaces it in place; one that moves it removes it and marks its new group stale; created
   * alerts mark their group stale; deleted or now hidden ones are removed. Returns the keys of the
   * groups that changed (counts on status and customer nodes change too: the caller refreshes them).
   */
  async applyChange(change: { readonly ids: ReadonlyArray<number>; readonly kind: "created" | "updated" | "deleted" }): Promise<Set<string>> {
    const touched = new Set<string>()
    if (change.kind !== "deleted" && change.ids.length > LOCATE_LIMIT) {
      for (const [key, group] of this.groups) { group.stale = true; touched.add(key) }
      return touched
    }
    for (const id of change.ids) {
      const before = this.locate(id)
      const now = change.kind === "deleted" ? undefined : await this.client().call(Alerts.AlertsGet, { id }).catch(() => undefined)
      const after = now ? groupKey(now.status, now.customerCode) : undefined
      if (before && before === after && now) {
        const group = this.groups.get(before)!
        group.items = group.items.map((a) => (a.id === id ? summaryOf(now) : a))
        touched.add(before)
        continue
      }
      if (before) {
        const group = this.groups.get(before)!
        group.items = group.items.filter((a) => a.id !== id)
        touched.add(before)
      }
      if (after) {
        const group = this.groups.get(after)
        if (group) { group.stale = true; touched.add(after) }
      }
    }
    return touched
  }

  /** Forget every loaded page (refresh, reconnect, another user). */
  clear(): void {
    this.groups.clear()
  }
}

/** The summary fields of an alerts/get answer. */
export const summaryOf = (detail: AlertSummary & Record<string, unknown>): AlertSummary => ({
  id: detail.id,
  name: detail.name,
  status: detail.status,
  createdAt: detail.createdAt,
  closedAt: detail.closedAt,
  customerCode: detail.customerCode,
  source: detail.source,
  assignedTo: detail.assignedTo,
  escalated: detail.escalated,
  tags: detail.tags,
  iocCount: detail.iocCount,
  assetCount: detail.assetCount,
  caseIds: detail.caseIds
})

/** What a tree item shows: label, description and tooltip, with no editor types. */
export const presentAlertNode = (node: AlertNode): { label: string; description?: string; tooltip?: string } => {
  switch (node.kind) {
    case "status": return { label: `${STATUS_LABEL[node.status]} (${node.count})` }
    case "customer": return { label: `${node.customerCode} (${node.count})` }
    case "more": return { label: "Load more…", description: `${node.loaded} shown` }
    case "alert": {
      const a = node.alert
      const who = a.assignedTo ?? "unassigned"
      const tags = a.tags.map((t) => t.tag).join(", ")
      return {
        label: `#${a.id} ${a.name}`,
        description: [who, a.escalated ? "escalated" : "", tags].filter(Boolean).join(" · "),
        tooltip: `${a.name}\n${a.status} · ${a.customerCode} · ${a.source}\nassigned: ${who}${tags ? `\ntags: ${tags}` : ""}\ncreated ${a.createdAt.toISOString()}`
      }
    }
  }
}
