/**
 * What the file methods refuse, on both stores (s3rver standing in for MinIO through the real
 * minio client): each refusal answers a precise JSON-RPC error, stores nothing (no datastore row,
 * no object at a final key) and leaves the daemon and the connection serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createHash } from "node:crypto"
import { uploadFile } from "@sockeye/client"
import { Files } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { datastoreRows, insertCase, randomFile, startFilesEnv, type FilesEnv, type StoreKind } from "./fixtures.js"

const hashOf = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex")
const b64 = (bytes: Buffer) => bytes.toString("base64")
const code = (error: unknown) => (error as { _tag: string })._tag

describe.each<StoreKind>(["fs", "s3"])("refusals on the %s store", (kind) => {
  let env: FilesEnv
  beforeAll(async () => { env = await startFilesEnv(`files_bad_${kind}`, kind, { SOCKEYE_MAX_UPLOAD_BYTES: "1000000" }) })
  afterAll(async () => { await env?.stop() })

  /** Nothing of the case reached a final key or a row; the daemon still answers. */
  const nothingStored = async (caseId: number) => {
    expect(await datastoreRows(env.url, caseId)).toEqual([])
    expect((await env.store.keys("copilot-cases")).filter((k) => k.startsWith(`${caseId}/`))).toEqual([])
    expect(await env.admin.call(Files.CasesFilesList, { caseId })).toEqual([])
  }
  const pendingUploads = async () => (await query(env.url, "select count(*)::int as n from sockeye_uploads"))[0].n as number

  it("a wrong hash: -32602 at commit, and the upload and its staged chunks are gone", async () => {
    const caseId = await insertCase(env.url)
    const bytes = Buffer.from("the real bytes")
    const { uploadId } = await env.admin.call(Files.CasesFilesUploadBegin, { caseId, fileName: "x.txt", size: bytes.length, sha256: hashOf(Buffer.from("other")) })
    await env.admin.call(Files.CasesFilesUploadChunk, { uploadId: uploadId!, offset: 0, data: b64(bytes) })
    const error = await env.admin.call(Files.CasesFilesUploadCommit, { uploadId: uploadId! }).catch((e) => e)
    expect(error).toMatchObject({ _tag: "InvalidParams", issues: [{ path: ["sha256"] }] })
    expect(error.message).toContain(hashOf(bytes))
    await nothingStored(caseId)
    expect(await env.store.keys("sockeye-staging")).toEqual([])
    expect(code(await env.admin.call(Files.CasesFilesUploadCommit, { uploadId: uploadId! }).catch((e) => e))).toBe("NotFound")
  })

  it("a missing chunk: the chunk after the gap is -32009, commit is -32009 naming the offset, nothing stored", async () => {
    const caseId = await insertCase(env.url)
    const bytes = Buffer.from("0123456789")
    const { uploadId } = await env.admin.call(Files.CasesFilesUploadBegin, { caseId, fileName: "gap.bin", size: 10, sha256: hashOf(bytes) })
    expect(await env.admin.call(Files.CasesFilesUploadChunk, { uploadId: uploadId!, offset: 0, data: b64(bytes.subarray(0, 4)) })).toEqual({ received: 4, size: 10 })
    const skipped = await env.admin.call(Files.CasesFilesUploadChunk, { uploadId: uploadId!, offset: 7, data: b64(bytes.subarray(7)) }).catch((e) => e)
    expect(skipped).toMatchObject({ _tag: "Conflict", message: `upload ${uploadId} expects the chunk at offset 4, not 7` })
    const early = await env.admin.call(Files.CasesFilesUploadCommit, { uploadId: uploadId! }).catch((e) => e)
    expect(early).toMatchObject({ _tag: "Conflict" })
    expect(early.message).toContain("4 of 10 bytes received")
    await nothingStored(caseId)
    // The upload is still pending: the missing bytes complete it.
    await env.admin.call(Files.CasesFilesUploadChunk, { uploadId: uploadId!, offset: 4, data: b64(bytes.subarray(4)) })
    expect(await env.admin.call(Files.CasesFilesUploadCommit, { uploadId: uploadId! })).toMatchObject({ fileName: "gap.bin", size: 10 })
  })

  it("an offset or chunk past the end: -32602, nothing staged", async () => {
    const caseId = await insertCase(env.url)
    const { uploadId } = await env.admin.call(Files.CasesFilesUploadBegin, { caseId, fileName: "end.bin", size: 4, sha256: hashOf(Buffer.from("abcd")) })
    for (const [offset, data] of [[5, "YQ=="], [0, b64(Buffer.from("abcde"))], [4, "YQ=="]] as const) {
      const error = await env.admin.call(Files.CasesFilesUploadChunk, { uploadId: uploadId!, offset, data }).catch((e) => e)
      expect(error).toMatchObject({ _tag: "InvalidParams", issues: [{ path: ["offset"] }] })
    }
    expect(await env.store.keys("sockeye-staging")).toEqual([])
    await env.admin.call(Files.CasesFilesUploadAbort, { uploadId: uploadId! })
    await nothingStored(caseId)
  })

  const badNames: ReadonlyArray<[string, string]> = [
    ["path traversal", "../../etc/passwd"],
    ["a slash", "a/b.txt"],
    ["a backslash", "..\\..\\boot.ini"],
    ["dot-dot", ".."],
    ["a NUL byte", "evil\u0000.txt"],
    ["a newline", "a\nb"],
    ["10,000 characters", "x".repeat(10_000)],
    ["nothing", ""]
  ]
  for (const [what, fileName] of badNames) {
    it(`a file name with ${what}: -32602 at begin, nothing stored`, async () => {
      const caseId = await insertCase(env.url)
      const before = await pendingUploads()
      const error = await env.admin.raw("cases/files/upload/begin", { caseId, fileName, size: 1, sha256: hashOf(Buffer.from("a")) }).catch((e) => e)
      expect(error).toMatchObject({ _tag: "InvalidParams" })
      expect(await pendingUploads()).toBe(before)
      await nothingStored(caseId)
    })
  }

  it("bad params are -32602 with their path: base64, hash, upload id", async () => {
    const caseId = await insertCase(env.url)
    const { uploadId } = await env.admin.call(Files.CasesFilesUploadBegin, { caseId, fileName: "p.bin", size: 3, sha256: hashOf(Buffer.from("abc")) })
    const cases: ReadonlyArray<[string, Record<string, unknown>, string]> = [
      ["cases/files/upload/chunk", { uploadId, offset: 0, data: "not base64!" }, "data"],
      ["cases/files/upload/chunk", { uploadId, offset: -1, data: "" }, "offset"],
      ["cases/files/upload/begin", { caseId, fileName: "q", size: 1, sha256: "ABC" }, "sha256"],
      ["cases/files/upload/commit", { uploadId: "../../x" }, "uploadId"],
      ["cases/files/download", { fileId: 1, length: 9 * 1024 * 1024 }, "length"]
    ]
    for (const [method, params, field] of cases) {
      const error = await env.admin.raw(method, params).catch((e) => e)
      expect(error, method).toMatchObject({ _tag: "InvalidParams" })
      expect(error.issues.map((i: { path: Array<string> }) => i.path[0]), method).toContain(field)
    }
    await env.admin.call(Files.CasesFilesUploadAbort, { uploadId: uploadId! })
  })

  it("a file over SOCKEYE_MAX_UPLOAD_BYTES: -32013 at begin", async () => {
    const caseId = await insertCase(env.url)
    const error = await env.admin.call(Files.CasesFilesUploadBegin, { caseId, fileName: "big.bin", size: 1_000_001, sha256: "0".repeat(64) }).catch((e) => e)
    expect(error).toMatchObject({ _tag: "TooLarge" })
    expect(error.message).toContain("SOCKEYE_MAX_UPLOAD_BYTES")
    await nothingStored(caseId)
  })

  it("a second upload of the same name: -32009 unless replace; replace overwrites in place; dryRun changes nothing", async () => {
    const caseId = await insertCase(env.url)
    const first = randomFile(100, "report.pdf")
    const stored = await uploadFile(env.admin, { caseId }, first.file)
    const second = randomFile(200, "report.pdf")
    const conflict = await uploadFile(env.admin, { caseId }, second.file).catch((e) => e)
    expect(conflict).toMatchObject({ _tag: "Conflict" })
    expect(conflict.message).toContain("replace: true")
    const dry = await env.admin.preview(Files.CasesFilesUploadBegin, { caseId, fileName: "report.pdf", size: 200, sha256: second.sha256, replace: true })
    expect(dry.result).toMatchObject({ replaces: stored.id })
    expect(dry.changes.map((c) => [c.table, c.op])).toEqual([["sockeye_uploads", "insert"], ["log_entries", "insert"]])
    expect(await pendingUploads()).toBe(0)
    const replaced = await uploadFile(env.admin, { caseId }, second.file, { replace: true })
    expect(replaced).toMatchObject({ id: stored.id, size: 200, sha256: second.sha256 })
    expect(await datastoreRows(env.url, caseId)).toMatchObject([{ file_hash: second.sha256, file_size: 200 }])
    expect(hashOf(await env.store.bytes("copilot-cases", `${caseId}/report.pdf`))).toBe(second.sha256)
  })

  it("delete: dryRun is refused (the object store cannot roll back); delete removes the row and the object; again is -32004", async () => {
    const caseId = await insertCase(env.url)
    const src = randomFile(10, "gone.txt")
    const stored = await uploadFile(env.admin, { caseId }, src.file)
    expect(await env.admin.preview(Files.CasesFilesDelete, { fileId: stored.id }).catch((e) => e)).toMatchObject({ _tag: "InvalidParams" })
    expect(await env.store.keys("copilot-cases")).toContain(`${caseId}/gone.txt`)
    expect(await env.admin.call(Files.CasesFilesDelete, { fileId: stored.id })).toEqual({ deleted: [stored.id] })
    await nothingStored(caseId)
    expect(code(await env.admin.call(Files.CasesFilesDelete, { fileId: stored.id }).catch((e) => e))).toBe("NotFound")
    expect(code(await env.admin.call(Files.CasesFilesDownload, { fileId: stored.id }).catch((e) => e))).toBe("NotFound")
  })

  it("a missing case is -32004 at begin and list", async () => {
    expect(code(await env.admin.call(Files.CasesFilesUploadBegin, { caseId: 999_999, fileName: "a", size: 1, sha256: "0".repeat(64) }).catch((e) => e))).toBe("NotFound")
    expect(code(await env.admin.call(Files.CasesFilesList, { caseId: 999_999 }).catch((e) => e))).toBe("NotFound")
  })

  it("after all of that the daemon and this connection still serve", async () => {
    expect((await env.admin.call(Files.ReportTemplatesList, {}))).toEqual([])
  })
})
