import { Config, Context, Layer, Option, Redacted } from "effect"
import * as os from "node:os"
import * as path from "node:path"

/** Every setting of the daemon, from the environment (SOCKEYE_*) and flags. */
export interface DaemonSettings {
  /** SOCKEYE_DATABASE_URL; none means the embedded PostgreSQL under `home`. */
  readonly databaseUrl: Option.Option<Redacted.Redacted>
  /** SOCKEYE_HOME: embedded database, blobs, runtime files. */
  readonly home: string
  /** SOCKEYE_MIGRATIONS_DIR: where migrations/*.sql live. */
  readonly migrationsDir: Option.Option<string>
  /** SOCKEYE_ADMIN_PASSWORD: the first admin's password on an empty database. */
  readonly adminPassword: Option.Option<Redacted.Redacted>
  /** Credential-less local connections act as this user (`--trust-local USER`). */
  readonly trustLocal: Option.Option<string>
  /** SOCKEYE_MAX_MESSAGE_BYTES: larger frames are refused with -32013. */
  readonly maxMessageBytes: number
  /** SOCKEYE_DB_POOL: connections in the pool. */
  readonly dbPoolSize: number
  /** SOCKEYE_SHUTDOWN_GRACE_MS: how long shutdown waits for in-flight requests. */
  readonly shutdownGraceMs: number
  /** SOCKEYE_LOGIN_MAX_FAILURES: failed sign-ins per username within the window before it is locked. */
  readonly loginMaxFailures: number
  /** SOCKEYE_LOGIN_MAX_FAILURES_PER_PEER: failed sign-ins per origin (TCP address, or "local") within the window. */
  readonly loginMaxFailuresPerPeer: number
  /** SOCKEYE_LOGIN_WINDOW_MS: the sliding window over which failures count. */
  readonly loginWindowMs: number
  /** SOCKEYE_SIEM: which SIEM layer; none given means OpenSearch when a URL is set, else the local index. */
  readonly siem: Option.Option<SiemKind>
  /** SOCKEYE_OPENSEARCH_URL: the Wazuh indexer, e.g. https://indexer:9200. */
  readonly opensearchUrl: Option.Option<string>
  /** SOCKEYE_OPENSEARCH_USERNAME / _PASSWORD: basic auth. */
  readonly opensearchUsername: Option.Option<string>
  readonly opensearchPassword: Option.Option<Redacted.Redacted>
  /** SOCKEYE_OPENSEARCH_CA_FILE: PEM file of the CA that signed the indexer's certificate. */
  readonly opensearchCaFile: Option.Option<string>
  /** SOCKEYE_OPENSEARCH_TLS_VERIFY: false accepts any certificate (lab set-ups only). */
  readonly opensearchTlsVerify: boolean
  /** SOCKEYE_OPENSEARCH_TIMEOUT_MS: per request, and for the start-up health probe. */
  readonly opensearchTimeoutMs: number
  /** SOCKEYE_BLOBS: which blob store; none given means s3 when an endpoint is set, else fs with an embedded database, else none. */
  readonly blobs: Option.Option<BlobsKind>
  /** SOCKEYE_BLOBS_DIR: the fs store's root; default $SOCKEYE_HOME/blobs. */
  readonly blobsDir: Option.Option<string>
  /** SOCKEYE_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY / _REGION / _CA_FILE / _TLS_VERIFY: MinIO or S3. */
  readonly s3Endpoint: Option.Option<string>
  readonly s3AccessKey: Option.Option<string>
  readonly s3SecretKey: Option.Option<Redacted.Redacted>
  readonly s3Region: string
  readonly s3CaFile: Option.Option<string>
  readonly s3TlsVerify: boolean
  /** SOCKEYE_MAX_UPLOAD_BYTES: the largest file an upload may declare. */
  readonly maxUploadBytes: number
  /** SOCKEYE_DEV: development mode; enables migrations/new, which writes into the migrations folder. */
  readonly dev: boolean
}

export const siemKinds = ["opensearch", "local", "none"] as const
export type SiemKind = (typeof siemKinds)[number]

export const blobsKinds = ["s3", "fs", "none"] as const
export type BlobsKind = (typeof blobsKinds)[number]

/** The datastores' file_size columns are 32-bit integers. */
export const MAX_UPLOAD_CEILING = 2 ** 31 - 1

export class DaemonConfig extends Context.Tag("Sockeye/DaemonConfig")<DaemonConfig, DaemonSettings>() {}

/** Root cannot use its own home: the embedded postgres user could not enter it. */
export const defaultHome = (): string => {
  if (process.getuid?.() === 0) return "/var/lib/sockeye"
  const dataHome = process.env["XDG_DATA_HOME"] ?? path.join(os.homedir(), ".local", "share")
  return path.join(dataHome, "sockeye")
}

export const defaults: DaemonSettings = {
  databaseUrl: Option.none(),
  home: defaultHome(),
  migrationsDir: Option.none(),
  adminPassword: Option.none(),
  trustLocal: Option.none(),
  maxMessageBytes: 16 * 1024 * 1024,
  dbPoolSize: 16,
  shutdownGraceMs: 10_000,
  loginMaxFailures: 5,
  loginMaxFailuresPerPeer: 20,
  loginWindowMs: 60_000,
  siem: Option.none(),
  opensearchUrl: Option.none(),
  opensearchUsername: Option.none(),
  opensearchPassword: Option.none(),
  opensearchCaFile: Option.none(),
  opensearchTlsVerify: true,
  opensearchTimeoutMs: 10_000,
  blobs: Option.none(),
  blobsDir: Option.none(),
  s3Endpoint: Option.none(),
  s3AccessKey: Option.none(),
  s3SecretKey: Option.none(),
  s3Region: "us-east-1",
  s3CaFile: Option.none(),
  s3TlsVerify: true,
  maxUploadBytes: 256 * 1024 * 1024,
  dev: false
}

export const config: Config.Config<DaemonSettings> = Config.all({
  databaseUrl: Config.option(Config.redacted("SOCKEYE_DATABASE_URL")).pipe(
    Config.withDescription("PostgreSQL URL; unset runs an embedded PostgreSQL in SOCKEYE_HOME")
  ),
  home: Config.string("SOCKEYE_HOME").pipe(
    Config.withDefault(defaults.home),
    Config.withDescription("data directory of the embedded database, blobs and runtime files")
  ),
  migrationsDir: Config.option(Config.string("SOCKEYE_MIGRATIONS_DIR")).pipe(
    Config.withDescription("directory of NNNN_name.sql migrations; default: the repo's migrations/")
  ),
  adminPassword: Config.option(Config.redacted("SOCKEYE_ADMIN_PASSWORD")).pipe(
    Config.withDescription("password of the first admin; unset generates one and prints it once")
  ),
  trustLocal: Config.option(Config.string("SOCKEYE_TRUST_LOCAL")).pipe(
    Config.withDescription("username that credential-less stdio/socket connections act as")
  ),
  maxMessageBytes: Config.integer("SOCKEYE_MAX_MESSAGE_BYTES").pipe(
    Config.withDefault(defaults.maxMessageBytes),
    Config.validate({ message: "must be at least 1024", validation: (n) => n >= 1024 }),
    Config.withDescription("largest JSON-RPC message accepted, in bytes")
  ),
  dbPoolSize: Config.integer("SOCKEYE_DB_POOL").pipe(
    Config.withDefault(defaults.dbPoolSize),
    Config.withDescription("PostgreSQL connections in the pool")
  ),
  shutdownGraceMs: Config.integer("SOCKEYE_SHUTDOWN_GRACE_MS").pipe(
    Config.withDefault(defaults.shutdownGraceMs),
    Config.withDescription("how long shutdown waits for in-flight requests")
  ),
  loginMaxFailures: Config.integer("SOCKEYE_LOGIN_MAX_FAILURES").pipe(
    Config.withDefault(defaults.loginMaxFailures),
    Config.validate({ message: "must be at least 1", validation: (n) => n >= 1 }),
    Config.withDescription("failed sign-ins per username within SOCKEYE_LOGIN_WINDOW_MS before further attempts are refused")
  ),
  loginMaxFailuresPerPeer: Config.integer("SOCKEYE_LOGIN_MAX_FAILURES_PER_PEER").pipe(
    Config.withDefault(defaults.loginMaxFailuresPerPeer),
    Config.validate({ message: "must be at least 1", validation: (n) => n >= 1 }),
    Config.withDescription("failed sign-ins per origin (TCP address; all local connections are one origin) within the window")
  ),
  loginWindowMs: Config.integer("SOCKEYE_LOGIN_WINDOW_MS").pipe(
    Config.withDefault(defaults.loginWindowMs),
    Config.validate({ message: "must be at least 1000", validation: (n) => n >= 1000 }),
    Config.withDescription("the sliding window over which failed sign-ins count, in ms")
  ),
  siem: Config.option(Config.literal(...siemKinds)("SOCKEYE_SIEM")).pipe(
    Config.withDescription("SIEM layer: opensearch, local (a PostgreSQL table) or none; default opensearch when SOCKEYE_OPENSEARCH_URL is set, else local")
  ),
  opensearchUrl: Config.option(Config.string("SOCKEYE_OPENSEARCH_URL")).pipe(
    Config.withDescription("URL of the Wazuh indexer (OpenSearch), e.g. https://indexer:9200")
  ),
  opensearchUsername: Config.option(Config.string("SOCKEYE_OPENSEARCH_USERNAME")).pipe(
    Config.withDescription("basic-auth user for the Wazuh indexer")
  ),
  opensearchPassword: Config.option(Config.redacted("SOCKEYE_OPENSEARCH_PASSWORD")).pipe(
    Config.withDescription("basic-auth password for the Wazuh indexer")
  ),
  opensearchCaFile: Config.option(Config.string("SOCKEYE_OPENSEARCH_CA_FILE")).pipe(
    Config.withDescription("PEM file of the CA that signed the indexer's certificate")
  ),
  opensearchTlsVerify: Config.boolean("SOCKEYE_OPENSEARCH_TLS_VERIFY").pipe(
    Config.withDefault(defaults.opensearchTlsVerify),
    Config.withDescription("false accepts any indexer certificate (lab set-ups only)")
  ),
  opensearchTimeoutMs: Config.integer("SOCKEYE_OPENSEARCH_TIMEOUT_MS").pipe(
    Config.withDefault(defaults.opensearchTimeoutMs),
    Config.validate({ message: "must be at least 100", validation: (n) => n >= 100 }),
    Config.withDescription("timeout of each indexer request and of the start-up health probe, in ms")
  ),
  blobs: Config.option(Config.literal(...blobsKinds)("SOCKEYE_BLOBS")).pipe(
    Config.withDescription("blob store: s3 (MinIO), fs (a directory) or none; default s3 when SOCKEYE_S3_ENDPOINT is set, else fs with the embedded database, else none")
  ),
  blobsDir: Config.option(Config.string("SOCKEYE_BLOBS_DIR")).pipe(
    Config.withDescription("root directory of the fs blob store; default $SOCKEYE_HOME/blobs")
  ),
  s3Endpoint: Config.option(Config.string("SOCKEYE_S3_ENDPOINT")).pipe(
    Config.withDescription("MinIO/S3 URL, e.g. http://minio:9000 (https turns TLS on)")
  ),
  s3AccessKey: Config.option(Config.string("SOCKEYE_S3_ACCESS_KEY")).pipe(
    Config.withDescription("MinIO/S3 access key (CoPilot's MINIO_ROOT_USER)")
  ),
  s3SecretKey: Config.option(Config.redacted("SOCKEYE_S3_SECRET_KEY")).pipe(
    Config.withDescription("MinIO/S3 secret key (CoPilot's MINIO_ROOT_PASSWORD)")
  ),
  s3Region: Config.string("SOCKEYE_S3_REGION").pipe(
    Config.withDefault(defaults.s3Region),
    Config.withDescription("region the buckets are created in")
  ),
  s3CaFile: Config.option(Config.string("SOCKEYE_S3_CA_FILE")).pipe(
    Config.withDescription("PEM file of the CA that signed the MinIO certificate")
  ),
  s3TlsVerify: Config.boolean("SOCKEYE_S3_TLS_VERIFY").pipe(
    Config.withDefault(defaults.s3TlsVerify),
    Config.withDescription("false accepts any MinIO certificate (lab set-ups only)")
  ),
  maxUploadBytes: Config.integer("SOCKEYE_MAX_UPLOAD_BYTES").pipe(
    Config.withDefault(defaults.maxUploadBytes),
    Config.validate({ message: `must be between 0 and ${MAX_UPLOAD_CEILING}`, validation: (n) => n >= 0 && n <= MAX_UPLOAD_CEILING }),
    Config.withDescription("largest file an upload may declare, in bytes (default 256 MiB)")
  ),
  dev: Config.boolean("SOCKEYE_DEV").pipe(
    Config.withDefault(defaults.dev),
    Config.withDescription("development mode: migrations/new may write migration files")
  )
})

/** Settings from the environment, with flag overrides applied on top. */
export const layerConfig = (overrides: Partial<DaemonSettings> = {}) =>
  Layer.effect(DaemonConfig, Config.map(config, (fromEnv) => ({ ...fromEnv, ...overrides })))

/** Fixed settings, for tests. */
export const layer = (settings: Partial<DaemonSettings>) =>
  Layer.succeed(DaemonConfig, { ...defaults, ...settings })
