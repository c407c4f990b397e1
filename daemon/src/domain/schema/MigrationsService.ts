import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { DaemonConfig } from "../../DaemonConfig.js"
import * as Migrations from "../../db/Migrations.js"

/** migrations/status and migrations/up, over the same migrator the daemon runs at start. */
export class MigrationsService extends Effect.Service<MigrationsService>()("Schema/Migrations", {
  effect: Effect.gen(function*() {
    const context = yield* Effect.context<SqlClient.SqlClient | DaemonConfig>()
    return {
      status: Migrations.status.pipe(Effect.orDie, Effect.provide(context)),
      up: Migrations.run.pipe(Effect.map((applied) => ({ applied })), Effect.orDie, Effect.provide(context))
    } as const
  })
}) {}
