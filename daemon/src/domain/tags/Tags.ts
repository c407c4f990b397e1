import { Effect } from "effect"

/** Placeholder until the service lands: it offers nothing, and its handler list is empty. */
export class Tags extends Effect.Service<Tags>()("Tags/Tags", {
  succeed: {} as const
}) {}
