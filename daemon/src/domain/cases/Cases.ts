import { Effect } from "effect"

/** Placeholder until the service lands: it offers nothing, and its handler list is empty. */
export class Cases extends Effect.Service<Cases>()("Cases/Cases", {
  succeed: {} as const
}) {}
