import { Schema } from "effect"
import { query, notification, type Method } from "../Method.js"
import { NoParams } from "../model/common.js"
import { User } from "../model/User.js"
import { OnBehalfOf } from "../model/DryRun.js"

/** The protocol version this package implements. */
export const PROTOCOL_VERSION = "1"

/** Credentials: an API token, or a username and password. */
export const Credentials = Schema.Union(
  Schema.Struct({
    /** An API token from `auth/tokens/create`. */
    token: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(512))
  }),
  Schema.Struct({
    /** `user.username`. */
    username: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(256)),
    /** The user's password (verified against its bcrypt hash). */
    password: Schema.String.pipe(Schema.maxLength(1024))
  })
).annotations({ identifier: "Credentials" })

export const ClientInfo = Schema.Struct({
  /** The client's name, recorded with every mutation it makes. */
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(256)),
  /** The client's version. */
  version: Schema.optional(Schema.String.pipe(Schema.maxLength(64)))
}).annotations({ identifier: "ClientInfo" })

export const InitializeParams = Schema.Struct({
  /** Must be "1". */
  protocolVersion: Schema.Literal(PROTOCOL_VERSION),
  clientInfo: ClientInfo,
  /** Omitted only when the daemon trusts local connections (`--trust-local`). */
  credentials: Schema.optional(Credentials),
  /**
   * Whom this connection acts for (an agent's user, a ticket): recorded with clientInfo in the
   * audit entry of every mutation; a mutation's own `onBehalfOf` param overrides it.
   */
  onBehalfOf: Schema.optional(OnBehalfOf)
})

export const Capabilities = Schema.Struct({
  /** Every request method this daemon serves. */
  methods: Schema.Array(Schema.String),
  /** Every notification the daemon may send. */
  notifications: Schema.Array(Schema.String),
  /** A SIEM index is configured. */
  siem: Schema.Boolean,
  /** A blob store is configured. */
  blobs: Schema.Boolean
})

export const InitializeResult = Schema.Struct({
  protocolVersion: Schema.String,
  serverInfo: Schema.Struct({ name: Schema.String, version: Schema.String }),
  capabilities: Capabilities,
  /** The user this connection acts as. */
  user: User
})

export const Initialize = query({
  method: "initialize",
  description: "Open the session: check the protocol version and credentials, and learn the server's capabilities.",
  params: InitializeParams,
  result: InitializeResult,
  audience: "public"
})

/** A lifecycle step, not a change to the SOC: no dryRun, no audit entry. */
export const Shutdown: Method<{ readonly [x: string]: never }, { readonly [x: string]: never }, null, null> = {
  method: "shutdown",
  description: "Finish in-flight requests and refuse new ones; send `exit` next to close.",
  params: NoParams,
  result: Schema.Null,
  audience: "public",
  hints: { readOnly: false, destructive: false, idempotent: true }
}

export const Discover = query({
  method: "rpc.discover",
  description: "An OpenRPC 1.x document of every method, generated from the protocol schemas.",
  params: NoParams,
  result: Schema.Unknown,
  audience: "public"
})

export const Initialized = notification({
  method: "initialized",
  description: "The client has processed the initialize result.",
  params: Schema.Struct({})
})

export const Exit = notification({
  method: "exit",
  description: "Close the connection (after shutdown).",
  params: Schema.Struct({})
})

export const ProgressValue = Schema.Struct({
  kind: Schema.Literal("begin", "report", "end"),
  title: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  percentage: Schema.optional(Schema.Number)
})

export const Progress = notification({
  method: "$/progress",
  description: "Progress of long work started by a request.",
  params: Schema.Struct({ token: Schema.Union(Schema.String, Schema.Number), value: ProgressValue })
})
