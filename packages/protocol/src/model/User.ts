import { Schema } from "effect"
import { Id } from "./common.js"

/** CoPilot's four roles, with its ids: admin 1, analyst 2, scheduler 3, customer_user 4. */
export const RoleName = Schema.Literal("admin", "analyst", "scheduler", "customer_user")
export type RoleName = typeof RoleName.Type

/** The identity a connection acts as. */
export const User = Schema.Struct({
  /** `user.id`. */
  id: Id,
  /** `user.username`: unique login name. */
  username: Schema.String,
  /** `user.email`. */
  email: Schema.String,
  /** The role's name, from `user.role_id`. */
  role: RoleName
}).annotations({ identifier: "User" })
export type User = typeof User.Type
