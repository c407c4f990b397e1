import { Effect } from "effect"

/** Placeholder until the service lands: it offers nothing, and its handler list is empty. */
export class Users extends Effect.Service<Users>()("Users/Users", {
  succeed: {} as const
}) {}
