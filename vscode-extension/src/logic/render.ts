import type { AlertDetail, CaseDetail } from "@sockeye/protocol"

type Alert = typeof AlertDetail.Type
type Case = typeof CaseDetail.Type

const EDIT_HINT = "# Edit status, assignee and tags here and save: the daemon applies them. The rest is read-only."
const CASE_EDIT_HINT = "# Edit status and assignee here and save: the daemon applies them. The rest is read-only."

const when = (d: Date) => `${d.toISOString().slice(0, 19).replace("T", " ")}Z`

/** Markdown-safe single line: table cells and list items must not break the layout. */
const inline = (s: string) => s.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|")

const table = (rows: ReadonlyArray<readonly [string, string]>) =>
  ["| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${inline(v)} |`)].join("\n")

const section = (title: string, lines: ReadonlyArray<string>, empty: string) =>
  `## ${title}\n\n${lines.length > 0 ? lines.join("\n") : `_${empty}_`}\n`

/** An alert as a Markdown document: the editable front matter, then the read-only summary. */
export const renderAlert = (a: Alert): string => [
  "---",
  EDIT_HINT,
  `status: ${a.status}`,
  `assignee: ${a.assignedTo ?? ""}`,
  `tags: ${a.tags.map((t) => t.tag).join(", ")}`,
  "---",
  "",
  `# Alert #${a.id}: ${inline(a.name)}`,
  "",
  table([
    ["Status", a.status],
    ["Customer", a.customerCode],
    ["Source", a.source],
    ["Assigned to", a.assignedTo ?? "unassigned"],
    ["Escalated", a.escalated ? "yes" : "no"],
    ["Created", when(a.createdAt)],
    ...(a.closedAt ? [["Closed", when(a.closedAt)] as const] : [])
  ]),
  "",
  section("Description", [a.description], "no description"),
  section("Assets", a.assets.map((s) => `- ${inline(s.name)} — \`${s.indexName}/${s.indexId}\`${s.agentId ? ` (agent ${s.agentId})` : ""}`), "no assets"),
  section("IoCs", a.iocs.map((i) => `- \`${inline(i.value)}\` (${i.type})${i.description ? ` ${inline(i.description)}` : ""}`), "no IoCs"),
  section("Cases", a.cases.map((c) => `- #${c.id} ${inline(c.name)} (${c.status})`), "not linked to a case"),
  section("Comments", a.comments.map((c) => `- **${c.userName}** ${when(c.createdAt)}: ${inline(c.comment)}`), "no comments"),
  section("Context", a.context === null ? [] : ["```json", JSON.stringify(a.context, null, 2), "```"], "no context"),
].join("\n")

/** A case as a Markdown document, in the same shape. */
export const renderCase = (c: Case): string => [
  "---",
  CASE_EDIT_HINT,
  `status: ${c.status}`,
  `assignee: ${c.assignedTo ?? ""}`,
  "---",
  "",
  `# Case #${c.id}: ${inline(c.name)}`,
  "",
  table([
    ["Status", c.status],
    ["Customer", c.customerCode ?? "—"],
    ["Assigned to", c.assignedTo ?? "unassigned"],
    ["Escalated", c.escalated ? "yes" : "no"],
    ["Created", when(c.createdAt)],
    ...(c.closedAt ? [["Closed", when(c.closedAt)] as const] : [])
  ]),
  "",
  section("Description", [c.description], "no description"),
  section("Alerts", c.alerts.map((a) => `- #${a.id} ${inline(a.name)} (${a.status}, ${a.customerCode})`), "no alerts"),
  section("Comments", c.comments.map((m) => `- **${m.userName}** ${when(m.createdAt)}: ${inline(m.comment)}`), "no comments"),
  section("Files", c.files.map((f) => `- ${inline(f.fileName)} \`${f.sha256.slice(0, 12)}\``), "no files")
].join("\n")

/** The SIEM document behind an alert, as pretty JSON. */
export const renderSiem = (doc: { readonly index: string; readonly id: string; readonly source: unknown }): string =>
  `${JSON.stringify({ _index: doc.index, _id: doc.id, _source: doc.source }, null, 2)}\n`
