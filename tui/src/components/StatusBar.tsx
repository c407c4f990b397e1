import { Notifications } from "@sockeye/protocol"
import React, { useEffect, useState } from "react"
import { useAppState } from "../contexts/AppContext.js"
import { useClient, useConnection } from "../contexts/ClientContext.js"
import { clip } from "../model/format.js"
import { theme } from "../theme/semantic-colors.js"
import { Line, type Segment } from "./Segments.js"

const shortTransport = (describe: string | undefined): string => {
  if (!describe) return "-"
  const socket = /^unix socket (.*)$/.exec(describe)
  if (socket) return `socket ${socket[1]!.split("/").slice(-1)[0]}`
  return describe
}

/** Bottom line: who, which daemon over what, the link's state, live updates, the last error. */
export const StatusBar = ({ width }: { readonly width: number }) => {
  const client = useClient()
  const connection = useConnection()
  const { user, lastError } = useAppState()
  const [lastChange, setLastChange] = useState<Date | undefined>()
  useEffect(() => {
    const mark = () => setLastChange(new Date())
    const offs = [client.on(Notifications.AlertsChanged, mark), client.on(Notifications.CasesChanged, mark), client.on(Notifications.JobsChanged, mark)]
    return () => offs.forEach((off) => off())
  }, [client])

  const server = client.info?.serverInfo
  const state = connection.state
  const stateColor = state === "connected" ? theme.ui.live : state === "closed" ? theme.ui.offline : theme.ui.stale
  const live = state === "connected"
  const segments: Array<Segment> = [
    { text: ` ${user?.username ?? "?"}`, color: theme.text.accent, bold: true },
    { text: `(${user?.role ?? "?"})`, color: theme.text.secondary },
    { text: " │ ", color: theme.ui.dim },
    { text: `${server?.name ?? "sockeyed"} ${server?.version ?? ""}`.trim(), color: theme.text.primary },
    { text: ` ${shortTransport(client.transport)}`, color: theme.text.secondary },
    { text: " │ ", color: theme.ui.dim },
    { text: `● ${state}${state !== "connected" && connection.detail ? ` (${connection.detail})` : ""}`, color: stateColor, bold: true },
    { text: " │ ", color: theme.ui.dim },
    { text: live ? "LIVE" : "STALE", color: live ? theme.ui.live : theme.ui.stale, bold: true },
    { text: lastChange ? ` ${lastChange.toTimeString().slice(0, 8)}` : "", color: theme.text.secondary }
  ]
  const used = segments.reduce((n, s) => n + s.text.length, 0)
  if (lastError && width - used > 12) {
    segments.push({ text: " │ ", color: theme.ui.dim }, { text: clip(`✗ ${lastError.text}`, width - used - 3), color: theme.status.error })
  }
  return <Line segments={segments} />
}
