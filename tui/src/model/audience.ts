import type { Method, RoleName } from "@sockeye/protocol"

/**
 * Whether a role is in a method's declared audience (Method.audience: "the daemon enforces it,
 * clients may use it to hide verbs"). Only hides keys; the daemon still decides.
 */
export const mayCall = (method: Method, role: RoleName | undefined): boolean => {
  switch (method.audience) {
    case "public":
    case "authenticated": return role !== undefined
    case "writer": return role === "admin" || role === "analyst"
    case "admin": return role === "admin"
    case "adminOrScheduler": return role === "admin" || role === "scheduler"
  }
}
