import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { CurrentPrincipal } from "../Principal.js"
import * as Accounts from "./Accounts.js"
import * as Customers from "./Customers.js"

/**
 * Users, their customer access, roles and customers (admin screens and the customer picker).
 * The database is captured here, so each function needs only the caller's CurrentPrincipal.
 */
export class Users extends Effect.Service<Users>()("Users/Users", {
  effect: Effect.gen(function*() {
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient | CurrentPrincipal>) => Effect.provide(effect, context)

    return {
      list: () => run(Accounts.list()),
      assignees: () => run(Accounts.assignees()),
      create: (input: Parameters<typeof Accounts.create>[0]) => run(Accounts.create(input)),
      update: (input: Parameters<typeof Accounts.update>[0]) => run(Accounts.update(input)),
      remove: (id: number) => run(Accounts.remove(id)),
      setCustomerAccess: (userId: number, codes: ReadonlyArray<string>) => run(Accounts.setCustomerAccess(userId, codes)),
      roles: () => run(Accounts.roles()),
      customers: {
        list: () => run(Customers.list()),
        get: (code: string) => run(Customers.get(code)),
        create: (code: string, input: Customers.CustomerInput & { readonly customerName: string }) => run(Customers.create(code, input)),
        update: (code: string, input: Customers.CustomerInput) => run(Customers.update(code, input))
      }
    } as const
  })
}) {}
