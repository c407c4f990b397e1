import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Conflict, NotFound, type Cases as Api, type ParamsOf } from "@sockeye/protocol"
import { audit } from "../Audit.js"
import { publishChange } from "../Changes.js"
import { Cursors } from "../Cursors.js"
import { CurrentPrincipal } from "../Principal.js"
import { toCaseSummary } from "../incidents/summaries.js"
import { toCaseDetail } from "./CaseDetailQuery.js"
import { CasesRepo } from "./CasesRepo.js"
import * as Query from "./CasesQuery.js"
import { retryingTransaction } from "../../db/Transaction.js"

type ListParams = ParamsOf<typeof Api.CasesList>
type CreateParams = ParamsOf<typeof Api.CasesCreate>
type UpdateParams = ParamsOf<typeof Api.CasesUpdate>
type LinkParams = ParamsOf<typeof Api.CasesAlertsLink>
type CommentParams = ParamsOf<typeof Api.CasesCommentsAdd>

const LIST = "cases"
const DEFAULT_LIMIT = 50

const unique = (ids: ReadonlyArray<number>) => [...new Set(ids)]
const caseNotFound = (id: number) => new NotFound({ message: `case ${id} not found` })
const alertNotFound = (id: number) => new NotFound({ message: `alert ${id} not found` })
/** The first wanted id that is not among the found ones, in the caller's order. */
const firstMissing = (wanted: ReadonlyArray<number>, found: ReadonlyArray<{ id: number }>) => {
  const have = new Set(found.map((r) => r.id))
  return wanted.find((id) => !have.has(id))
}

/** Cases: CoPilot's incident cases, seen through customer access; their alerts through alert visibility. */
export class Cases extends Effect.Service<Cases>()("Cases/Cases", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* CasesRepo
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const cursorsOnce = (yield* Cursors).codec
    // A failed commit or statement is a defect; domain errors roll back and pass through.
    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      retryingTransaction(sql, effect).pipe(Effect.catchTag("SqlError", (error) => Effect.die(error)))

    const list = Effect.fn("Cases.list")(function*(params: ListParams) {
      const principal = yield* CurrentPrincipal
      const sort: Query.Sort = params.sort ?? Query.defaultSort
      const limit = params.limit ?? DEFAULT_LIMIT
      const expect = { list: LIST, field: sort.field, direction: sort.direction }
      const cursors = yield* cursorsOnce
      const after = params.cursor === undefined ? undefined : yield* cursors.decode(params.cursor, expect)
      const rows = yield* repo.page(principal, {
        where: Query.filterWhere(sql, params.filter),
        keyset: Query.keyset(sql, sort, after && { key: after.v, id: after.i }),
        sortKey: Query.sortKeyColumn(sql, sort.field),
        order: Query.orderBy(sql, sort),
        limit: limit + 1
      })
      const items = rows.slice(0, limit)
      const last = items[items.length - 1]
      const nextCursor = rows.length > limit && last
        ? cursors.encode({ l: LIST, f: sort.field, d: sort.direction, v: last.sortKey, i: last.id })
        : null
      return { items: items.map(toCaseSummary), nextCursor }
    })

    const get = Effect.fn("Cases.get")(function*(id: number) {
      const row = yield* repo.detail(yield* CurrentPrincipal, id)
      if (!row) return yield* caseNotFound(id)
      return toCaseDetail(row)
    })

    const requireUser = (username: string) =>
      Effect.flatMap(repo.userExists(username), (exists) =>
        exists ? Effect.void : Effect.fail(new NotFound({ message: `user ${username} not found` })))

    /** The alerts, all visible, locked until commit; NotFound names the first that is not. */
    const requireAlerts = Effect.fn("Cases.requireAlerts")(function*(alertIds: ReadonlyArray<number>) {
      const principal = yield* CurrentPrincipal
      const found = yield* repo.visibleAlerts(principal, alertIds)
      const missing = firstMissing(alertIds, found)
      if (missing !== undefined) return yield* alertNotFound(missing)
      return found
    })

    const requireCase = Effect.fn("Cases.requireCase")(function*(caseId: number) {
      const principal = yield* CurrentPrincipal
      if (!(yield* repo.lockForLinking(principal, caseId))) return yield* caseNotFound(caseId)
    })

    const create = Effect.fn("Cases.create")(function*(params: CreateParams) {
      const principal = yield* CurrentPrincipal
      const alertIds = unique(params.alertIds ?? [])
      return yield* transaction(Effect.gen(function*() {
        const alerts = alertIds.length > 0 ? yield* requireAlerts(alertIds) : []
        let customerCode: string | null = null
        if (params.customerCode !== undefined) {
          if (!(yield* repo.customerVisible(principal, params.customerCode))) {
            return yield* new NotFound({ message: `customer ${params.customerCode} not found` })
          }
          customerCode = params.customerCode
        } else if (alerts.length > 0) {
          const codes = new Set(alerts.map((a) => a.customerCode))
          if (codes.size > 1) return yield* new Conflict({ message: "alerts belong to several customers; give customerCode" })
          customerCode = alerts[0]!.customerCode
        }
        if (params.assignedTo !== undefined) yield* requireUser(params.assignedTo)
        const id = yield* repo.insert({
          name: params.name, description: params.description, customerCode, assignedTo: params.assignedTo ?? null
        })
        const linked = alertIds.length > 0 ? yield* repo.link(id, alertIds) : []
        yield* audit("cases/create", `created case ${id}${customerCode ? ` for customer ${customerCode}` : ""}${
          linked.length > 0 ? ` with alerts ${linked.join(", ")}` : ""}`)
        yield* publishChange({ entity: "case", kind: "created", ids: [id] })
        if (linked.length > 0) yield* publishChange({ entity: "alert", kind: "updated", ids: linked })
        const [summary] = yield* repo.summaries(principal, [id])
        return toCaseSummary(summary!)
      }))
    })

    const update = Effect.fn("Cases.update")(function*(params: UpdateParams) {
      const principal = yield* CurrentPrincipal
      const ids = unique(params.ids)
      const set = params.set
      return yield* transaction(Effect.gen(function*() {
        const locked = yield* repo.lockForUpdate(principal, ids)
        const missing = firstMissing(ids, locked)
        if (missing !== undefined) return yield* caseNotFound(missing)
        if (set.assignedTo !== undefined && set.assignedTo !== null) yield* requireUser(set.assignedTo)
        yield* repo.update(principal, ids, set)
        // CoPilot §e: closing a case closes its alerts; reopening a closed case puts them IN_PROGRESS.
        const closing = set.status === "CLOSED" ? locked.filter((c) => c.caseStatus !== "CLOSED") : []
        const reopening = set.status !== undefined && set.status !== "CLOSED" ? locked.filter((c) => c.caseStatus === "CLOSED") : []
        const closed = closing.length > 0 ? yield* repo.cascade(closing.map((c) => c.id), "CLOSED") : []
        const reopened = reopening.length > 0 ? yield* repo.cascade(reopening.map((c) => c.id), "IN_PROGRESS") : []
        const cascaded = [...closed, ...reopened]
        yield* audit("cases/update", `updated cases ${ids.join(", ")} (${Object.keys(set).join(", ")})${
          closed.length > 0 ? `; closed alerts ${closed.join(", ")}` : ""}${
          reopened.length > 0 ? `; moved alerts ${reopened.join(", ")} to IN_PROGRESS` : ""}`)
        yield* publishChange({ entity: "case", kind: "updated", ids })
        if (cascaded.length > 0) yield* publishChange({ entity: "alert", kind: "updated", ids: cascaded })
        return { updated: ids }
      }))
    })

    const linkAlerts = Effect.fn("Cases.linkAlerts")(function*(params: LinkParams) {
      const alertIds = unique(params.alertIds)
      return yield* transaction(Effect.gen(function*() {
        yield* requireCase(params.caseId)
        yield* requireAlerts(alertIds)
        const linked = yield* repo.link(params.caseId, alertIds)
        yield* audit("cases/alerts/link", `linked alerts ${linked.join(", ") || "(none new)"} to case ${params.caseId}`)
        if (linked.length > 0) {
          yield* publishChange({ entity: "case", kind: "updated", ids: [params.caseId] })
          yield* publishChange({ entity: "alert", kind: "updated", ids: linked })
        }
        return { linked }
      }))
    })

    const unlinkAlerts = Effect.fn("Cases.unlinkAlerts")(function*(params: LinkParams) {
      const alertIds = unique(params.alertIds)
      return yield* transaction(Effect.gen(function*() {
        yield* requireCase(params.caseId)
        yield* requireAlerts(alertIds)
        const unlinked = yield* repo.unlink(params.caseId, alertIds)
        yield* audit("cases/alerts/unlink", `unlinked alerts ${unlinked.join(", ") || "(none linked)"} from case ${params.caseId}`)
        if (unlinked.length > 0) {
          yield* publishChange({ entity: "case", kind: "updated", ids: [params.caseId] })
          yield* publishChange({ entity: "alert", kind: "updated", ids: unlinked })
        }
        return { unlinked }
      }))
    })

    const addComment = Effect.fn("Cases.addComment")(function*(params: CommentParams) {
      const { user } = yield* CurrentPrincipal
      return yield* transaction(Effect.gen(function*() {
        yield* requireCase(params.caseId)
        const comment = yield* repo.addComment(params.caseId, params.comment, user.username)
        yield* audit("cases/comments/add", `commented on case ${params.caseId} (comment ${comment.id})`)
        yield* publishChange({ entity: "case", kind: "updated", ids: [params.caseId] })
        return comment
      }))
    })

    // Only CurrentPrincipal is left for the caller: the database comes with the service.
    const provided = <A extends ReadonlyArray<any>, B, E, R>(f: (...args: A) => Effect.Effect<B, E, R>) =>
      (...args: A) => Effect.provide(f(...args), context)

    return {
      list: provided(list),
      get: provided(get),
      create: provided(create),
      update: provided(update),
      linkAlerts: provided(linkAlerts),
      unlinkAlerts: provided(unlinkAlerts),
      addComment: provided(addComment)
    } as const
  }),
  dependencies: [CasesRepo.Default, Cursors.Default]
}) {}
