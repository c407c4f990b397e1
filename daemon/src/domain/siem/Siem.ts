import { Effect } from "effect"

/** Placeholder until the service lands: it offers nothing, and its handler list is empty. */
export class SiemService extends Effect.Service<SiemService>()("SiemService/SiemService", {
  succeed: {} as const
}) {}
