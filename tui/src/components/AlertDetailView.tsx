import type { AlertSummary } from "@sockeye/protocol"
import { Box } from "ink"
import React from "react"
import { useAppActions } from "../contexts/AppContext.js"
import { useKeyMatchers } from "../contexts/KeypressContext.js"
import { useAlertDetail } from "../hooks/useAlertDetail.js"
import { useDetailPager } from "../hooks/useDetailPager.js"
import { useVerbKeys } from "../hooks/useVerbKeys.js"
import { Command } from "../key/keyBindings.js"
import { age, timestamp } from "../model/format.js"
import type { Entry, Route } from "../model/routes.js"
import { theme } from "../theme/semantic-colors.js"
import { LinesBuilder, type DetailLine } from "./detailLines.js"
import { Pager } from "./Pager.js"
import { Empty } from "./Table.js"

type Detail = NonNullable<ReturnType<typeof useAlertDetail>["data"]>

const buildLines = (a: Detail, width: number, push: (r: Route) => void): Array<DetailLine> => {
  const b = new LinesBuilder(width)
  b.line([{ text: ` #${a.id} `, color: theme.text.secondary }, { text: a.name, color: theme.text.heading, bold: true }])
  b.line([
    { text: ` ${a.status}`, color: theme.incident[a.status], bold: true },
    ...(a.escalated ? [{ text: " ESCALATED", color: theme.incident["escalated"], bold: true }] : []),
    { text: ` · customer ${a.customerCode} · source ${a.source} · assignee ${a.assignedTo ?? "-"}`, color: theme.text.primary }
  ])
  b.line([{ text: ` created ${timestamp(a.createdAt)} (${age(a.createdAt)} ago)${a.closedAt ? ` · closed ${timestamp(a.closedAt)}` : ""}`, color: theme.text.secondary }])
  b.blank().heading("DESCRIPTION").text(a.description || "(none)")
  b.blank().heading(`ASSETS (${a.assets.length})`, "Enter or y: the SIEM document")
  for (const asset of a.assets) {
    b.link("asset", [
      { text: asset.name, bold: true },
      { text: `  agent ${asset.agentId ?? "-"}`, color: theme.text.secondary },
      { text: `  index_name ${asset.indexName}  index_id ${asset.indexId}`, color: theme.text.accent }
    ], () => push({ kind: "event", alertId: a.id, assetId: asset.id, label: asset.name }))
  }
  b.blank().heading(`IOCS (${a.iocs.length})`, "Enter: other alerts with this IoC")
  for (const ioc of a.iocs) {
    b.link("ioc", [
      { text: ioc.value, bold: true },
      { text: `  ${ioc.type}`, color: theme.text.accent },
      ...(ioc.description ? [{ text: `  ${ioc.description}`, color: theme.text.secondary }] : [])
    ], () => push({ kind: "alerts", query: { filter: { iocValue: ioc.value }, sort: { field: "createdAt", direction: "desc" }, label: `ioc=${ioc.value}` } }))
  }
  b.blank().line([{ text: " TAGS  ", color: theme.text.heading, bold: true }, { text: a.tags.map((t) => t.tag).join(", ") || "(none)", color: theme.text.accent }])
  b.blank().heading(`CASES (${a.cases.length})`, "Enter: open the case")
  for (const c of a.cases) {
    b.link("case", [
      { text: `#${c.id} `, color: theme.text.link }, { text: c.name, bold: true },
      { text: `  ${c.status}`, color: theme.incident[c.status] }, { text: `  ${c.assignedTo ?? "-"}`, color: theme.text.secondary }
    ], () => push({ kind: "case", id: c.id }))
  }
  b.blank().heading(`COMMENTS (${a.comments.length})`)
  for (const c of a.comments) {
    b.line([{ text: `   ${c.userName}`, color: theme.text.accent, bold: true }, { text: ` · ${timestamp(c.createdAt)}`, color: theme.text.secondary }])
    b.text(c.comment, 5)
  }
  b.blank().heading("CONTEXT")
  if (a.context === null || a.context === undefined) b.text("(none)")
  else b.json(a.context)
  return b.lines
}

/** One alert, everything about it; links jump to the SIEM document, the IoC's alerts, the case. */
export const AlertDetailView = ({ entry, width, height }: { readonly entry: Entry; readonly width: number; readonly height: number }) => {
  if (entry.route.kind !== "alert") throw new Error("AlertDetailView needs an alert route")
  const id = entry.route.id
  const actions = useAppActions()
  const m = useKeyMatchers()
  const { data, error, refresh } = useAlertDetail(id)
  const { lines, cursor } = useDetailPager({
    entry, width, height, data, refresh, build: buildLines,
    onKey: (key, shown, at) => {
      if (!m[Command.ShowEvent](key)) return false
      const line = shown[at]
      // On an asset line: that asset's document; elsewhere the first asset's (the daemon's default).
      if (line?.tag === "asset" && line.open) line.open()
      else actions.push({ kind: "event", alertId: id })
      return true
    }
  })

  useVerbKeys(() => (data ? { kind: "alert", items: [data as AlertSummary] } : undefined), { isActive: true, alertVerbs: true })

  if (!data) return <Empty height={height} text={error ? `alerts/get failed: ${error.message} (${error.code})` : "loading…"} />
  return (
    <Box flexDirection="column" height={height}>
      <Pager lines={lines} cursor={cursor} height={height} />
    </Box>
  )
}
