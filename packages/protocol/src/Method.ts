import { Schema } from "effect"
import { dryRunPreview, mutationOptionFields } from "./model/DryRun.js"

/** Who may call a method; the daemon enforces it, clients may use it to hide verbs. */
export type Audience = "public" | "authenticated" | "writer" | "admin" | "adminOrScheduler"

/** Hints for agents (MCP tool annotations) and for clients deciding whether to confirm. */
export interface MethodHints {
  /** The method never changes state. */
  readonly readOnly: boolean
  /** The method may delete or irreversibly overwrite data. */
  readonly destructive: boolean
  /** Calling twice with the same params has the effect of calling once. */
  readonly idempotent: boolean
}

/**
 * One JSON-RPC request method: its wire name (`area/verb`), a one-line description,
 * and the Effect Schemas of its params and result. The daemon decodes params with
 * `params` and encodes results with `result`; clients do the reverse.
 */
export interface Method<P = any, PI = any, R = any, RI = any> {
  readonly method: string
  readonly description: string
  readonly params: Schema.Schema<P, PI>
  readonly result: Schema.Schema<R, RI>
  readonly audience: Audience
  readonly hints: MethodHints
  /** Mutations only: how `dryRun: true` is answered. */
  readonly dryRun?: DryRunSupport
}

/**
 * A mutation's dry run: `preview` is the schema of its DryRun answer. `refused` says why the
 * method cannot be previewed (its effects reach outside PostgreSQL), and `dryRun: true` is then
 * refused with -32602 and that reason.
 */
export interface DryRunSupport {
  readonly preview: Schema.Schema<any, any>
  readonly refused?: string
}

/** The result schema on the wire: a mutation that can be previewed answers its result or a DryRun preview. */
export const resultOnWire = (method: Method): Schema.Schema<any, any> =>
  method.dryRun && method.dryRun.refused === undefined ? Schema.Union(method.result, method.dryRun.preview) : method.result

export type ParamsOf<M> = M extends Method<infer P, any, any, any> ? P : never
export type ParamsEncoded<M> = M extends Method<any, infer PI, any, any> ? PI : never
export type ResultOf<M> = M extends Method<any, any, infer R, any> ? R : never
export type ResultEncoded<M> = M extends Method<any, any, any, infer RI> ? RI : never

const readHints: MethodHints = { readOnly: true, destructive: false, idempotent: true }
const writeHints: MethodHints = { readOnly: false, destructive: false, idempotent: false }

/** A read-only method: safe to call at any time, no change to state. */
export const query = <P, PI, R, RI>(def: {
  readonly method: string
  readonly description: string
  readonly params: Schema.Schema<P, PI>
  readonly result: Schema.Schema<R, RI>
  readonly audience?: Audience
}): Method<P, PI, R, RI> => ({ audience: "authenticated", ...def, hints: readHints })

type OptionFields = typeof mutationOptionFields

/**
 * The params plus dryRun and onBehalfOf. NoParams (a record of never) cannot be extended, as every
 * key would have to be never: a mutation without params of its own gets the options alone.
 */
const withOptions = (params: Schema.Schema<any, any>): Schema.Schema<any, any> => {
  const ast = params.ast
  const noParams = ast._tag === "TypeLiteral" && ast.propertySignatures.length === 0 && ast.indexSignatures.length > 0
  return noParams ? Schema.Struct(mutationOptionFields) : Schema.extend(params, Schema.Struct(mutationOptionFields))
}

/**
 * A method that changes state. Its params are `params`' fields plus `dryRun` and `onBehalfOf`
 * (model/DryRun.ts), which the router takes off before the handler sees the params. `dryRun`
 * names why the method cannot be previewed, when it cannot; by default a dry run runs the
 * method in a transaction that is rolled back.
 */
export const mutation = <P, PI, R, RI>(def: {
  readonly method: string
  readonly description: string
  /** A Struct, or a Struct with a filter: `dryRun` and `onBehalfOf` are added to its fields. */
  readonly params: Schema.Schema<P, PI>
  readonly result: Schema.Schema<R, RI>
  readonly audience?: Audience
  readonly destructive?: boolean
  readonly idempotent?: boolean
  readonly dryRun?: { readonly refused: string }
}): Method<P & Schema.Struct.Type<OptionFields>, PI & Schema.Struct.Encoded<OptionFields>, R, RI> => ({
  method: def.method,
  description: def.description,
  params: withOptions(def.params) as Schema.Schema<
    P & Schema.Struct.Type<OptionFields>, PI & Schema.Struct.Encoded<OptionFields>>,
  result: def.result,
  audience: def.audience ?? "writer",
  hints: {
    ...writeHints,
    destructive: def.destructive ?? false,
    idempotent: def.idempotent ?? false
  },
  dryRun: { preview: dryRunPreview(def.result), ...(def.dryRun ? { refused: def.dryRun.refused } : {}) }
})

/** A server-to-client or client-to-server notification. */
export interface Notification<P = any, PI = any> {
  readonly method: string
  readonly description: string
  readonly params: Schema.Schema<P, PI>
}

export const notification = <P, PI>(def: Notification<P, PI>): Notification<P, PI> => def
