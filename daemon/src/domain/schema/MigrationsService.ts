import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { DaemonConfig } from "../../DaemonConfig.js"
import * as Migrations from "../../db/Migrations.js"
import { audit } from "../Audit.js"

/** migrations/status and migrations/up, over the same migrator the daemon runs at start. */
export class MigrationsService extends Effect.Service<MigrationsService>()("Schema/Migrations", {
  effect: Effect.gen(function*() {
    const context = yield* Effect.context<SqlClient.SqlClient | DaemonConfig>()
    return {
      status: Migrations.status.pipe(Effect.orDie, Effect.provide(context)),
      // The migrator commits its own transaction; the audit entry follows it.
      up: Migrations.run.pipe(
        Effect.tap((applied) => audit("migrations/up", applied.length === 0
          ? "no pending migrations"
          : `applied migrations ${applied.map((m) => `${m.id}_${m.name}`).join(", ")}`)),
        Effect.map((applied) => ({ applied })),
        Effect.orDie,
        Effect.provide(context)
      )
    } as const
  })
}) {}
