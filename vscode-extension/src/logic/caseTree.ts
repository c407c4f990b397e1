import type { DaemonClient } from "@sockeye/client"
import { Cases, type CaseSummary } from "@sockeye/protocol"

export type CaseNode =
  | { readonly kind: "case"; readonly key: string; readonly case: CaseSummary }
  | { readonly kind: "more"; readonly key: string; readonly loaded: number }

/** The Cases view: newest first, a page at a time, with a "load more" node. */
export class CaseTree {
  private items: Array<CaseSummary> | undefined
  private nextCursor: string | null = null

  constructor(private readonly client: () => DaemonClient, private readonly pageSize = 50) {}

  async roots(): Promise<Array<CaseNode>> {
    if (!this.items) {
      const shown = Math.min(500, Math.max(this.pageSize, this.shownBefore))
      const page = await this.client().call(Cases.CasesList, { limit: shown })
      this.items = [...page.items]
      this.nextCursor = page.nextCursor
    }
    const nodes: Array<CaseNode> = this.items.map((c) => ({ kind: "case", key: `case:${c.id}`, case: c }))
    if (this.nextCursor) nodes.push({ kind: "more", key: "more:cases", loaded: this.items.length })
    return nodes
  }

  private shownBefore = 0

  async loadMore(): Promise<void> {
    if (!this.items || !this.nextCursor) return
    const page = await this.client().call(Cases.CasesList, { limit: this.pageSize, cursor: this.nextCursor })
    const seen = new Set(this.items.map((c) => c.id))
    this.items.push(...page.items.filter((c) => !seen.has(c.id)))
    this.nextCursor = page.nextCursor
  }

  /** cases/changed: refetch as many cases as are shown (a change may reorder or hide them). */
  invalidate(): void {
    this.shownBefore = this.items?.length ?? 0
    this.items = undefined
  }

  clear(): void {
    this.shownBefore = 0
    this.items = undefined
  }
}

export const presentCaseNode = (node: CaseNode): { label: string; description?: string; tooltip?: string } => {
  if (node.kind === "more") return { label: "Load more…", description: `${node.loaded} shown` }
  const c = node.case
  return {
    label: `#${c.id} ${c.name}`,
    description: [c.status, c.customerCode ?? "", c.assignedTo ?? "unassigned", `${c.alertCount} alerts`].filter(Boolean).join(" · "),
    tooltip: `${c.name}\n${c.status}${c.escalated ? " · escalated" : ""}\ncreated ${c.createdAt.toISOString()}`
  }
}
