import { Effect, Layer, Option, Redacted, Ref } from "effect"
import * as fs from "node:fs"
import * as https from "node:https"
import { allBuckets, BlobError, BlobStore, validKey, type BlobBody, type BlobInfo, type BlobStoreService } from "./BlobStore.js"

export interface S3Options {
  /** e.g. http://minio:9000; https turns TLS on. */
  readonly endpoint: string
  readonly accessKey: string
  readonly secretKey: Redacted.Redacted
  readonly region: string
  /** PEM file of the CA that signed the server's certificate. */
  readonly caFile: Option.Option<string>
  readonly tlsVerify: boolean
}

const missingCodes = new Set(["NoSuchKey", "NotFound", "NoSuchBucket"])

/**
 * MinIO or another S3 through the minio client, as CoPilot stores its files (copilot-facts §h).
 * The buckets are created when missing, at start and again before a call if the store was down
 * then; a daemon starts without its store (calls then answer -32010).
 */
export const make = (options: S3Options): Effect.Effect<BlobStoreService> =>
  Effect.gen(function*() {
    // Loaded only when an S3 store is configured: importing minio costs a daemon ~1 s of start-up.
    const Minio = yield* Effect.promise(() => import("minio"))
    const url = new URL(options.endpoint)
    const useSSL = url.protocol === "https:"
    const client = new Minio.Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : (useSSL ? 443 : 80),
      useSSL,
      accessKey: options.accessKey,
      secretKey: Redacted.value(options.secretKey),
      region: options.region,
      pathStyle: true,
      ...(useSSL && (Option.isSome(options.caFile) || !options.tlsVerify)
        ? {
          transportAgent: new https.Agent({
            keepAlive: true,
            rejectUnauthorized: options.tlsVerify,
            ...(Option.isSome(options.caFile) ? { ca: fs.readFileSync(options.caFile.value) } : {})
          })
        }
        : {})
    })
    const describe = `${url.protocol}//${url.host}`

    const failure = (what: string) => (cause: unknown) => {
      const code = (cause as { code?: string }).code ?? ""
      if (missingCodes.has(code)) return new BlobError({ reason: "not-found", message: `${what}: no such object`, cause })
      return new BlobError({ reason: "unreachable", message: `${what} failed at ${describe}: ${(cause as Error).message ?? String(cause)}`, cause })
    }
    const call = <A>(what: string, run: () => Promise<A>) => Effect.tryPromise({ try: run, catch: failure(what) })

    const ready = yield* Ref.make(false)
    const createBuckets = Effect.forEach(allBuckets, (bucket) =>
      call(`creating bucket ${bucket}`, async () => {
        if (!(await client.bucketExists(bucket))) {
          await client.makeBucket(bucket, options.region).catch((error: { code?: string }) => {
            // Another daemon made it in between.
            if (error.code !== "BucketAlreadyOwnedByYou" && error.code !== "BucketAlreadyExists") throw error
          })
        }
      }), { discard: true }).pipe(Effect.zipRight(Ref.set(ready, true)))
    const ensure = Effect.flatMap(Ref.get(ready), (done) => (done ? Effect.void : createBuckets))

    yield* createBuckets.pipe(
      Effect.tap(() => Effect.logInfo(`blobs: S3 at ${describe}`)),
      Effect.catchAll((error) => Effect.logWarning(`blobs: S3 at ${describe} is not ready: ${error.message}`))
    )

    const checked = (bucket: string, key: string) =>
      validKey(key)
        ? ensure
        : Effect.fail(new BlobError({ reason: "rejected", message: `invalid object key ${JSON.stringify(`${bucket}/${key}`.slice(0, 200))}` }))

    const put = (bucket: string, key: string, body: BlobBody, size: number) =>
      Effect.zipRight(checked(bucket, key), call(`put ${bucket}/${key}`, () =>
        client.putObject(bucket, key, body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : body(), size)))

    const collect = async (stream: NodeJS.ReadableStream) => {
      const parts: Array<Buffer> = []
      for await (const part of stream) parts.push(part as Buffer)
      const joined = Buffer.concat(parts)
      return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength)
    }

    const read = (bucket: string, key: string, range?: { readonly offset: number; readonly length: number }) =>
      Effect.zipRight(checked(bucket, key), call(`read ${bucket}/${key}`, async () => {
        if (!range) return collect(await client.getObject(bucket, key))
        if (range.length === 0) return new Uint8Array(0)
        try {
          return await collect(await client.getPartialObject(bucket, key, range.offset, range.length))
        } catch (error) {
          // S3 answers 416 for a range that starts at or past the end; that is an empty read here.
          if ((error as { code?: string }).code === "InvalidRange") return new Uint8Array(0)
          throw error
        }
      }))

    const stat = (bucket: string, key: string) =>
      Effect.zipRight(checked(bucket, key), call(`stat ${bucket}/${key}`, async (): Promise<BlobInfo> => {
        const s = await client.statObject(bucket, key)
        return { key, size: s.size, modifiedAt: s.lastModified }
      }))

    const remove = (bucket: string, keys: ReadonlyArray<string>) =>
      keys.length === 0 ? Effect.void : Effect.zipRight(ensure, call(`remove from ${bucket}`, async () => {
        for (let i = 0; i < keys.length; i += 1000) {
          const results = await client.removeObjects(bucket, keys.slice(i, i + 1000) as Array<string>)
          const failed = results.find((r) => r && "Error" in r && r.Error && !missingCodes.has(String((r.Error as { Code?: string }).Code)))
          if (failed) throw new Error(`removing objects failed: ${JSON.stringify(failed).slice(0, 300)}`)
        }
      }))

    const list = (bucket: string, prefix = "") =>
      Effect.zipRight(ensure, call(`list ${bucket}`, async () => {
        const out: Array<BlobInfo> = []
        for await (const item of client.listObjectsV2(bucket, prefix, true)) {
          if (item.name) out.push({ key: item.name, size: item.size, modifiedAt: item.lastModified })
        }
        return out
      }))

    return { kind: "s3", describe, put, read, stat, remove, list, sweepTemporary: () => Effect.succeed(0) } satisfies BlobStoreService
  })

export const layer = (options: S3Options) => Layer.effect(BlobStore, make(options))
