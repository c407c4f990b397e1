import { Effect } from "effect"

/**
 * Runs `effect` on first use and keeps its value once it succeeds. Unlike Effect.cached, a
 * failure (the database briefly down) is not kept: the next use tries again.
 */
export const onceSucceeded = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  let value: { readonly a: A } | undefined
  return Effect.suspend(() =>
    value ? Effect.succeed(value.a) : Effect.tap(effect, (a) => Effect.sync(() => { value = { a } })))
}
