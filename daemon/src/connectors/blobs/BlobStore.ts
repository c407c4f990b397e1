import { Context, Data, type Effect } from "effect"
import type { Readable } from "node:stream"

/**
 * Why a blob call failed. "unconfigured" and "unreachable" become -32010 on the wire;
 * "not-found" is an object that is missing (-32004); "rejected" is a key the store refuses.
 */
export class BlobError extends Data.TaggedError("BlobError")<{
  readonly reason: "unconfigured" | "unreachable" | "not-found" | "rejected"
  readonly message: string
  readonly cause?: unknown
}> {}

/** CoPilot's buckets (copilot-facts §h), created when missing. */
export const Buckets = {
  cases: "copilot-cases",
  reportTemplates: "copilot-case-report-templates",
  velociraptor: "velociraptor-artifacts",
  vulnerabilityReports: "vulnerability-reports",
  scaReports: "sca-reports",
  /** Sockeye's own: chunks of pending uploads, as <upload id>/<offset>. */
  staging: "sockeye-staging"
} as const

export const allBuckets: ReadonlyArray<string> = Object.values(Buckets)

export interface BlobInfo {
  readonly key: string
  readonly size: number
  readonly modifiedAt: Date
}

/** The body of a put: bytes in memory, or a stream of exactly `size` bytes. */
export type BlobBody = Uint8Array | (() => Readable)

/**
 * Object storage for case files, report templates and artifacts: MinIO (or any S3) as CoPilot
 * uses it, or a directory under SOCKEYE_HOME for the embedded default. Keys are `/`-separated;
 * a put replaces the object whole or not at all (a reader never sees half of it).
 */
export interface BlobStoreService {
  readonly kind: "s3" | "fs" | "none"
  /** A human-readable target for messages, e.g. `http://minio:9000` or the directory. */
  readonly describe: string
  readonly put: (bucket: string, key: string, body: BlobBody, size: number) => Effect.Effect<void, BlobError>
  /** Bytes [offset, offset + length) of the object (fewer at its end); the whole object without a range. */
  readonly read: (bucket: string, key: string, range?: { readonly offset: number; readonly length: number }) => Effect.Effect<Uint8Array, BlobError>
  /** The object's size and time; "not-found" when it is missing. */
  readonly stat: (bucket: string, key: string) => Effect.Effect<BlobInfo, BlobError>
  /** Removes objects; missing ones are not an error. */
  readonly remove: (bucket: string, keys: ReadonlyArray<string>) => Effect.Effect<void, BlobError>
  /** Every object whose key starts with `prefix` (all without), in no particular order. */
  readonly list: (bucket: string, prefix?: string) => Effect.Effect<ReadonlyArray<BlobInfo>, BlobError>
  /** Removes what puts cut off by a crash left behind before `olderThan`; how many. */
  readonly sweepTemporary: (olderThan: Date) => Effect.Effect<number, BlobError>
}

export class BlobStore extends Context.Tag("Connectors/BlobStore")<BlobStore, BlobStoreService>() {}

/** A key the stores accept: relative, `/`-separated, no empty, `.` or `..` segment, no NUL or backslash. */
export const validKey = (key: string): boolean =>
  key.length > 0 && key.length <= 1024 && !key.includes("\0") && !key.includes("\\") &&
  key.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..")
