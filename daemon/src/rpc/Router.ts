import { SqlClient } from "@effect/sql"
import { Context, Effect, Option, Runtime, Schema } from "effect"
import {
  Forbidden, InvalidParams, InvalidRequest, Lifecycle, MethodNotFound, NotInitialized, Notifications,
  openRpcDocument, type Audience, type Method, type RoleName, type RpcError
} from "@sockeye/protocol"
import { Auth } from "../domain/auth/Auth.js"
import { CurrentPrincipal } from "../domain/Principal.js"
import { VERSION } from "../lib/packageInfo.js"
import type { Handler, HandlerServices } from "./Handler.js"
import type { Principal } from "../domain/Principal.js"
import { authHandlers } from "./handlers/Auth.js"
import { schemaHandlers } from "./handlers/Schema.js"
import { alertsHandlers } from "./handlers/Alerts.js"
import { casesHandlers } from "./handlers/Cases.js"
import { usersHandlers } from "./handlers/Users.js"
import { tagsHandlers } from "./handlers/Tags.js"
import { siemHandlers } from "./handlers/Siem.js"
import { ingestHandlers } from "./handlers/Ingest.js"
import { jobsHandlers } from "./handlers/Jobs.js"
import { filesHandlers } from "./handlers/Files.js"
import { Files } from "../domain/files/Files.js"
import { Uploads } from "../domain/files/Uploads.js"
import { Artifacts } from "../domain/files/Artifacts.js"
import { BlobStore } from "../connectors/blobs/BlobStore.js"
import { SiemService } from "../domain/siem/Siem.js"
import { Ingest } from "../domain/ingest/Ingest.js"
import { Jobs } from "../domain/jobs/Jobs.js"
import { Alerts } from "../domain/alerts/Alerts.js"
import { Cases } from "../domain/cases/Cases.js"
import { Users } from "../domain/users/Users.js"
import { Tags } from "../domain/tags/Tags.js"
import type { Session } from "./Session.js"
import { decodeParams } from "./Params.js"
import { dryRun } from "./DryRun.js"
import { Encoded } from "./Encoded.js"
import { noProgress, RequestProgress, reporterFor, takeProgressToken, type ProgressReporter } from "./Progress.js"
import { SiemIndex } from "../connectors/siem/SiemIndex.js"
import { Tokens } from "../domain/auth/Tokens.js"
import { SchemaCatalog } from "../domain/schema/SchemaCatalog.js"
import { MigrationsService } from "../domain/schema/MigrationsService.js"

/** What every mutation takes besides its own params (packages/protocol adds them to its schema). */
type MutationParams = { readonly dryRun?: boolean; readonly onBehalfOf?: string; readonly [key: string]: unknown }

/** What the router's runtime holds: every handler service but the per-request ones. */
type RouterServices = Exclude<HandlerServices, CurrentPrincipal | RequestProgress>
/** What a request runs with: the router's services, and its session's principal and progress. */
type RequestServices = Auth | RouterServices | CurrentPrincipal | RequestProgress

/** The one table of every handler the daemon serves besides the lifecycle. */
const handlers: ReadonlyArray<Handler> = [
  ...authHandlers, ...usersHandlers, ...tagsHandlers, ...alertsHandlers, ...casesHandlers, ...filesHandlers, ...jobsHandlers,
  ...siemHandlers, ...ingestHandlers, ...schemaHandlers
]

const allowed: Record<Audience, ReadonlyArray<RoleName>> = {
  public: ["admin", "analyst", "scheduler", "customer_user"],
  authenticated: ["admin", "analyst", "scheduler", "customer_user"],
  writer: ["admin", "analyst"],
  admin: ["admin"],
  adminOrScheduler: ["admin", "scheduler"]
}

/**
 * Decodes params, checks the session and the method's audience, runs the handler as the
 * session's principal, and encodes the result. Everything a request may fail with is an RpcError.
 */
export class Router extends Effect.Service<Router>()("Rpc/Router", {
  effect: Effect.gen(function*() {
    const siem = yield* Effect.serviceOption(SiemIndex)
    const blobs = yield* Effect.serviceOption(BlobStore)
    const sql = yield* SqlClient.SqlClient
    const table = new Map(handlers.map((h) => [h.method.method, h]))
    const methodNames = ["initialize", "shutdown", "rpc.discover", ...table.keys()]
    const methodList = [Lifecycle.Initialize, Lifecycle.Shutdown, Lifecycle.Discover, ...handlers.map((h) => h.method)]
    const discover = openRpcDocument(VERSION, methodList)

    const encode = <R>(method: Method<any, any, R>, value: R | Encoded<R>) =>
      value instanceof Encoded ? Effect.succeed(value) : Schema.encode(method.result)(value).pipe(Effect.orDie)

    const initialize = (session: Session, raw: unknown) =>
      Effect.gen(function*() {
        if (session.phase !== "new") return yield* new InvalidRequest({ message: "initialize was already called on this connection" })
        const params = yield* decodeParams(Lifecycle.Initialize, raw)
        const auth = yield* Auth
        const user = yield* auth.authenticate(params.credentials, session.origin, session.peer)
        const client = params.clientInfo.version ? `${params.clientInfo.name}/${params.clientInfo.version}` : params.clientInfo.name
        session.principal = { user, client, onBehalfOf: params.onBehalfOf, system: false }
        session.phase = "ready"
        yield* Effect.logInfo(`${session.transport}: ${client} signed in as ${user.username} (${user.role})`)
        return yield* encode(Lifecycle.Initialize, {
          protocolVersion: Lifecycle.PROTOCOL_VERSION,
          serverInfo: { name: "sockeyed", version: VERSION },
          capabilities: {
            methods: methodNames,
            notifications: Notifications.serverNotifications.map((n) => n.method),
            siem: Option.match(siem, { onNone: () => false, onSome: (index) => index.kind !== "none" }),
            blobs: Option.match(blobs, { onNone: () => false, onSome: (store) => store.kind !== "none" })
          },
          user
        })
      })

    const dispatch = (session: Session, name: string, raw: unknown): Effect.Effect<unknown, RpcError, RequestServices> =>
      Effect.gen(function*() {
        if (name === "initialize") return yield* initialize(session, raw)
        if (session.phase === "closing") return yield* new InvalidRequest({ message: "the connection is shutting down" })
        const principal = session.principal
        if (session.phase === "new" || !principal) {
          return yield* new NotInitialized({ message: `${name}: call initialize first` })
        }
        if (name === "shutdown") {
          yield* decodeParams(Lifecycle.Shutdown, raw)
          session.phase = "closing"
          yield* session.drain
          return null
        }
        if (name === "rpc.discover") {
          yield* decodeParams(Lifecycle.Discover, raw)
          return discover
        }
        const handler = table.get(name)
        if (!handler) return yield* new MethodNotFound({ message: `unknown method ${JSON.stringify(name.slice(0, 100))}` })
        const method = handler.method
        if (!allowed[method.audience].includes(principal.user.role)) {
          return yield* new Forbidden({ message: `${name} is not allowed for role ${principal.user.role}` })
        }
        const { params: rest, token } = yield* takeProgressToken(name, raw)
        const params = yield* decodeParams(method, rest)
        const progress = reporterFor(session, token)
        if (!method.dryRun) {
          // The session's runtime already holds the principal and no progress (see runtimeOf).
          return yield* encode(method, yield* (token === undefined
            ? handler.run(params)
            : handler.run(params).pipe(Effect.provideService(RequestProgress, progress))))
        }
        return yield* mutate(method, handler, principal, progress, params as MutationParams)
      })

    /** A mutation: its options come off the params; a request's onBehalfOf overrides the connection's. */
    const mutate = (
      method: Method, handler: Handler, principal: Principal, progress: ProgressReporter,
      { dryRun: preview, onBehalfOf, ...params }: MutationParams
    ) =>
      Effect.gen(function*() {
        const acting = onBehalfOf === undefined ? principal : { ...principal, onBehalfOf }
        const run = handler.run(params).pipe(
          Effect.provideService(CurrentPrincipal, acting),
          Effect.provideService(RequestProgress, progress)
        )
        if (preview !== true) return yield* encode(method, yield* run)
        const support = method.dryRun!
        if (support.refused !== undefined) {
          return yield* new InvalidParams({
            message: `${method.method}: dryRun is not supported: ${support.refused}`,
            issues: [{ path: ["dryRun"], message: support.refused }]
          })
        }
        return yield* Schema.encode(support.preview)(yield* dryRun(sql, acting, run)).pipe(Effect.orDie)
      })

    // Spans (Effect.fn, @effect/sql's per-statement span) are built on every call and nothing reads
    // them: the runtime requests fork on has tracing off, rather than each request turning it off.
    const runtime = yield* Effect.withTracerEnabled(Effect.runtime<Auth | RouterServices>(), false)
    /**
     * A signed-in session's requests fork on a runtime whose context already holds its principal
     * and no progress, built once per principal: providing them per request copied the context
     * (every service of the daemon) twice a call, a large share of what a read allocated.
     */
    const sessionRuntimes = new WeakMap<Principal, Runtime.Runtime<RequestServices>>()
    const runtimeOf = (session: Session): Runtime.Runtime<RequestServices> => {
      const principal = session.principal
      // dispatch runs no handler before the session has a principal (NotInitialized).
      if (!principal) return runtime as Runtime.Runtime<RequestServices>
      let own = sessionRuntimes.get(principal)
      if (!own) {
        own = Runtime.make({
          context: runtime.context.pipe(Context.add(CurrentPrincipal, principal), Context.add(RequestProgress, noProgress)),
          fiberRefs: runtime.fiberRefs,
          runtimeFlags: runtime.runtimeFlags
        })
        sessionRuntimes.set(principal, own)
      }
      return own
    }
    const fork = (session: Session, name: string, raw: unknown) => Runtime.runFork(runtimeOf(session))(dispatch(session, name, raw))

    return { fork, methodNames } as const
  }),
  dependencies: [
    Auth.Default, Tokens.Default, SchemaCatalog.Default, MigrationsService.Default,
    Alerts.Default, Cases.Default, Users.Default, Tags.Default, SiemService.Default, Ingest.Default, Jobs.Default,
    Files.Default, Uploads.Default, Artifacts.Default
  ]
}) {}
