import { Alerts, Notifications, Siem } from "@sockeye/protocol"
import { useDaemonQuery } from "./useDaemonQuery.js"
import { useLive } from "./useLive.js"

/** alerts/get, reloaded when the alert or one of its cases changes. */
export const useAlertDetail = (id: number) => {
  const result = useDaemonQuery((client) => client.call(Alerts.AlertsGet, { id }), [id], { cacheKey: `alerts/get ${id}` })
  useLive(Notifications.AlertsChanged, (events) => {
    if (events.some((e) => e.ids.includes(id))) result.refresh()
  })
  useLive(Notifications.CasesChanged, (events) => {
    const cases = new Set(result.data?.cases.map((c) => c.id) ?? [])
    if (events.some((e) => e.ids.some((c) => cases.has(c)))) result.refresh()
  })
  return result
}

/** alerts/event: the SIEM document behind the alert's asset (its first, unless assetId). */
export const useAlertEvent = (alertId: number, assetId: number | undefined) =>
  useDaemonQuery((client) => client.call(Siem.AlertsEvent, { alertId, ...(assetId ? { assetId } : {}) }), [alertId, assetId])
