/**
 * Case files through the real daemon, the real @sockeye/client helpers and a real store: the
 * filesystem layer, and s3rver (standing in for MinIO, which cannot run here) through the real
 * minio client. Every round trip checks the SHA-256 of what comes back, the datastore row and the
 * object at CoPilot's key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { downloadFile, uploadFile, type TransferProgress } from "@sockeye/client"
import { Files } from "@sockeye/protocol"
import { tempDir } from "../../fixtures/Daemon.js"
import { datastoreRows, insertCase, randomFile, sha256, sha256OfFile, startFilesEnv, type FilesEnv, type StoreKind } from "./fixtures.js"

const MB = 1024 * 1024

describe.each<StoreKind>(["fs", "s3"])("case files on the %s store", (kind) => {
  let env: FilesEnv
  beforeAll(async () => { env = await startFilesEnv(`files_rt_${kind}`, kind) })
  afterAll(async () => { await env?.stop() })

  const sizes = kind === "fs" ? [0, 1, 5 * MB, 60 * MB, 200 * MB] : [0, 1, 5 * MB, 60 * MB]
  for (const size of sizes) {
    it(`round-trips ${size} bytes with the hash checked`, { timeout: 300_000 }, async () => {
      const caseId = await insertCase(env.url)
      const source = randomFile(size, `evidence ${size}.bin`)
      const progress: Array<TransferProgress> = []
      const stored = await uploadFile(env.admin, { caseId }, source.file, { onProgress: (p) => progress.push(p) })
      expect(stored).toMatchObject({ fileName: `evidence ${size}.bin`, size, sha256: source.sha256 })
      expect(await datastoreRows(env.url, caseId)).toEqual([{
        file_name: `evidence ${size}.bin`, object_key: `${caseId}/evidence ${size}.bin`, bucket_name: "copilot-cases",
        file_size: size, file_hash: source.sha256, content_type: "application/octet-stream"
      }])
      if (size <= 5 * MB) expect(sha256(await env.store.bytes("copilot-cases", `${caseId}/evidence ${size}.bin`))).toBe(source.sha256)
      // The commit's $/progress arrived as begin ... end.
      const daemonKinds = progress.filter((p) => p.phase === "storing").map((p) => p.daemon!.kind)
      expect(daemonKinds[0]).toBe("begin")
      expect(daemonKinds.at(-1)).toBe("end")
      if (size > 0) expect(progress.filter((p) => p.phase === "sending").at(-1)).toMatchObject({ done: size, total: size })

      const target = path.join(tempDir("download"), "out.bin")
      const received = await downloadFile(env.admin, { fileId: stored.id }, target)
      expect(received).toEqual({ size, sha256: source.sha256 })
      expect(sha256OfFile(target)).toBe(source.sha256)
      expect(await env.store.keys("sockeye-staging")).toEqual([])
      fs.rmSync(source.file)
      fs.rmSync(target)
    })
  }

  it("downloads any range, and lists the case's files", async () => {
    const caseId = await insertCase(env.url)
    const source = randomFile(1000, "range.bin")
    const stored = await uploadFile(env.admin, { caseId }, source.file, { chunkBytes: 300 })
    const bytes = fs.readFileSync(source.file)
    const part = await env.admin.call(Files.CasesFilesDownload, { fileId: stored.id, offset: 990, length: 100 })
    expect(part).toEqual({ data: bytes.subarray(990).toString("base64"), eof: true, size: 1000, sha256: source.sha256 })
    const middle = await env.admin.call(Files.CasesFilesDownload, { fileId: stored.id, offset: 10, length: 5 })
    expect(middle).toMatchObject({ data: bytes.subarray(10, 15).toString("base64"), eof: false })
    expect(await env.admin.call(Files.CasesFilesDownload, { fileId: stored.id, offset: 1000 })).toMatchObject({ data: "", eof: true })
    expect(await env.admin.call(Files.CasesFilesList, { caseId })).toEqual([stored])
  })

  it("concurrent uploads to one case all land, each with its own bytes", { timeout: 120_000 }, async () => {
    const caseId = await insertCase(env.url)
    const sources = Array.from({ length: 6 }, (_, i) => randomFile(200_000 + i, `c${i}.bin`))
    const stored = await Promise.all(sources.map((s) => uploadFile(env.admin, { caseId }, s.file, { chunkBytes: 64 * 1024 })))
    const listed = await env.admin.call(Files.CasesFilesList, { caseId })
    expect(listed.map((f) => f.fileName).sort()).toEqual(sources.map((s) => path.basename(s.file)).sort())
    for (const [i, file] of stored.entries()) {
      const out = path.join(tempDir("download"), "c.bin")
      expect(await downloadFile(env.admin, { fileId: file.id }, out)).toEqual({ size: sources[i]!.size, sha256: sources[i]!.sha256 })
    }
    expect((await env.store.keys("copilot-cases")).filter((k) => k.startsWith(`${caseId}/`)).length).toBe(6)
  })

  it("concurrent uploads of one name: one wins, the other gets -32009 and stores nothing", async () => {
    const caseId = await insertCase(env.url)
    const a = randomFile(50_000, "same.bin")
    const b = randomFile(60_000, "same.bin")
    const begin = (s: { size: number; sha256: string }) =>
      env.admin.call(Files.CasesFilesUploadBegin, { caseId, fileName: "same.bin", size: s.size, sha256: s.sha256 })
    const [ua, ub] = await Promise.all([begin(a), begin(b)])
    const send = async (uploadId: string, file: string) =>
      env.admin.call(Files.CasesFilesUploadChunk, { uploadId, offset: 0, data: fs.readFileSync(file).toString("base64") })
    await Promise.all([send(ua.uploadId!, a.file), send(ub.uploadId!, b.file)])
    const results = await Promise.allSettled([
      env.admin.call(Files.CasesFilesUploadCommit, { uploadId: ua.uploadId! }),
      env.admin.call(Files.CasesFilesUploadCommit, { uploadId: ub.uploadId! })
    ])
    const won = results.filter((r) => r.status === "fulfilled")
    const lost = results.filter((r) => r.status === "rejected")
    expect(won.length).toBe(1)
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ _tag: "Conflict" })
    const winner = (won[0] as PromiseFulfilledResult<{ sha256: string }>).value
    const rows = await datastoreRows(env.url, caseId)
    expect(rows.length).toBe(1)
    expect(rows[0].file_hash).toBe(winner.sha256)
    expect(sha256(await env.store.bytes("copilot-cases", `${caseId}/same.bin`))).toBe(winner.sha256)
  })
})
