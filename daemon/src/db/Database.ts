import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option, String as Str } from "effect"
import { DaemonConfig } from "../DaemonConfig.js"
import * as Embedded from "./EmbeddedSupervisor.js"
import { acquirePool } from "./Pool.js"

/**
 * The PostgreSQL client of the daemon: SOCKEYE_DATABASE_URL, else the embedded cluster,
 * which lives exactly as long as this layer. Result columns arrive camelCased.
 */
export const layer = Layer.unwrapScoped(
  Effect.gen(function*() {
    const config = yield* DaemonConfig
    const url = Option.isSome(config.databaseUrl)
      ? config.databaseUrl.value
      : (yield* Embedded.scoped(config.home)).url
    return PgClient.layerFromPool({
      acquire: acquirePool({
        url,
        // Tagged per process so pg_stat_activity tells the daemons on a server apart.
        applicationName: `sockeyed:${process.pid}`,
        max: config.dbPoolSize,
        connectTimeoutMs: 10_000
      }),
      applicationName: `sockeyed:${process.pid}`,
      transformResultNames: Str.snakeToCamel,
      // Column names only: keys inside stored JSON (SIEM field names) must come back as written.
      transformJson: false
    })
  })
)
