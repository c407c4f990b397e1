import { Effect } from "effect"

/** Placeholder until the service lands: it offers nothing, and its handler list is empty. */
export class Ingest extends Effect.Service<Ingest>()("Ingest/Ingest", {
  succeed: {} as const
}) {}
