import { Effect } from "effect"
import { Users as Methods } from "@sockeye/protocol"
import { Users } from "../../domain/users/Users.js"
import { handle, type Handler } from "../Handler.js"

export const usersHandlers: ReadonlyArray<Handler> = [
  handle(Methods.UsersList, () => Effect.flatMap(Users, (u) => u.list())),
  handle(Methods.UsersAssignees, () => Effect.flatMap(Users, (u) => u.assignees())),
  handle(Methods.UsersCreate, (p) => Effect.flatMap(Users, (u) => u.create(p))),
  handle(Methods.UsersUpdate, (p) => Effect.flatMap(Users, (u) => u.update(p))),
  handle(Methods.UsersDelete, (p) => Effect.flatMap(Users, (u) => u.remove(p.id))),
  handle(Methods.CustomerAccessSet, (p) => Effect.flatMap(Users, (u) => u.setCustomerAccess(p.userId, p.customerCodes))),
  handle(Methods.RolesList, () => Effect.flatMap(Users, (u) => u.roles())),
  handle(Methods.CustomersList, () => Effect.flatMap(Users, (u) => u.customers.list())),
  handle(Methods.CustomersGet, (p) => Effect.flatMap(Users, (u) => u.customers.get(p.customerCode))),
  handle(Methods.CustomersCreate, ({ customerCode, ...fields }) => Effect.flatMap(Users, (u) => u.customers.create(customerCode, fields))),
  handle(Methods.CustomersUpdate, ({ customerCode, ...fields }) => Effect.flatMap(Users, (u) => u.customers.update(customerCode, fields)))
]
