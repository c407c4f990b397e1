import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Conflict, Forbidden, Unavailable } from "@sockeye/protocol"
import * as fs from "node:fs"
import * as path from "node:path"
import { DaemonConfig } from "../../DaemonConfig.js"
import * as Migrations from "../../db/Migrations.js"
import { audit } from "../Audit.js"
import { snapshot } from "./CatalogRepo.js"
import { planDiff } from "./MigrationPlan.js"
import { rolledBack } from "./Rollback.js"

/** The header of a new migration: what the repo's migrations all say about themselves. */
const header = (file: string) => `-- ${file}
-- Domain: <which part of the SOC: seed/database-schema.md's domain map, or Sockeye>
-- Tables: <the tables this file creates or changes>
-- CoPilot Alembic revisions: <the revisions it ports, or none (Sockeye's own change)>
-- Depends on <earlier migrations whose tables it uses, or: No dependencies on other files>.
--
-- Forward-only: the daemon runs this file once, with the other pending ones, in one transaction;
-- never edit it after it has been applied anywhere. CoPilot's names stay CoPilot's; Sockeye's own
-- tables are prefixed sockeye_. Preview with migrations/plan, apply with migrations/up (or
-- 'sockeyed migrate up'), then check that schema/drift comes back empty.

`

/** migrations/status, up, plan and new, over the same migrator the daemon runs at start. */
export class MigrationsService extends Effect.Service<MigrationsService>()("Schema/Migrations", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const config = yield* DaemonConfig
    const context = yield* Effect.context<SqlClient.SqlClient | DaemonConfig>()
    const live = Effect.map(snapshot("public"), (tables) => tables.filter((t) => t.name !== Migrations.MIGRATIONS_TABLE))

    /** The pending files applied to the live schema, the catalog read before and after, all rolled back. */
    const plan = Effect.gen(function*() {
      const { pending } = yield* Migrations.status.pipe(Effect.orDie)
      const files = (yield* Migrations.listFiles(yield* Migrations.migrationsDir).pipe(Effect.orDie))
        .filter((f) => pending.some((p) => p.id === f.id))
      const { before, after } = yield* rolledBack(Effect.gen(function*() {
        // The preview locks what it alters; give up rather than queue behind long transactions.
        yield* sql`set local lock_timeout = '5s'`
        const before = yield* live
        for (const file of files) yield* Migrations.applyFile(file)
        return { before, after: yield* live }
      })).pipe(
        Effect.catchTag("MigrationError", (error): Effect.Effect<never, Unavailable | Conflict> =>
          /lock timeout/.test(error.message)
            ? Effect.fail(new Unavailable({ message: `${error.message}; another transaction holds a lock the preview needs` }))
            : Effect.fail(new Conflict({ message: error.message }))),
        Effect.catchTag("SqlError", (error) => Effect.die(error))
      )
      return { pending, ...planDiff(before, after) }
    })

    const create = Effect.fn("Migrations.create")(function*(name: string) {
      if (!config.dev) {
        return yield* new Forbidden({ message: "migrations/new writes into the migrations folder: it runs only on a daemon started with SOCKEYE_DEV=1" })
      }
      const dir = yield* Migrations.migrationsDir
      const files = yield* Migrations.listFiles(dir).pipe(Effect.orDie)
      const same = files.find((f) => f.name === name)
      if (same) return yield* new Conflict({ message: `a migration named ${name} exists: ${path.basename(same.file)}` })
      const { applied } = yield* Migrations.status.pipe(Effect.orDie)
      const id = Math.max(0, ...files.map((f) => f.id), ...applied.map((m) => m.id)) + 1
      const file = `${String(id).padStart(4, "0")}_${name}.sql`
      const target = path.join(dir, file)
      yield* Effect.try({
        // "wx": two callers racing for one number must not overwrite each other.
        try: () => fs.writeFileSync(target, header(file), { flag: "wx" }),
        catch: (error) => (error as NodeJS.ErrnoException).code === "EEXIST"
          ? new Conflict({ message: `${file} already exists` })
          : new Unavailable({ message: `cannot write ${target}: ${(error as Error).message}` })
      })
      yield* Effect.logInfo(`migrations/new wrote ${target}`)
      return { id, path: target }
    })

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
      ),
      plan: () => Effect.provide(plan, context),
      create: (name: string) => Effect.provide(create(name), context)
    } as const
  })
}) {}
