import { Effect } from "effect"
import { SchemaMethods } from "@sockeye/protocol"
import { SchemaCatalog } from "../../domain/schema/SchemaCatalog.js"
import { MigrationsService } from "../../domain/schema/MigrationsService.js"
import { handle } from "../Handler.js"

export const schemaHandlers = [
  handle(SchemaMethods.Tables, () => Effect.flatMap(SchemaCatalog, (c) => c.tables)),
  handle(SchemaMethods.TableGet, (p) => Effect.flatMap(SchemaCatalog, (c) => c.table(p.name))),
  handle(SchemaMethods.Relationships, () => Effect.flatMap(SchemaCatalog, (c) => c.relationships)),
  handle(SchemaMethods.Domains, () => Effect.flatMap(SchemaCatalog, (c) => c.domains)),
  handle(SchemaMethods.DriftGet, () => Effect.flatMap(SchemaCatalog, (c) => c.drift())),
  handle(SchemaMethods.DocumentGet, () => Effect.flatMap(SchemaCatalog, (c) => c.document())),
  handle(SchemaMethods.MigrationsStatus, () => Effect.flatMap(MigrationsService, (m) => m.status)),
  handle(SchemaMethods.MigrationsUp, () => Effect.flatMap(MigrationsService, (m) => m.up)),
  handle(SchemaMethods.MigrationsPlan, () => Effect.flatMap(MigrationsService, (m) => m.plan())),
  handle(SchemaMethods.MigrationsNew, (p) => Effect.flatMap(MigrationsService, (m) => m.create(p.name)))
]
