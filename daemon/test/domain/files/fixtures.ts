import * as Minio from "minio"
import S3rver from "s3rver"
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { DaemonClient } from "@sockeye/client"
import { Jobs } from "@sockeye/protocol"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, tempDir, type RunningDaemon } from "../../fixtures/Daemon.js"
import { connectAs } from "../../fixtures/Seed.js"

export type StoreKind = "fs" | "s3"

/**
 * s3rver stands in for MinIO, which cannot run here: the daemon talks to it through the real
 * minio client over HTTP, exactly as it would to MinIO. s3rver has no multipart upload, so
 * objects stay under the client's 64 MiB part size (MinIO takes larger ones in parts).
 */
export const startS3 = async () => {
  const directory = tempDir("s3rver")
  const server = new S3rver({ port: 0, address: "127.0.0.1", directory, silent: true })
  const { port } = await server.run() as { port: number }
  const client = new Minio.Client({ endPoint: "127.0.0.1", port, useSSL: false, accessKey: "S3RVER", secretKey: "S3RVER", region: "us-east-1" })
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    client,
    stop: async () => {
      await server.close()
      fs.rmSync(directory, { recursive: true, force: true })
    }
  }
}

/** What a test can see of the store behind the daemon: object keys and bytes, read around the daemon. */
export interface StoreView {
  readonly kind: StoreKind
  readonly keys: (bucket: string) => Promise<Array<string>>
  readonly bytes: (bucket: string, key: string) => Promise<Buffer>
  readonly put: (bucket: string, key: string, bytes: Buffer, ageMs?: number) => Promise<void>
}

export interface FilesEnv {
  readonly url: string
  readonly daemon: RunningDaemon
  readonly admin: DaemonClient
  readonly store: StoreView
  readonly stop: () => Promise<void>
}

export const fsView = (root: string): StoreView => {
  const walk = (dir: string, prefix: string): Array<string> =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`])
      : []
  return {
    kind: "fs",
    keys: async (bucket) => walk(path.join(root, bucket), "").sort(),
    bytes: async (bucket, key) => fs.readFileSync(path.join(root, bucket, key)),
    put: async (bucket, key, bytes, ageMs = 0) => {
      const file = path.join(root, bucket, key)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, bytes)
      const when = new Date(Date.now() - ageMs)
      fs.utimesSync(file, when, when)
    }
  }
}

export const s3View = (client: Minio.Client): StoreView => ({
  kind: "s3",
  keys: async (bucket) => {
    const out: Array<string> = []
    for await (const o of client.listObjectsV2(bucket, "", true)) if (o.name) out.push(o.name)
    return out.sort()
  },
  bytes: async (bucket, key) => {
    const parts: Array<Buffer> = []
    for await (const part of await client.getObject(bucket, key)) parts.push(part as Buffer)
    return Buffer.concat(parts)
  },
  // s3rver keeps objects as files with a sidecar; an old object is one whose time is old, set through S3 metadata is not possible.
  put: async (bucket, key, bytes) => {
    await client.putObject(bucket, key, bytes, bytes.length)
  }
})

/** One database, one daemon on a blob store of the given kind, and an admin client. */
export const startFilesEnv = async (label: string, kind: StoreKind, env: Record<string, string> = {}): Promise<FilesEnv> => {
  const db = await createTestDatabase(label)
  const s3 = kind === "s3" ? await startS3() : undefined
  const blobsDir = tempDir("blobs")
  const daemon = await startDaemon({
    databaseUrl: db.url,
    env: {
      SOCKEYE_BLOBS: kind,
      SOCKEYE_BLOBS_DIR: blobsDir,
      ...(s3 ? { SOCKEYE_S3_ENDPOINT: s3.endpoint, SOCKEYE_S3_ACCESS_KEY: "S3RVER", SOCKEYE_S3_SECRET_KEY: "S3RVER" } : {}),
      ...env
    }
  })
  const admin = await connectAs(daemon, "admin", ADMIN_PASSWORD)
  return {
    url: db.url,
    daemon,
    admin,
    store: s3 ? s3View(s3.client) : fsView(blobsDir),
    stop: async () => {
      await admin.close()
      await daemon.stop()
      await db.drop()
      await s3?.stop()
      fs.rmSync(blobsDir, { recursive: true, force: true })
    }
  }
}

/** A file of `size` random bytes in a temp dir, with its SHA-256. */
export const randomFile = (size: number, name = `f-${size}.bin`) => {
  const file = path.join(tempDir("upload"), name)
  const fd = fs.openSync(file, "w")
  const block = 1024 * 1024
  const hash = createHash("sha256")
  for (let written = 0; written < size; written += block) {
    const bytes = randomBytes(Math.min(block, size - written))
    hash.update(bytes)
    fs.writeSync(fd, bytes)
  }
  fs.closeSync(fd)
  return { file, sha256: hash.digest("hex"), size }
}

export const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex")

export const sha256OfFile = (file: string) => {
  const hash = createHash("sha256")
  const fd = fs.openSync(file, "r")
  const buffer = Buffer.alloc(1024 * 1024)
  for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n))
  fs.closeSync(fd)
  return hash.digest("hex")
}

export const insertCase = async (url: string, customerCode: string | null = "acme") =>
  (await query<{ id: number }>(url, `insert into incident_management_case (case_name, case_description, case_creation_time, case_status, customer_code)
    values ('c', '', now(), 'OPEN', $1) returning id`, [customerCode]))[0]!.id

export const datastoreRows = (url: string, caseId: number) =>
  query(url, "select file_name, object_key, bucket_name, file_size, file_hash, content_type from incident_management_case_datastore where case_id = $1 order by id", [caseId])

/** Runs a job now and waits for its run to finish; the run's history row. */
export const runJob = async (client: DaemonClient, id: string) => {
  const { runId } = await client.call(Jobs.JobsRun, { id })
  for (let i = 0; i < 400; i++) {
    const run = (await client.call(Jobs.JobsRuns, { id })).find((r) => r.runId === runId)
    if (run && run.status !== "running") return run
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`run ${runId} of ${id} did not finish`)
}
