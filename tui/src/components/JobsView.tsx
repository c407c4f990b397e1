import { Jobs } from "@sockeye/protocol"
import { Box } from "ink"
import React, { useMemo } from "react"
import { useAppActions, useAppState } from "../contexts/AppContext.js"
import { Priority, useKeyMatchers, useKeypress } from "../contexts/KeypressContext.js"
import { moveCursor } from "../hooks/cursor.js"
import { useJobs } from "../hooks/useJobs.js"
import { useNow } from "../hooks/useNow.js"
import { Command } from "../key/keyBindings.js"
import { mayCall } from "../model/audience.js"
import { layoutColumns, type Column } from "../model/columns.js"
import { age, relative } from "../model/format.js"
import type { Entry } from "../model/routes.js"
import { theme } from "../theme/semantic-colors.js"
import { Line } from "./Segments.js"
import { Empty, GUTTER, Table, type Cell } from "./Table.js"
import { useViewRefresh } from "../hooks/useViewRefresh.js"

type Job = typeof Jobs.Job.Type
type JobColumn = "job" | "enabled" | "state" | "last" | "next" | "every" | "description"

const COLUMNS: ReadonlyArray<Column<JobColumn>> = [
  { key: "job", title: "JOB", width: 18, flex: true, max: 40 },
  { key: "enabled", title: "ENABLED", width: 7 },
  { key: "state", title: "STATE", width: 11 },
  { key: "last", title: "LAST RUN", width: 22 },
  { key: "next", title: "NEXT RUN", width: 10 },
  { key: "every", title: "EVERY", width: 6, align: "right", drop: 1 },
  { key: "description", title: "DESCRIPTION", width: 30, drop: 2 }
]

const RUN_COLOR: Record<string, string> = { succeeded: theme.status.ok, failed: theme.status.error, running: theme.status.info, skipped: theme.text.secondary }

const cells = (j: Job, now: number): Record<JobColumn, Cell> => ({
  job: { text: j.id, bold: true },
  enabled: { text: j.enabled ? "yes" : "no", color: j.enabled ? theme.status.ok : theme.text.secondary },
  state: j.unavailable ? { text: "unavailable", color: theme.status.warning } : j.running ? { text: "running", color: theme.status.info } : { text: "idle", color: theme.text.secondary },
  last: j.lastRun
    ? { text: `${j.lastRun.status} ${age(j.lastRun.startedAt, now)} ago${j.lastRun.durationMs !== null ? ` ${j.lastRun.durationMs}ms` : ""}`, color: RUN_COLOR[j.lastRun.status] }
    : { text: j.lastSuccess ? `ok ${age(j.lastSuccess, now)} ago` : "never", color: theme.text.secondary },
  next: { text: j.enabled && j.nextRunAt ? relative(j.nextRunAt, now) : "-", color: theme.text.secondary },
  every: { text: `${j.intervalMinutes}m`, color: theme.text.secondary },
  description: { text: j.unavailable ?? j.description, color: j.unavailable ? theme.status.warning : theme.text.secondary }
})

/** The scheduler's jobs (jobs/list): run now (x) and enable/disable (e) for admins and schedulers. */
export const JobsView = ({ entry, width, height }: { readonly entry: Entry; readonly width: number; readonly height: number }) => {
  const { readonly, user } = useAppState()
  const actions = useAppActions()
  const m = useKeyMatchers()
  const now = useNow(10_000)
  const { data, error, loading, refresh, missing } = useJobs()
  useViewRefresh(refresh)
  const rows = data ?? []
  const byId = rows.findIndex((j) => j.id === entry.memo.selected)
  const cursor = byId >= 0 ? byId : Math.min(entry.memo.line ?? 0, Math.max(0, rows.length - 1))
  const current = rows[cursor]
  const mayRun = !readonly && mayCall(Jobs.JobsRun, user?.role)
  const mayToggle = !readonly && mayCall(Jobs.JobsUpdate, user?.role)

  useKeypress((key) => {
    const moved = moveCursor(m, key, cursor, rows.length, height - 2)
    if (moved !== undefined) return actions.remember(entry.key, { selected: rows[moved]?.id, line: moved }), true
    if (m[Command.RunJob](key) && mayRun) return current && actions.verbs.runJob(current), true
    if (m[Command.ToggleJob](key) && mayToggle) return current && actions.verbs.toggleJob(current), true
    return false
  }, { priority: Priority.View })

  const layout = useMemo(() => layoutColumns(COLUMNS, width - GUTTER), [width])
  const hint = readonly ? "read-only" : mayRun || mayToggle ? "x run now · e enable/disable" : `${user?.role ?? "this role"} may not run or change jobs`
  return (
    <Box flexDirection="column" height={height}>
      <Line segments={[{ text: ` JOBS  │ ${rows.length} jobs · ${hint}${loading ? " · loading…" : ""}`, color: theme.text.secondary }]} />
      {missing ? <Empty height={height - 1} text="this daemon does not serve the scheduler methods yet (jobs/list: -32601 method not found)" />
        : error && !data ? <Empty height={height - 1} text={`jobs/list failed: ${error.message} (${error.code})`} />
        : !data ? <Empty height={height - 1} text="loading…" />
        : rows.length === 0 ? <Empty height={height - 1} text="no jobs" />
        : <Table layout={layout} rows={rows} cursor={cursor} height={height - 1} rowKey={(j) => j.id} cells={cells} now={now} />}
    </Box>
  )
}
