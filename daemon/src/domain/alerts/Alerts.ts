import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Conflict, NotFound, type Alerts as Methods, type ParamsOf } from "@sockeye/protocol"
import { audit, auditChange } from "../Audit.js"
import { publishDeleted } from "../Changes.js"
import { Cursors } from "../Cursors.js"
import { CurrentPrincipal, systemPrincipal } from "../Principal.js"
import { toAlertSummary } from "../incidents/summaries.js"
import { defaultSort } from "./AlertsQuery.js"
import { toAlertDetail } from "./AlertDetailQuery.js"
import { AlertsRepo } from "./AlertsRepo.js"
import { AlertsWrites } from "./AlertsWrites.js"
import { retryingTransaction } from "../../db/Transaction.js"

const DEFAULT_LIMIT = 50

const alertNotFound = (id: number) => new NotFound({ message: `alert ${id} not found` })
const unique = (ids: ReadonlyArray<number>) => [...new Set(ids)]
const listIds = (ids: ReadonlyArray<number>) => ids.join(", ")
const byText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)

/**
 * Alerts as the current principal sees them: lists, counts and details filtered by the shared
 * visibility predicate, and writes that are all or nothing, audited and published in their
 * transaction.
 */
export class Alerts extends Effect.Service<Alerts>()("Alerts/Alerts", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const repo = yield* AlertsRepo
    const writes = yield* AlertsWrites
    const cursors = (yield* Cursors).codec

    /** One transaction; audit and auditChange inside it find the client in `context`. */
    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      retryingTransaction(sql, effect).pipe(
        Effect.catchTag("SqlError", (error) => Effect.die(error)),
        Effect.provide(context)
      )

    /** Every id must be visible, or the first that is not is reported and nothing changes. */
    const requireVisible = (ids: ReadonlyArray<number>) =>
      Effect.gen(function*() {
        const visible = yield* writes.lockVisible(yield* CurrentPrincipal, ids)
        const missing = ids.find((id) => !visible.has(id))
        if (missing !== undefined) return yield* alertNotFound(missing)
      })

    /** A page with its items as wire JSON (AlertSummary[]), built by PostgreSQL. */
    const list = Effect.fn("Alerts.list")(function*(p: ParamsOf<typeof Methods.AlertsList>) {
      const principal = yield* CurrentPrincipal
      const sort = p.sort ?? defaultSort
      const limit = p.limit ?? DEFAULT_LIMIT
      const codec = yield* cursors
      const expect = { list: "alerts", field: sort.field, direction: sort.direction }
      const after = p.cursor === undefined ? undefined : yield* codec.decode(p.cursor, expect)
      const page = yield* repo.page(principal, { filter: p.filter, sort, after, limit })
      const nextCursor = page.fetched > limit && page.lastId !== null
        ? codec.encode({ l: "alerts", f: sort.field, d: sort.direction, v: page.lastSortKey, i: page.lastId })
        : null
      return { itemsJson: page.items, nextCursor }
    })

    const count = Effect.fn("Alerts.count")(function*(p: ParamsOf<typeof Methods.AlertsCount>) {
      const { total, groups } = yield* repo.count(yield* CurrentPrincipal, p.filter, p.groupBy)
      if (!groups) return { total }
      // Largest first; ties by key, with the null group (unassigned, untagged) last.
      const sorted = [...groups].sort((x, y) =>
        y.count - x.count || (x.key === null ? 1 : y.key === null ? -1 : byText(x.key, y.key)))
      return { total, groups: sorted }
    })

    const get = Effect.fn("Alerts.get")(function*(id: number) {
      const row = yield* repo.detail(yield* CurrentPrincipal, id)
      if (!row) return yield* alertNotFound(id)
      return toAlertDetail(row)
    })

    const create = Effect.fn("Alerts.create")(function*(p: ParamsOf<typeof Methods.AlertsCreate>) {
      const principal = yield* CurrentPrincipal
      // Tags and IoCs are locked in a fixed order (tag rows by the upsert, IoCs by advisory lock),
      // so that two creators sharing some of them cannot deadlock.
      const tags = [...new Set(p.tags ?? [])].sort()
      const iocs = [...(p.iocs ?? [])].sort((x, y) => byText(`${x.type} ${x.value}`, `${y.type} ${y.value}`))
      return yield* transaction(Effect.gen(function*() {
        if (!(yield* writes.customerExists(principal, p.customerCode))) {
          return yield* new NotFound({ message: `customer ${p.customerCode} not found` })
        }
        const id = yield* writes.insertAlert(p)
        yield* writes.insertAssets(id, p.customerCode, p.source, p.assets ?? [])
        // The new alert is the creator's own row: link as the daemon, since tag RBAC may hide an
        // untagged (or not yet tagged) alert from its creator mid-way.
        for (const ioc of iocs) {
          yield* writes.linkIoc(systemPrincipal, id, (yield* writes.findOrInsertIoc(ioc)).id)
        }
        for (const text of tags) {
          yield* writes.linkTag(systemPrincipal, [id], (yield* writes.upsertTag(text)).id)
        }
        yield* auditChange("alerts/create", `created alert ${id} for customer ${p.customerCode}`, { entity: "alert", kind: "created", ids: [id] })
        return toAlertSummary(yield* repo.createdSummary(principal, id))
      }))
    })

    const update = Effect.fn("Alerts.update")(function*(p: ParamsOf<typeof Methods.AlertsUpdate>) {
      const principal = yield* CurrentPrincipal
      const ids = unique(p.ids)
      return yield* transaction(Effect.gen(function*() {
        const assignee = p.set.assignedTo
        if (typeof assignee === "string" && !(yield* writes.userExists(assignee))) {
          return yield* new NotFound({ message: `user ${assignee} not found` })
        }
        const updated = yield* writes.update(principal, ids, p.set)
        const missing = ids.find((id) => !updated.has(id))
        // Failing here rolls back the rows that were updated.
        if (missing !== undefined) return yield* alertNotFound(missing)
        yield* auditChange("alerts/update", `updated alerts ${listIds(ids)}: ${JSON.stringify(p.set)}`, { entity: "alert", kind: "updated", ids })
        return { updated: ids }
      }))
    })

    const addComment = Effect.fn("Alerts.addComment")(function*(p: ParamsOf<typeof Methods.AlertsCommentsAdd>) {
      const principal = yield* CurrentPrincipal
      return yield* transaction(Effect.gen(function*() {
        const comment = (yield* writes.insertComments(principal, [p.alertId], p.comment)).get(p.alertId)
        if (!comment) return yield* alertNotFound(p.alertId)
        yield* auditChange("alerts/comments/add", `added comment ${comment.id} to alert ${p.alertId}`, { entity: "alert", kind: "updated", ids: [p.alertId] })
        return comment
      }))
    })

    const addComments = Effect.fn("Alerts.addComments")(function*(p: ParamsOf<typeof Methods.AlertsCommentsAddMany>) {
      const principal = yield* CurrentPrincipal
      return yield* transaction(Effect.gen(function*() {
        yield* requireVisible(p.alertIds)
        const written = yield* writes.insertComments(principal, p.alertIds, p.comment)
        // The alerts are locked and visible, so each has its comment; this guards the lock's contract.
        const comments = p.alertIds.map((alertId) => ({ alertId, comment: written.get(alertId) }))
        const unwritten = comments.find((c) => !c.comment)
        if (unwritten) return yield* alertNotFound(unwritten.alertId)
        // The alerts first: audit() keeps 5,024 characters, enough for 500 ids, not for both lists.
        yield* auditChange("alerts/comments/addMany",
          `commented on alerts ${listIds(p.alertIds)} (comments ${comments.map((c) => c.comment!.id).join(", ")})`, { entity: "alert", kind: "updated", ids: [...p.alertIds] })
        return { comments: comments.map(({ alertId, comment }) => ({ alertId, ...comment! })) }
      }))
    })

    const addTag = Effect.fn("Alerts.addTag")(function*(p: ParamsOf<typeof Methods.AlertsTagsAdd>) {
      const principal = yield* CurrentPrincipal
      const ids = unique(p.alertIds)
      return yield* transaction(Effect.gen(function*() {
        yield* requireVisible(ids)
        const tag = yield* writes.upsertTag(p.tag)
        const linked = yield* writes.linkTag(principal, ids, tag.id)
        const tagged = `tagged alerts ${listIds(ids)} with tag ${tag.id} (${tag.tag})`
        if (linked.size > 0) yield* auditChange("alerts/tags/add", tagged, { entity: "alert", kind: "updated", ids: [...linked] })
        else yield* audit("alerts/tags/add", tagged)
        return { tag, updated: ids }
      }))
    })

    const removeTag = Effect.fn("Alerts.removeTag")(function*(p: ParamsOf<typeof Methods.AlertsTagsRemove>) {
      const principal = yield* CurrentPrincipal
      const ids = unique(p.alertIds)
      return yield* transaction(Effect.gen(function*() {
        yield* requireVisible(ids)
        if (!(yield* writes.tagExists(p.tagId))) return yield* new NotFound({ message: `tag ${p.tagId} not found` })
        const unlinked = yield* writes.unlinkTag(principal, ids, p.tagId)
        const removed = `removed tag ${p.tagId} from alerts ${listIds(ids)}`
        if (unlinked.size > 0) yield* auditChange("alerts/tags/remove", removed, { entity: "alert", kind: "updated", ids: [...unlinked] })
        else yield* audit("alerts/tags/remove", removed)
        return { updated: ids }
      }))
    })

    const addIoc = Effect.fn("Alerts.addIoc")(function*(p: ParamsOf<typeof Methods.AlertsIocsAdd>) {
      const principal = yield* CurrentPrincipal
      return yield* transaction(Effect.gen(function*() {
        yield* requireVisible([p.alertId])
        const ioc = yield* writes.findOrInsertIoc(p)
        yield* writes.linkIoc(principal, p.alertId, ioc.id)
        yield* auditChange("alerts/iocs/add", `linked ioc ${ioc.id} to alert ${p.alertId}`, { entity: "alert", kind: "updated", ids: [p.alertId] })
        return ioc
      }))
    })

    const removeIoc = Effect.fn("Alerts.removeIoc")(function*(p: ParamsOf<typeof Methods.AlertsIocsRemove>) {
      const principal = yield* CurrentPrincipal
      return yield* transaction(Effect.gen(function*() {
        yield* requireVisible([p.alertId])
        if (!(yield* writes.unlinkIoc(principal, p.alertId, p.iocId))) {
          return yield* new NotFound({ message: `ioc ${p.iocId} not found on alert ${p.alertId}` })
        }
        yield* auditChange("alerts/iocs/remove", `unlinked ioc ${p.iocId} from alert ${p.alertId}`, { entity: "alert", kind: "updated", ids: [p.alertId] })
        return { updated: [p.alertId] }
      }))
    })

    const remove = Effect.fn("Alerts.remove")(function*(p: ParamsOf<typeof Methods.AlertsDelete>) {
      const ids = unique(p.ids)
      return yield* transaction(Effect.gen(function*() {
        yield* requireVisible(ids)
        const link = yield* writes.firstCaseLink(ids)
        if (link) return yield* new Conflict({ message: `alert ${link.alertId} is linked to case ${link.caseId}` })
        // Who may hear of the deletion is decided now, while the rows still exist.
        const audiences = yield* writes.audiences(ids)
        yield* writes.remove(ids)
        yield* audit("alerts/delete", `deleted alerts ${listIds(ids)}`)
        yield* publishDeleted("alert", audiences)
        return { deleted: ids }
      }))
    })

    return { list, count, get, create, update, addComment, addComments, addTag, removeTag, addIoc, removeIoc, remove } as const
  }),
  dependencies: [AlertsRepo.Default, AlertsWrites.Default, Cursors.Default]
}) {}
