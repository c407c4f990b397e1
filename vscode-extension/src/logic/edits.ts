import type { DaemonClient } from "@sockeye/client"
import { Alerts, Cases, Status } from "@sockeye/protocol"
import { Schema } from "effect"

/** The front-matter block of a saved alert or case document. */
export interface EditBlock {
  readonly status?: Status
  /** null: unassigned. */
  readonly assignee?: string | null
  readonly tags?: ReadonlyArray<string>
}

/** The document cannot be applied: what is wrong, for the user. */
export class EditError extends Error {}

const isStatus = Schema.is(Status)

/** "in progress", "In-Progress" and "IN_PROGRESS" are one status. */
export const normalizeStatus = (text: string) => text.trim().toUpperCase().replace(/[\s-]+/g, "_")

/** Reads the block between the leading `---` lines; keys the document kind does not take are refused. */
export const parseEditBlock = (text: string, kind: "alert" | "case"): EditBlock => {
  const lines = text.replace(/\r\n/g, "\n").split("\n")
  if (lines[0]?.trim() !== "---") throw new EditError("the document must start with the --- block (status, assignee" + (kind === "alert" ? ", tags)" : ")"))
  const end = lines.indexOf("---", 1)
  if (end < 0) throw new EditError("the --- block has no closing --- line")
  const allowed = kind === "alert" ? ["status", "assignee", "tags"] : ["status", "assignee"]
  const block: { status?: Status; assignee?: string | null; tags?: Array<string> } = {}
  for (const [i, raw] of lines.slice(1, end).entries()) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const colon = line.indexOf(":")
    const key = colon < 0 ? line : line.slice(0, colon).trim()
    const value = colon < 0 ? "" : line.slice(colon + 1).trim()
    if (colon < 0 || !allowed.includes(key)) throw new EditError(`line ${i + 2}: expected one of ${allowed.map((k) => `${k}:`).join(", ")}, got ${JSON.stringify(line)}`)
    if (key in block) throw new EditError(`line ${i + 2}: ${key} is given twice`)
    if (key === "status") {
      const status = normalizeStatus(value)
      if (!isStatus(status)) throw new EditError(`line ${i + 2}: status must be OPEN, IN_PROGRESS or CLOSED, got ${JSON.stringify(value)}`)
      block.status = status
    } else if (key === "assignee") {
      block.assignee = value === "" || value === "-" || value.toLowerCase() === "unassigned" ? null : value
    } else {
      block.tags = [...new Set(value.split(",").map((t) => t.trim()).filter((t) => t !== ""))]
    }
  }
  return block
}

/** The daemon calls that take an alert from what it is to what the block says. */
export interface AlertPlan {
  readonly set: { status?: Status; assignedTo?: string | null }
  readonly addTags: ReadonlyArray<string>
  readonly removeTags: ReadonlyArray<{ readonly id: number; readonly tag: string }>
}

export const planAlert = (
  current: { readonly status: Status; readonly assignedTo: string | null; readonly tags: ReadonlyArray<{ readonly id: number; readonly tag: string }> },
  block: EditBlock
): AlertPlan => {
  const set: { status?: Status; assignedTo?: string | null } = {}
  if (block.status !== undefined && block.status !== current.status) set.status = block.status
  if (block.assignee !== undefined && block.assignee !== current.assignedTo) set.assignedTo = block.assignee
  const wanted = block.tags
  const have = new Set(current.tags.map((t) => t.tag))
  return {
    set,
    addTags: wanted ? wanted.filter((t) => !have.has(t)) : [],
    removeTags: wanted ? current.tags.filter((t) => !wanted.includes(t.tag)) : []
  }
}

export const isEmptyPlan = (plan: AlertPlan) => Object.keys(plan.set).length === 0 && plan.addTags.length === 0 && plan.removeTags.length === 0

/**
 * Applies a saved alert document: reads the alert as it is now, then update, tag adds, tag
 * removes. The update is all or nothing; a refusal after it leaves the earlier calls applied,
 * and the caller re-reads the alert to show what the daemon holds. Returns what was done.
 */
export const applyAlertDocument = async (client: DaemonClient, id: number, text: string): Promise<AlertPlan> => {
  const block = parseEditBlock(text, "alert")
  const current = await client.call(Alerts.AlertsGet, { id })
  const plan = planAlert(current, block)
  if (Object.keys(plan.set).length > 0) await client.call(Alerts.AlertsUpdate, { ids: [id], set: plan.set })
  for (const tag of plan.addTags) await client.call(Alerts.AlertsTagsAdd, { alertIds: [id], tag })
  for (const tag of plan.removeTags) await client.call(Alerts.AlertsTagsRemove, { alertIds: [id], tagId: tag.id })
  return plan
}

/** Applies a saved case document: status and assignee, one cases/update. Returns the fields set. */
export const applyCaseDocument = async (client: DaemonClient, id: number, text: string): Promise<{ status?: Status; assignedTo?: string | null }> => {
  const block = parseEditBlock(text, "case")
  const current = await client.call(Cases.CasesGet, { id })
  const set: { status?: Status; assignedTo?: string | null } = {}
  // A case's status is free text in CoPilot's schema: an untouched "open" is not a change to OPEN.
  if (block.status !== undefined && block.status !== normalizeStatus(current.status)) set.status = block.status
  if (block.assignee !== undefined && block.assignee !== current.assignedTo) set.assignedTo = block.assignee
  if (Object.keys(set).length > 0) await client.call(Cases.CasesUpdate, { ids: [id], set })
  return set
}
