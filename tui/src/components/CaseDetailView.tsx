import type { CaseSummary } from "@sockeye/protocol"
import { Box } from "ink"
import React from "react"
import { useCaseDetail } from "../hooks/useCases.js"
import { useDetailPager } from "../hooks/useDetailPager.js"
import { useVerbKeys } from "../hooks/useVerbKeys.js"
import { age, timestamp } from "../model/format.js"
import type { Entry, Route } from "../model/routes.js"
import { theme } from "../theme/semantic-colors.js"
import { LinesBuilder, type DetailLine } from "./detailLines.js"
import { Pager } from "./Pager.js"
import { Empty } from "./Table.js"

type Detail = NonNullable<ReturnType<typeof useCaseDetail>["data"]>

const buildLines = (c: Detail, width: number, push: (r: Route) => void): Array<DetailLine> => {
  const b = new LinesBuilder(width)
  b.line([{ text: ` case #${c.id} `, color: theme.text.secondary }, { text: c.name, color: theme.text.heading, bold: true }])
  b.line([
    { text: ` ${c.status}`, color: theme.incident[c.status], bold: true },
    ...(c.escalated ? [{ text: " ESCALATED", color: theme.incident["escalated"], bold: true }] : []),
    { text: ` · customer ${c.customerCode ?? "-"} · assignee ${c.assignedTo ?? "-"}` }
  ])
  b.line([{ text: ` created ${timestamp(c.createdAt)} (${age(c.createdAt)} ago)${c.closedAt ? ` · closed ${timestamp(c.closedAt)}` : ""}`, color: theme.text.secondary }])
  b.blank().heading("DESCRIPTION").text(c.description || "(none)")
  b.blank().heading(`ALERTS (${c.alerts.length})`, "Enter: open the alert")
  for (const a of c.alerts) {
    b.link("alert", [
      { text: `#${a.id} `, color: theme.text.link }, { text: a.name, bold: true },
      { text: `  ${a.status}`, color: theme.incident[a.status] }, { text: `  ${a.customerCode} · ${a.assignedTo ?? "-"}`, color: theme.text.secondary }
    ], () => push({ kind: "alert", id: a.id }))
  }
  b.blank().heading(`COMMENTS (${c.comments.length})`)
  for (const cm of c.comments) {
    b.line([{ text: `   ${cm.userName}`, color: theme.text.accent, bold: true }, { text: ` · ${timestamp(cm.createdAt)}`, color: theme.text.secondary }])
    b.text(cm.comment, 5)
  }
  b.blank().heading(`FILES (${c.files.length})`)
  for (const f of c.files) {
    b.line([{ text: `   ${f.fileName}`, bold: true }, { text: `  ${f.size ?? "?"} bytes  sha256 ${f.sha256.slice(0, 16)}…  ${timestamp(f.uploadedAt)}`, color: theme.text.secondary }])
  }
  return b.lines
}

/** One case: its linked alerts (Enter opens one), comments and files. */
export const CaseDetailView = ({ entry, width, height }: { readonly entry: Entry; readonly width: number; readonly height: number }) => {
  if (entry.route.kind !== "case") throw new Error("CaseDetailView needs a case route")
  const id = entry.route.id
  const { data, error, refresh } = useCaseDetail(id)
  const { lines, cursor } = useDetailPager({ entry, width, height, data, refresh, build: buildLines })

  useVerbKeys(() => (data ? { kind: "case", items: [data as CaseSummary] } : undefined), { isActive: true, alertVerbs: false })

  if (!data) return <Empty height={height} text={error ? `cases/get failed: ${error.message} (${error.code})` : "loading…"} />
  return (
    <Box flexDirection="column" height={height}>
      <Pager lines={lines} cursor={cursor} height={height} />
    </Box>
  )
}
