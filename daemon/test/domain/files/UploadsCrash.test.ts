/**
 * The daemon SIGKILLed while several uploads are in flight, on both stores (s3rver standing in
 * for MinIO): two chunk streams part-way, one commit storing its object, one file already stored.
 * After a restart: no row points at a missing object, no two rows name one file, an interrupted
 * upload resumes from the offset the daemon reports (or is aborted, leaving nothing), the cut-off
 * commit had landed once or is still pending and aborts, datastore_gc leaves exactly the objects
 * rows point to, and every stored file downloads with its SHA-256.
 */
import { describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { downloadFile, uploadFile, type DaemonClient } from "@sockeye/client"
import { Files } from "@sockeye/protocol"
import { ADMIN_PASSWORD, startDaemon, tempDir, type RunningDaemon } from "../../fixtures/Daemon.js"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { connectAs } from "../../fixtures/Seed.js"
import { fsView, insertCase, randomFile, runJob, s3View, startS3, type StoreKind, type StoreView } from "./fixtures.js"

const CHUNK = 256 * 1024
type Source = ReturnType<typeof randomFile>

/** Sends `source` from `from` in CHUNK pieces until done or a call fails; the offset the daemon last acknowledged. */
const stream = async (client: DaemonClient, uploadId: string, source: Source, from: number) => {
  const bytes = fs.readFileSync(source.file)
  let acknowledged = from
  try {
    while (acknowledged < source.size) {
      const data = bytes.subarray(acknowledged, acknowledged + CHUNK).toString("base64")
      acknowledged = (await client.call(Files.CasesFilesUploadChunk, { uploadId, offset: acknowledged, data })).received
    }
  } catch { /* the daemon died under the call */ }
  return acknowledged
}

/**
 * Where an interrupted upload goes on: what the client last saw acknowledged, unless the chunk in
 * flight at the crash landed too. The protocol's answer is the -32009 of a commit that is not
 * complete, which names the offset to send next.
 */
const resumeOffset = async (client: DaemonClient, uploadId: string, acknowledged: number) => {
  const error = await client.call(Files.CasesFilesUploadCommit, { uploadId }).then(() => undefined, (e: { _tag?: string; message?: string }) => e)
  expect(error?._tag, "a commit of an incomplete upload").toBe("Conflict")
  const offset = Number(/send the chunk at offset (\d+)/.exec(error!.message!)?.[1])
  expect([acknowledged, acknowledged + CHUNK]).toContain(offset)
  return offset
}

const caseRows = (url: string, caseId: number) =>
  query<{ id: number; file_name: string; object_key: string; file_hash: string; file_size: number }>(url,
    "select id, file_name, object_key, file_hash, file_size::int from incident_management_case_datastore where case_id = $1 order by file_name", [caseId])

/** Every row's object exists; no file name has two rows. */
const rowsPointAtObjects = async (url: string, caseId: number, store: StoreView) => {
  const rows = await caseRows(url, caseId)
  const keys = await store.keys("copilot-cases")
  for (const row of rows) expect(keys, `the object of ${row.file_name}`).toContain(row.object_key)
  expect(new Set(rows.map((r) => r.file_name)).size, "rows per file name").toBe(rows.length)
  return rows
}

describe.each<StoreKind>(["fs", "s3"])("the daemon SIGKILLed with uploads in flight (%s store)", (kind) => {
  it("leaves no partial writes or duplicates; uploads resume or abort after the restart; files download intact", { timeout: 300_000 }, async () => {
    const db = await createTestDatabase(`uploads_crash_${kind}`)
    const s3 = kind === "s3" ? await startS3() : undefined
    const blobsDir = tempDir("blobs")
    const store = s3 ? s3View(s3.client) : fsView(blobsDir)
    const env = {
      SOCKEYE_BLOBS: kind, SOCKEYE_BLOBS_DIR: blobsDir, SOCKEYE_BLOB_ORPHAN_GRACE_SECONDS: "0",
      ...(s3 ? { SOCKEYE_S3_ENDPOINT: s3.endpoint, SOCKEYE_S3_ACCESS_KEY: "S3RVER", SOCKEYE_S3_SECRET_KEY: "S3RVER" } : {})
    }
    let daemon: RunningDaemon = await startDaemon({ databaseUrl: db.url, env })
    const clients: Array<DaemonClient> = []
    const open = async () => {
      const client = await connectAs(daemon, "admin", ADMIN_PASSWORD)
      clients.push(client)
      return client
    }
    try {
      const caseId = await insertCase(db.url)
      const admin = await open()
      const stored = randomFile(3 * 1024 * 1024 + 17, "stored.bin")
      await uploadFile(admin, { caseId }, stored.file)

      // Two chunk streams, each on its own connection, running when the kill comes.
      const streams = await Promise.all(["resumed.bin", "aborted.bin"].map(async (name) => {
        const source = randomFile(24 * 1024 * 1024 + 5, name)
        const client = await open()
        const { uploadId } = await client.call(Files.CasesFilesUploadBegin, { caseId, fileName: name, size: source.size, sha256: source.sha256 })
        return { source, uploadId: uploadId!, sent: stream(client, uploadId!, source, 0) }
      }))
      // A commit storing its object when the kill comes.
      const committing = randomFile(8 * 1024 * 1024 + 3, "committing.bin")
      const committer = await open()
      const begun = await committer.call(Files.CasesFilesUploadBegin, { caseId, fileName: "committing.bin", size: committing.size, sha256: committing.sha256 })
      expect(await stream(committer, begun.uploadId!, committing, 0)).toBe(committing.size)
      await new Promise<void>((storing) => {
        void committer.call(Files.CasesFilesUploadCommit, { uploadId: begun.uploadId! }, {
          onProgress: (p) => { if (p.kind === "report" || p.kind === "end") storing() }
        }).catch(() => undefined)
      })
      daemon.process.kill("SIGKILL")
      await daemon.exited
      const acknowledged = await Promise.all(streams.map((s) => s.sent))
      for (const [i, offset] of acknowledged.entries()) {
        expect(offset, `stream ${i} was part-way at the kill`).toBeGreaterThan(0)
        expect(offset).toBeLessThan(streams[i]!.source.size)
      }
      for (const client of clients.splice(0)) await client.close().catch(() => undefined)

      // What the kill left: rows only with their objects, one per file.
      await rowsPointAtObjects(db.url, caseId, store)

      daemon = await startDaemon({ databaseUrl: db.url, env })
      const client = await open()
      // The cut-off commit: still pending (its transaction died), or it had landed. Pending, it is
      // aborted: an object its put left behind has no row, and datastore_gc must remove it.
      // (DatastoreGc.test.ts commits such an upload again instead.)
      const pending = (await query(db.url, "select 1 from sockeye_uploads where id = $1", [begun.uploadId])).length > 0
      const leftObjects = await store.keys("copilot-cases")
      if (pending) {
        expect(await client.call(Files.CasesFilesUploadAbort, { uploadId: begun.uploadId! })).toEqual({ aborted: begun.uploadId })
      } else {
        expect(await client.call(Files.CasesFilesUploadCommit, { uploadId: begun.uploadId! }).catch((e: { _tag: string }) => e._tag)).toBe("NotFound")
      }
      // One interrupted stream goes on from where the daemon says and commits.
      const [resumed, aborted] = streams
      const from = await resumeOffset(client, resumed!.uploadId, acknowledged[0]!)
      expect(await stream(client, resumed!.uploadId, resumed!.source, from)).toBe(resumed!.source.size)
      expect(await client.call(Files.CasesFilesUploadCommit, { uploadId: resumed!.uploadId })).toMatchObject({ sha256: resumed!.source.sha256 })
      // The other is aborted: its row and staged chunks go.
      expect(await client.call(Files.CasesFilesUploadAbort, { uploadId: aborted!.uploadId })).toEqual({ aborted: aborted!.uploadId })
      expect((await store.keys("sockeye-staging")).filter((k) => k.startsWith(`${aborted!.uploadId}/`))).toEqual([])

      const gc = await runJob(client, "datastore_gc")
      expect(gc).toMatchObject({ status: "succeeded" })
      process.stderr.write(`uploads crash (${kind}): streams at ${acknowledged.join(", ")} of ${streams[0]!.source.size} bytes, resumed from ${from}; ` +
        `the commit ${pending ? "was pending (aborted)" : "had landed"}, objects at restart ${JSON.stringify(leftObjects)}; gc ${JSON.stringify(gc.counts)}\n`)
      const rows = await rowsPointAtObjects(db.url, caseId, store)
      expect(rows.map((r) => r.file_name)).toEqual([...pending ? [] : ["committing.bin"], "resumed.bin", "stored.bin"])
      expect(await store.keys("copilot-cases"), "objects after datastore_gc: exactly those rows point to").toEqual(rows.map((r) => r.object_key).sort())
      expect(await store.keys("sockeye-staging")).toEqual([])
      expect(await query(db.url, "select id from sockeye_uploads")).toEqual([])
      if (kind === "fs") expect(fs.readdirSync(path.join(blobsDir, ".tmp"))).toEqual([])

      const sources = new Map([["stored.bin", stored], ["committing.bin", committing], ["resumed.bin", resumed!.source]])
      const out = tempDir("dl")
      for (const row of rows) {
        const source = sources.get(row.file_name)!
        expect(row).toMatchObject({ file_hash: source.sha256, file_size: source.size })
        expect(await downloadFile(client, { fileId: row.id }, path.join(out, row.file_name))).toEqual({ size: source.size, sha256: source.sha256 })
      }
      fs.rmSync(out, { recursive: true, force: true })
    } finally {
      for (const client of clients) await client.close().catch(() => undefined)
      await daemon.stop()
      await db.drop()
      await s3?.stop()
      fs.rmSync(blobsDir, { recursive: true, force: true })
    }
  })
})
