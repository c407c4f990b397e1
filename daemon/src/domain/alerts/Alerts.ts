import { Effect } from "effect"

/** Placeholder until the service lands: it offers nothing, and its handler list is empty. */
export class Alerts extends Effect.Service<Alerts>()("Alerts/Alerts", {
  succeed: {} as const
}) {}
