import type { RoleName } from "@sockeye/protocol"

/** A random world of users, grants, settings and alerts, and the rules of §a/§b as plain code. */
export interface World {
  readonly customers: ReadonlyArray<string>
  readonly tags: ReadonlyArray<string>
  readonly users: ReadonlyArray<{
    readonly username: string
    readonly role: RoleName
    readonly customers: ReadonlyArray<string>
    readonly grants: ReadonlyArray<number>
  }>
  /** Grants by role name (role_tag_access), as tag indexes. */
  readonly roleGrants: Readonly<Record<"analyst" | "customer_user", ReadonlyArray<number>>>
  readonly settings: null | { readonly enabled: boolean; readonly behavior: string; readonly defaultTag: number | null }
  readonly alerts: ReadonlyArray<{ readonly customer: string; readonly tags: ReadonlyArray<number> }>
}

export const visible = (world: World, userIndex: number, alertIndex: number): boolean => {
  const user = world.users[userIndex]!
  const alert = world.alerts[alertIndex]!
  const customerOk = user.role === "admin" || user.role === "analyst" ||
    (user.role === "customer_user" && user.customers.includes(alert.customer))
  if (!customerOk) return false
  const settings = world.settings
  if (!settings || !settings.enabled) return true
  if (user.role === "admin" || user.role === "scheduler") return true
  const granted = new Set([...user.grants, ...world.roleGrants[user.role]])
  if (alert.tags.length > 0) return alert.tags.some((t) => granted.has(t))
  switch (settings.behavior) {
    case "visible_to_all": return true
    case "default_tag": return settings.defaultTag !== null && granted.has(settings.defaultTag)
    default: return false
  }
}
