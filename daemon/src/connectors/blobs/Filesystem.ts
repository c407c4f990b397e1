import { Effect, Layer } from "effect"
import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as fsp from "node:fs/promises"
import * as path from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { allBuckets, BlobError, BlobStore, validKey, type BlobBody, type BlobInfo, type BlobStoreService } from "./BlobStore.js"

/** Temporary files of puts in progress: beside the buckets (same file system, so rename is atomic), never inside one. */
const TMP = ".tmp"

const isMissing = (error: unknown) => (error as { code?: string }).code === "ENOENT" || (error as { code?: string }).code === "ENOTDIR"

/**
 * Buckets as directories under `root` (default $SOCKEYE_HOME/blobs), objects as files at their
 * key. A put writes a temporary file and renames it over the key, so readers see the old object or
 * the new one, never a part; a crash leaves at most a file in .tmp, which datastore_gc removes.
 */
export const make = (root: string): Effect.Effect<BlobStoreService, BlobError> =>
  Effect.gen(function*() {
    const failure = (what: string) => (cause: unknown) =>
      isMissing(cause)
        ? new BlobError({ reason: "not-found", message: `${what}: no such object`, cause })
        : new BlobError({ reason: "unreachable", message: `${what} failed in ${root}: ${(cause as Error).message}`, cause })
    const io = <A>(what: string, run: () => Promise<A>) => Effect.tryPromise({ try: run, catch: failure(what) })

    yield* io("creating the buckets", async () => {
      for (const bucket of [...allBuckets, TMP]) await fsp.mkdir(path.join(root, bucket), { recursive: true })
    })

    const pathOf = (bucket: string, key: string) =>
      validKey(bucket) && !bucket.includes("/") && !bucket.startsWith(".") && validKey(key)
        ? Effect.succeed(path.join(root, bucket, ...key.split("/")))
        : Effect.fail(new BlobError({ reason: "rejected", message: `invalid object key ${JSON.stringify(`${bucket}/${key}`.slice(0, 200))}` }))

    const writeTemp = async (file: string, body: BlobBody, size: number) => {
      const source = body instanceof Uint8Array ? Readable.from([body]) : body()
      const out = fs.createWriteStream(file, { flags: "wx" })
      await pipeline(source, out)
      const written = (await fsp.stat(file)).size
      if (written !== size) throw new Error(`expected ${size} bytes, got ${written}`)
    }

    const put = (bucket: string, key: string, body: BlobBody, size: number) =>
      Effect.flatMap(pathOf(bucket, key), (target) => {
        const temp = path.join(root, TMP, randomUUID())
        return io(`put ${bucket}/${key}`, async () => {
          try {
            await writeTemp(temp, body, size)
            await fsp.mkdir(path.dirname(target), { recursive: true })
            await fsp.rename(temp, target)
          } catch (error) {
            await fsp.rm(temp, { force: true })
            throw error
          }
        })
      })

    const read = (bucket: string, key: string, range?: { readonly offset: number; readonly length: number }) =>
      Effect.flatMap(pathOf(bucket, key), (file) =>
        io(`read ${bucket}/${key}`, async () => {
          if (!range) return new Uint8Array(await fsp.readFile(file))
          const handle = await fsp.open(file, "r")
          try {
            const buffer = Buffer.alloc(range.length)
            let filled = 0
            while (filled < range.length) {
              const { bytesRead } = await handle.read(buffer, filled, range.length - filled, range.offset + filled)
              if (bytesRead === 0) break
              filled += bytesRead
            }
            return new Uint8Array(buffer.buffer, buffer.byteOffset, filled)
          } finally {
            await handle.close()
          }
        }))

    const stat = (bucket: string, key: string) =>
      Effect.flatMap(pathOf(bucket, key), (file) =>
        io(`stat ${bucket}/${key}`, async (): Promise<BlobInfo> => {
          const s = await fsp.stat(file)
          if (!s.isFile()) throw Object.assign(new Error("not a file"), { code: "ENOENT" })
          return { key, size: s.size, modifiedAt: s.mtime }
        }))

    const remove = (bucket: string, keys: ReadonlyArray<string>) =>
      Effect.forEach(keys, (key) =>
        Effect.flatMap(pathOf(bucket, key), (file) =>
          io(`remove ${bucket}/${key}`, async () => {
            await fsp.rm(file, { force: true })
            // Empty key directories (a case's, an upload's) go with their last object.
            let dir = path.dirname(file)
            const bucketDir = path.join(root, bucket)
            while (dir.startsWith(bucketDir + path.sep)) {
              try {
                await fsp.rmdir(dir)
              } catch {
                break
              }
              dir = path.dirname(dir)
            }
          })), { discard: true })

    const walk = async (dir: string, prefix: string, out: Array<BlobInfo>) => {
      let entries: Array<fs.Dirent>
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true })
      } catch (error) {
        if (isMissing(error)) return
        throw error
      }
      for (const entry of entries) {
        const key = prefix === "" ? entry.name : `${prefix}/${entry.name}`
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) await walk(full, key, out)
        else if (entry.isFile()) {
          const s = await fsp.stat(full).catch(() => undefined)
          if (s) out.push({ key, size: s.size, modifiedAt: s.mtime })
        }
      }
    }

    const list = (bucket: string, prefix = "") =>
      Effect.flatMap(pathOf(bucket, "x"), () =>
        io(`list ${bucket}`, async () => {
          const out: Array<BlobInfo> = []
          await walk(path.join(root, bucket), "", out)
          return out.filter((o) => o.key.startsWith(prefix))
        }))

    const sweepTemporary = (olderThan: Date) =>
      io("sweeping temporary files", async () => {
        const dir = path.join(root, TMP)
        let removed = 0
        for (const name of await fsp.readdir(dir)) {
          const s = await fsp.stat(path.join(dir, name)).catch(() => undefined)
          if (s && s.mtime < olderThan) {
            await fsp.rm(path.join(dir, name), { force: true })
            removed++
          }
        }
        return removed
      })

    return { kind: "fs", describe: root, put, read, stat, remove, list, sweepTemporary } satisfies BlobStoreService
  })

export const layer = (root: string) => Layer.effect(BlobStore, make(root))
