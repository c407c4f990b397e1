import { Effect, Stream } from "effect"
import { Source } from "./Source.js"

export const TAG_TABLE = "incident_management_alerttag"

/**
 * CoPilot inserts a tag row per tagging, so one name can own many ids; Sockeye keeps one row
 * per name (a unique index). Every id of a name moves onto its lowest id: alert links and
 * user and role grants follow through the foreign-key remap, so no grant is lost.
 */
export const tagMerges = Effect.gen(function*() {
  const source = yield* Source
  const tables = yield* source.tables
  const moves = new Map<string, string>()
  if (!tables.has(TAG_TABLE)) return moves
  const firstIdOf = new Map<string, string>()
  yield* source.rows(TAG_TABLE, ["id"]).pipe(Stream.runForEach((row) => Effect.sync(() => {
    const name = String(row["tag"])
    const id = String(row["id"])
    const first = firstIdOf.get(name)
    if (first === undefined) firstIdOf.set(name, id)
    else moves.set(id, first)
  })))
  return moves
})
