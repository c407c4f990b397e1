import { Alerts, Notifications } from "@sockeye/protocol"
import type { AlertQuery } from "../model/routes.js"
import { useDaemonQuery } from "./useDaemonQuery.js"
import { useLive } from "./useLive.js"

export const PAGE_SIZE = 50

/**
 * One page of alerts (alerts/list from `cursor`) and the counts by status for the same filter
 * without its status part (alerts/count), both reloaded when alerts/changed arrives: new rows
 * appear, changed rows change.
 */
export const useAlerts = (query: AlertQuery, cursor: string | undefined, limit = PAGE_SIZE) => {
  const page = useDaemonQuery(
    (client) => client.call(Alerts.AlertsList, { filter: query.filter, sort: query.sort, limit, ...(cursor ? { cursor } : {}) }),
    [query, cursor, limit],
    { cacheKey: `alerts/list ${JSON.stringify([query.filter, query.sort, cursor, limit])}` }
  )
  const counts = useDaemonQuery((client) => {
    const { status: _status, ...others } = query.filter
    return client.call(Alerts.AlertsCount, { filter: others, groupBy: "status" })
  }, [query.filter], { cacheKey: `alerts/count ${JSON.stringify(query.filter)}` })
  useLive(Notifications.AlertsChanged, () => {
    page.refresh()
    counts.refresh()
  })
  return {
    page: page.data,
    counts: counts.data,
    error: page.error ?? counts.error,
    loading: page.loading,
    refresh: () => { page.refresh(); counts.refresh() }
  }
}
