/**
 * What crashes leave behind, and datastore_gc cleaning it, on both stores (s3rver standing in for
 * MinIO through the real minio client). A daemon killed in the middle of a commit leaves no row
 * pointing at nothing; its pending upload survives the restart and commits; objects no row points
 * to, abandoned uploads and stray staged chunks are removed, and rows keep their objects.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { downloadFile, uploadFile } from "@sockeye/client"
import { Files } from "@sockeye/protocol"
import { ADMIN_PASSWORD, startDaemon, tempDir } from "../../fixtures/Daemon.js"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { connectAs } from "../../fixtures/Seed.js"
import { datastoreRows, insertCase, randomFile, runJob, sha256, startFilesEnv, type FilesEnv, type StoreKind } from "./fixtures.js"

describe.each<StoreKind>(["fs", "s3"])("datastore_gc on the %s store", (kind) => {
  let env: FilesEnv
  beforeAll(async () => { env = await startFilesEnv(`files_gc_${kind}`, kind, { SOCKEYE_BLOB_ORPHAN_GRACE_SECONDS: "0" }) })
  afterAll(async () => { await env?.stop() })

  it("removes orphaned objects, abandoned uploads and stray chunks; keeps every object a row points to", async () => {
    const caseId = await insertCase(env.url)
    const kept = await uploadFile(env.admin, { caseId }, randomFile(100, "kept.bin").file)
    const template = await uploadFile(env.admin, { reportTemplate: true }, randomFile(50, "kept.docx").file)
    // A commit that crashed after writing its object: an object with no row.
    await env.store.put("copilot-cases", `${caseId}/orphan.bin`, Buffer.from("orphan"))
    await env.store.put("copilot-case-report-templates", "orphan.docx", Buffer.from("orphan"))
    // An upload abandoned for two days, with a staged chunk.
    const bytes = Buffer.from("abandoned")
    const { uploadId } = await env.admin.call(Files.CasesFilesUploadBegin, { caseId, fileName: "late.bin", size: 20, sha256: sha256(bytes) })
    await env.admin.call(Files.CasesFilesUploadChunk, { uploadId: uploadId!, offset: 0, data: bytes.toString("base64") })
    await query(env.url, "update sockeye_uploads set updated_at = now() - interval '2 days' where id = $1", [uploadId])
    // A live upload keeps its chunks; a chunk of an upload that no longer exists goes.
    const live = await env.admin.call(Files.CasesFilesUploadBegin, { caseId, fileName: "live.bin", size: 20, sha256: sha256(bytes) })
    await env.admin.call(Files.CasesFilesUploadChunk, { uploadId: live.uploadId!, offset: 0, data: bytes.toString("base64") })
    await env.store.put("sockeye-staging", "00000000-0000-4000-8000-000000000000/000000000000", Buffer.from("stray"))

    const run = await runJob(env.admin, "datastore_gc")
    expect(run).toMatchObject({ status: "succeeded", counts: { abandonedUploads: 1, strayChunks: 1, orphans: 2 } })
    expect(await env.store.keys("copilot-cases")).toContain(`${caseId}/kept.bin`)
    expect(await env.store.keys("copilot-cases")).not.toContain(`${caseId}/orphan.bin`)
    expect(await env.store.keys("copilot-case-report-templates")).toEqual(["kept.docx"])
    expect(await env.store.keys("sockeye-staging")).toEqual([`${live.uploadId}/000000000000`])
    expect((await query(env.url, "select id from sockeye_uploads")).map((r) => r.id)).toEqual([live.uploadId])
    expect((await env.admin.call(Files.CasesFilesList, { caseId })).map((f) => f.id)).toEqual([kept.id])
    expect((await env.admin.call(Files.ReportTemplatesList, {})).map((f) => f.id)).toEqual([template.id])
  })

  it("is listed as a job", async () => {
    const { Jobs } = await import("@sockeye/protocol")
    expect((await env.admin.call(Jobs.JobsList, {})).find((j) => j.id === "datastore_gc")).toMatchObject({ enabled: true, intervalMinutes: 60 })
  })
})

describe("a daemon killed during a commit", () => {
  it("leaves no row pointing at nothing; the upload survives the restart and commits", { timeout: 240_000 }, async () => {
    const db = await createTestDatabase("files_crash")
    const blobsDir = tempDir("blobs")
    const env = { SOCKEYE_BLOBS: "fs", SOCKEYE_BLOBS_DIR: blobsDir, SOCKEYE_BLOB_ORPHAN_GRACE_SECONDS: "0" }
    let daemon = await startDaemon({ databaseUrl: db.url, env })
    let client = await connectAs(daemon, "admin", ADMIN_PASSWORD)
    try {
      const caseId = await insertCase(db.url)
      const source = randomFile(40 * 1024 * 1024, "big.bin")
      const { uploadId } = await client.call(Files.CasesFilesUploadBegin, { caseId, fileName: "big.bin", size: source.size, sha256: source.sha256 })
      const bytes = fs.readFileSync(source.file)
      for (let offset = 0; offset < bytes.length; offset += 4 * 1024 * 1024) {
        await client.call(Files.CasesFilesUploadChunk, { uploadId: uploadId!, offset, data: bytes.subarray(offset, offset + 4 * 1024 * 1024).toString("base64") })
      }
      // Kill it once the commit has started writing the object.
      const storing = new Promise<void>((resolve) => {
        void client.call(Files.CasesFilesUploadCommit, { uploadId: uploadId! }, {
          onProgress: (p) => { if (p.kind === "report" || p.kind === "end") resolve() }
        }).catch(() => undefined)
      })
      await storing
      daemon.process.kill("SIGKILL")
      await daemon.exited
      await client.close().catch(() => undefined)

      // Every row has its object (there may be none yet: the commit's transaction died with the daemon).
      for (const row of await datastoreRows(db.url, caseId)) {
        expect(fs.existsSync(path.join(blobsDir, "copilot-cases", row.object_key))).toBe(true)
      }
      daemon = await startDaemon({ databaseUrl: db.url, env })
      client = await connectAs(daemon, "admin", ADMIN_PASSWORD)
      const rows = await datastoreRows(db.url, caseId)
      if (rows.length === 0) {
        // The upload is still pending with every byte staged: this daemon hashes the staged chunks and commits.
        expect(await client.call(Files.CasesFilesUploadCommit, { uploadId: uploadId! })).toMatchObject({ size: source.size, sha256: source.sha256 })
      }
      const [file] = await client.call(Files.CasesFilesList, { caseId })
      const out = path.join(tempDir("dl"), "big.bin")
      expect(await downloadFile(client, { fileId: file!.id }, out)).toEqual({ size: source.size, sha256: source.sha256 })
      expect(await runJob(client, "datastore_gc")).toMatchObject({ status: "succeeded" })
      expect(fs.readdirSync(path.join(blobsDir, "sockeye-staging"))).toEqual([])
      expect(fs.readdirSync(path.join(blobsDir, ".tmp"))).toEqual([])
    } finally {
      await client.close().catch(() => undefined)
      await daemon.stop()
      await db.drop()
      fs.rmSync(blobsDir, { recursive: true, force: true })
    }
  })
})
