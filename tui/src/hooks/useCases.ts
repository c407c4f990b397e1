import { Cases, Notifications } from "@sockeye/protocol"
import type { CaseQuery } from "../model/routes.js"
import { PAGE_SIZE } from "./useAlerts.js"
import { useDaemonQuery } from "./useDaemonQuery.js"
import { useLive } from "./useLive.js"

/** One page of cases (cases/list from `cursor`), reloaded when cases/changed arrives. */
export const useCases = (query: CaseQuery, cursor: string | undefined, limit = PAGE_SIZE) => {
  const page = useDaemonQuery(
    (client) => client.call(Cases.CasesList, { filter: query.filter, sort: query.sort, limit, ...(cursor ? { cursor } : {}) }),
    [query, cursor, limit],
    { cacheKey: `cases/list ${JSON.stringify([query.filter, query.sort, cursor, limit])}` }
  )
  useLive(Notifications.CasesChanged, () => page.refresh())
  return { page: page.data, error: page.error, loading: page.loading, refresh: page.refresh }
}

/** cases/get, reloaded when the case or one of its alerts changes. */
export const useCaseDetail = (id: number) => {
  const result = useDaemonQuery((client) => client.call(Cases.CasesGet, { id }), [id], { cacheKey: `cases/get ${id}` })
  useLive(Notifications.CasesChanged, (events) => {
    if (events.some((e) => e.ids.includes(id))) result.refresh()
  })
  useLive(Notifications.AlertsChanged, (events) => {
    const alerts = new Set(result.data?.alerts.map((a) => a.id) ?? [])
    if (events.some((e) => e.ids.some((a) => alerts.has(a)))) result.refresh()
  })
  return result
}
