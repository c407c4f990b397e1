import { Effect } from "effect"

/** Placeholder until the service lands: it offers nothing, and its handler list is empty. */
export class Jobs extends Effect.Service<Jobs>()("Jobs/Jobs", {
  succeed: {} as const
}) {}
