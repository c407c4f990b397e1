import type { DaemonClient } from "@sockeye/client"
import { Alerts, Cases, type AlertSummary, type CaseSummary, type Status } from "@sockeye/protocol"

/** What a command acts on: alerts or cases, from the tree selection or the open document. */
export type Subject =
  | { readonly kind: "alert"; readonly ids: ReadonlyArray<number> }
  | { readonly kind: "case"; readonly ids: ReadonlyArray<number> }

export const describe = (s: Subject) => (s.ids.length === 1 ? `${s.kind} #${s.ids[0]}` : `${s.ids.length} ${s.kind}s`)

const update = (client: DaemonClient, s: Subject, set: { status?: Status; assignedTo?: string | null; escalated?: boolean }) =>
  s.kind === "alert"
    ? client.call(Alerts.AlertsUpdate, { ids: s.ids, set })
    : client.call(Cases.CasesUpdate, { ids: s.ids, set })

export const assignToMe = async (client: DaemonClient, s: Subject): Promise<string> => {
  const me = client.user?.username
  if (!me) throw new Error("this connection has no user")
  const r = await update(client, s, { assignedTo: me })
  return `Assigned ${describe(s)} to ${me} (${r.updated.length} updated)`
}

export const setStatus = async (client: DaemonClient, s: Subject, status: Status): Promise<string> => {
  const r = await update(client, s, { status })
  return `Set ${describe(s)} to ${status} (${r.updated.length} updated)`
}

export const escalate = async (client: DaemonClient, s: Subject): Promise<string> => {
  const r = await update(client, s, { escalated: true })
  return `Escalated ${describe(s)} (${r.updated.length} updated)`
}

export const addTag = async (client: DaemonClient, alertIds: ReadonlyArray<number>, tag: string): Promise<string> => {
  const r = await client.call(Alerts.AlertsTagsAdd, { alertIds, tag })
  return `Tagged ${describe({ kind: "alert", ids: alertIds })} with ${r.tag.tag}`
}

/** One comment on each subject: alerts in one call, all or nothing; cases one call each. */
export const comment = async (client: DaemonClient, s: Subject, text: string): Promise<string> => {
  if (s.kind === "alert") await client.call(Alerts.AlertsCommentsAddMany, { alertIds: s.ids, comment: text })
  else for (const id of s.ids) await client.call(Cases.CasesCommentsAdd, { caseId: id, comment: text })
  return `Commented on ${describe(s)}`
}

/** A new case holding the alerts; its customer is theirs when they share one. */
export const createCase = async (client: DaemonClient, alerts: ReadonlyArray<Pick<AlertSummary, "id" | "customerCode">>, name: string, description: string): Promise<CaseSummary> => {
  const customers = new Set(alerts.map((a) => a.customerCode))
  const [customerCode] = customers
  return client.call(Cases.CasesCreate, {
    name,
    description,
    alertIds: alerts.map((a) => a.id),
    ...(customers.size === 1 && customerCode ? { customerCode } : {})
  })
}

export const linkToCase = async (client: DaemonClient, caseId: number, alertIds: ReadonlyArray<number>): Promise<string> => {
  const r = await client.call(Cases.CasesAlertsLink, { caseId, alertIds })
  return `Linked ${r.linked.length} alert(s) to case #${caseId}`
}

/** The cases offered by "link to a case": open and in progress, newest first. */
export const linkableCases = async (client: DaemonClient): Promise<ReadonlyArray<CaseSummary>> =>
  (await client.call(Cases.CasesList, { filter: { status: ["OPEN", "IN_PROGRESS"] }, limit: 200 })).items

/** The alerts of a subject with their customers (for createCase from ids alone). */
export const alertsOf = async (client: DaemonClient, ids: ReadonlyArray<number>) =>
  Promise.all(ids.map((id) => client.call(Alerts.AlertsGet, { id })))

/** The status bar: the user's open and in-progress alerts, and the connection. */
export const myOpenAlerts = async (client: DaemonClient): Promise<number> => {
  const me = client.user?.username
  if (!me) return 0
  return (await client.call(Alerts.AlertsCount, { filter: { status: ["OPEN", "IN_PROGRESS"], assignedTo: me } })).total
}
