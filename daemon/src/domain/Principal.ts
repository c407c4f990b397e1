import { Context, Effect } from "effect"
import type { RoleName, User } from "@sockeye/protocol"

/** The identity a request acts as, provided once per connection by the router. */
export interface Principal {
  readonly user: User
  /** The client that made the request (initialize's clientInfo), for the audit trail. */
  readonly client: string
  /** Whom the client acts for (initialize's or the request's `onBehalfOf`), for the audit trail. */
  readonly onBehalfOf?: string | undefined
  /** The daemon acting for itself (ingestion, jobs, demo): sees and may change everything. */
  readonly system: boolean
}

export class CurrentPrincipal extends Context.Tag("Sockeye/CurrentPrincipal")<CurrentPrincipal, Principal>() {}

/** CoPilot's role ids, which its data (role_tag_access, user.role_id) refers to. */
export const roleIds: Readonly<Record<RoleName, number>> = { admin: 1, analyst: 2, scheduler: 3, customer_user: 4 }

export const roleOfId = (id: number | null): RoleName => {
  switch (id) {
    case 1: return "admin"
    case 2: return "analyst"
    case 3: return "scheduler"
    // A user without a role gets the least privilege.
    default: return "customer_user"
  }
}

export const systemPrincipal: Principal = {
  user: { id: 0, username: "sockeyed", email: "", role: "scheduler" },
  client: "sockeyed",
  system: true
}

/** Runs an effect as the daemon itself (ingestion, jobs, demo data). */
export const withSystemActor = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provideService(effect, CurrentPrincipal, systemPrincipal)
