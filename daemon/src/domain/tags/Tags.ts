import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { CurrentPrincipal } from "../Principal.js"
import * as Catalog from "./Catalog.js"
import { explain } from "./Explain.js"
import * as Rbac from "./Rbac.js"

/**
 * Tags and tag RBAC: the tag catalogue, the global settings, grants to users and roles, and
 * explanations of the visibility predicate. The database is captured here, so each function
 * needs only the caller's CurrentPrincipal.
 */
export class Tags extends Effect.Service<Tags>()("Tags/Tags", {
  effect: Effect.gen(function*() {
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient | CurrentPrincipal>) => Effect.provide(effect, context)

    return {
      list: () => run(Catalog.list()),
      create: (tag: string) => run(Catalog.create(tag)),
      remove: (id: number) => run(Catalog.remove(id)),
      settings: () => run(Rbac.getSettings()),
      setSettings: (settings: Rbac.Settings) => run(Rbac.setSettings(settings)),
      grants: (subject: Rbac.Subject) => run(Rbac.listGrants(subject)),
      setGrants: (subject: Rbac.Subject, tagIds: ReadonlyArray<number>) => run(Rbac.setGrants(subject, tagIds)),
      explain: (userId: number, alertId: number) => run(explain(userId, alertId))
    } as const
  })
}) {}
