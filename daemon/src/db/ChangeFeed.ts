import { PgClient } from "@effect/sql-pg"
import { Effect, PubSub, Schedule, Schema, Stream } from "effect"
import { CHANGES_CHANNEL, ChangeEvent } from "../domain/Changes.js"

const decode = Schema.decodeUnknownOption(Schema.parseJson(ChangeEvent))

/**
 * Every change committed by any daemon on this database, from PostgreSQL LISTEN. One listening
 * connection per daemon feeds a PubSub that each client connection subscribes to.
 */
export class ChangeFeed extends Effect.Service<ChangeFeed>()("Db/ChangeFeed", {
  scoped: Effect.gen(function*() {
    const pg = yield* PgClient.PgClient
    const hub = yield* PubSub.sliding<ChangeEvent>(10_000)
    yield* pg.listen(CHANGES_CHANNEL).pipe(
      Stream.runForEach((payload) => {
        const event = decode(payload)
        return event._tag === "Some" ? PubSub.publish(hub, event.value) : Effect.logWarning(`ignoring malformed change ${payload.slice(0, 200)}`)
      }),
      // A dropped listening connection (database restart) is re-established.
      Effect.tapError((error) => Effect.logWarning("change feed interrupted; listening again", error)),
      Effect.retry(Schedule.exponential("200 millis").pipe(Schedule.union(Schedule.spaced("5 seconds")))),
      Effect.forkScoped
    )
    return { subscribe: PubSub.subscribe(hub) } as const
  })
}) {}
