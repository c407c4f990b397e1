import type { Method } from "./Method.js"
import * as Lifecycle from "./methods/lifecycle.js"
import * as Auth from "./methods/auth.js"
import * as SchemaMethods from "./methods/schema.js"

/** Every request method of the protocol, in the order the docs list them. */
export const methods: ReadonlyArray<Method> = [
  Lifecycle.Initialize,
  Lifecycle.Shutdown,
  Lifecycle.Discover,
  Auth.Whoami,
  Auth.TokensCreate,
  Auth.TokensList,
  Auth.TokensRevoke,
  SchemaMethods.Tables,
  SchemaMethods.TableGet,
  SchemaMethods.Relationships,
  SchemaMethods.Domains,
  SchemaMethods.DriftGet,
  SchemaMethods.DocumentGet,
  SchemaMethods.MigrationsStatus,
  SchemaMethods.MigrationsUp
]

const byName = new Map(methods.map((m) => [m.method, m]))

export const methodByName = (name: string): Method | undefined => byName.get(name)

/** Methods that belong to the connection's lifecycle rather than to the SOC (not MCP tools). */
export const lifecycleMethods: ReadonlySet<string> = new Set(["initialize", "shutdown", "rpc.discover"])
