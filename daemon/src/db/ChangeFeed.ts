import { PgClient } from "@effect/sql-pg"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Option, PubSub, Redacted, Schedule, Schema, Stream } from "effect"
import pg from "pg"
import { CHANGES_CHANNEL, ChangeEvent } from "../domain/Changes.js"

const decode = Schema.decodeUnknownOption(Schema.parseJson(ChangeEvent))

/**
 * The payloads NOTIFYed on `channel`, on a connection of the feed's own that fails the stream
 * when it is lost. @effect/sql-pg's `listen` swallows its connection's errors, so after a
 * database restart its stream neither ended nor delivered again, and live updates stopped.
 */
const listen = (url: Redacted.Redacted, applicationName: string, channel: string) =>
  Stream.asyncScoped<string, SqlError>((emit) =>
    Effect.gen(function*() {
      const client = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            const client = new pg.Client({ connectionString: Redacted.value(url), application_name: applicationName })
            client.on("error", () => undefined)
            await client.connect()
            return client
          },
          catch: (cause) => new SqlError({ cause, message: "cannot open the change feed's connection" })
        }),
        (client) => Effect.promise(() => client.end().catch(() => undefined))
      )
      const lost = (cause: unknown) => void emit.fail(new SqlError({ cause, message: "the change feed's connection was lost" }))
      const ended = () => lost(new Error("connection ended"))
      const notified = (message: pg.Notification) => {
        if (message.channel === channel && message.payload !== undefined) void emit.single(message.payload)
      }
      // Added after the release above, so removed before it: our own end() is no loss.
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          client.on("error", lost).on("end", ended).on("notification", notified)
        }),
        () => Effect.sync(() => {
          client.off("error", lost).off("end", ended).off("notification", notified)
        })
      )
      yield* Effect.tryPromise({
        try: () => client.query(`LISTEN ${pg.escapeIdentifier(channel)}`),
        catch: (cause) => new SqlError({ cause, message: `cannot listen on ${channel}` })
      })
    })
  )

/**
 * Every change committed by any daemon on this database, from PostgreSQL LISTEN. One listening
 * connection per daemon feeds a PubSub that each client connection subscribes to. Changes
 * committed while that connection is down (a database restart) are not replayed.
 */
export class ChangeFeed extends Effect.Service<ChangeFeed>()("Db/ChangeFeed", {
  scoped: Effect.gen(function*() {
    const { config } = yield* PgClient.PgClient
    const url = yield* Option.fromNullable(config.url).pipe(Effect.orDieWith(() => new Error("the change feed needs the database URL")))
    const hub = yield* PubSub.sliding<ChangeEvent>(10_000)
    yield* listen(url, `${config.applicationName ?? "sockeyed"}:listen`, CHANGES_CHANNEL).pipe(
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
