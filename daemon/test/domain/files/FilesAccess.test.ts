/**
 * Who may do what with files, report templates and artifacts (filesystem store): customer access
 * on the case, customer_user reads but never writes, hidden things answer exactly like missing
 * ones; templates are staff-only; artifacts and reports follow their customer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as path from "node:path"
import { downloadFile, uploadFile, type DaemonClient } from "@sockeye/client"
import { Cases, Files } from "@sockeye/protocol"
import { tempDir } from "../../fixtures/Daemon.js"
import { query } from "../../fixtures/Postgres.js"
import { connectAs, seedCustomer, seedUser } from "../../fixtures/Seed.js"
import { datastoreRows, insertCase, randomFile, sha256, startFilesEnv, type FilesEnv } from "./fixtures.js"

let env: FilesEnv
let analyst: DaemonClient
let acmeUser: DaemonClient
let betaUser: DaemonClient

beforeAll(async () => {
  env = await startFilesEnv("files_access", "fs")
  await seedCustomer(env.url, "acme")
  await seedCustomer(env.url, "beta")
  await seedUser(env.url, { username: "ana", role: "analyst" })
  const acmeId = await seedUser(env.url, { username: "cu_acme", role: "customer_user" })
  const betaId = await seedUser(env.url, { username: "cu_beta", role: "customer_user" })
  await query(env.url, "insert into user_customer_access (user_id, customer_code) values ($1, 'acme'), ($2, 'beta')", [acmeId, betaId])
  analyst = await connectAs(env.daemon, "ana")
  acmeUser = await connectAs(env.daemon, "cu_acme")
  betaUser = await connectAs(env.daemon, "cu_beta")
})
afterAll(async () => {
  await Promise.all([analyst, acmeUser, betaUser].map((c) => c?.close()))
  await env?.stop()
})

const tag = (error: unknown) => (error as { _tag: string })._tag

describe("case files", () => {
  it("initialize advertises blobs", () => {
    expect(env.admin.info?.capabilities.blobs).toBe(true)
  })

  it("customer_user of the case's customer lists and downloads, but may not upload or delete (-32003)", async () => {
    const caseId = await insertCase(env.url, "acme")
    const src = randomFile(3000, "ioc.csv")
    const stored = await uploadFile(analyst, { caseId }, src.file)
    expect(await acmeUser.call(Files.CasesFilesList, { caseId })).toEqual([stored])
    const out = path.join(tempDir("dl"), "ioc.csv")
    expect(await downloadFile(acmeUser, { fileId: stored.id }, out)).toEqual({ size: 3000, sha256: src.sha256 })
    expect(tag(await uploadFile(acmeUser, { caseId }, src.file, { fileName: "mine.csv" }).catch((e) => e))).toBe("Forbidden")
    expect(tag(await acmeUser.call(Files.CasesFilesDelete, { fileId: stored.id }).catch((e) => e))).toBe("Forbidden")
    expect(await datastoreRows(env.url, caseId)).toHaveLength(1)
  })

  it("another customer's user gets -32004 with the message a missing file gets", async () => {
    const caseId = await insertCase(env.url, "acme")
    const stored = await uploadFile(analyst, { caseId }, randomFile(10).file)
    const hidden = await betaUser.call(Files.CasesFilesDownload, { fileId: stored.id }).catch((e) => e)
    const missing = await betaUser.call(Files.CasesFilesDownload, { fileId: 999_999 }).catch((e) => e)
    expect(hidden).toMatchObject({ _tag: "NotFound", message: `file ${stored.id} not found` })
    expect(missing).toMatchObject({ _tag: "NotFound", message: "file 999999 not found" })
    expect(await betaUser.call(Files.CasesFilesList, { caseId }).catch((e) => e)).toMatchObject({ _tag: "NotFound", message: `case ${caseId} not found` })
  })

  it("a staff-only case (no customer) is hidden from customer users", async () => {
    const caseId = await insertCase(env.url, null)
    await uploadFile(analyst, { caseId }, randomFile(5).file)
    expect(tag(await acmeUser.call(Files.CasesFilesList, { caseId }).catch((e) => e))).toBe("NotFound")
  })

  it("an upload belongs to the user who began it: another user's chunk, commit or abort is -32004", async () => {
    const caseId = await insertCase(env.url, "acme")
    const bytes = Buffer.from("abc")
    const { uploadId } = await analyst.call(Files.CasesFilesUploadBegin, { caseId, fileName: "own.txt", size: 3, sha256: sha256(bytes) })
    for (const attempt of [
      () => env.admin.call(Files.CasesFilesUploadChunk, { uploadId: uploadId!, offset: 0, data: bytes.toString("base64") }),
      () => env.admin.call(Files.CasesFilesUploadCommit, { uploadId: uploadId! }),
      () => env.admin.call(Files.CasesFilesUploadAbort, { uploadId: uploadId! })
    ]) expect(await attempt().catch((e) => e)).toMatchObject({ _tag: "NotFound", message: `upload ${uploadId} not found` })
    // And a case upload is not a template upload.
    expect(tag(await analyst.call(Files.ReportTemplatesUploadCommit, { uploadId: uploadId! }).catch((e) => e))).toBe("NotFound")
    expect(await analyst.call(Files.CasesFilesUploadAbort, { uploadId: uploadId! })).toEqual({ aborted: uploadId })
  })

  it("the case's cases/get lists the uploaded files too", async () => {
    const caseId = await insertCase(env.url, "acme")
    const stored = await uploadFile(analyst, { caseId }, randomFile(7, "seen.txt").file)
    expect((await acmeUser.call(Cases.CasesGet, { id: caseId })).files).toEqual([stored])
  })
})

describe("report templates", () => {
  it("staff upload, list, download, replace and delete; object key is the file name", async () => {
    const src = randomFile(4096, "incident-report.docx")
    const stored = await uploadFile(analyst, { reportTemplate: true }, src.file)
    expect(stored).toMatchObject({ fileName: "incident-report.docx", size: 4096, sha256: src.sha256 })
    expect(await query(env.url, "select report_template_name, object_key, bucket_name from incident_management_case_report_template_datastore"))
      .toEqual([{ report_template_name: "incident-report.docx", object_key: "incident-report.docx", bucket_name: "copilot-case-report-templates" }])
    expect(await env.admin.call(Files.ReportTemplatesList, {})).toEqual([stored])
    const out = path.join(tempDir("dl"), "t.docx")
    expect(await downloadFile(env.admin, { templateId: stored.id }, out)).toEqual({ size: 4096, sha256: src.sha256 })
    expect(tag(await uploadFile(analyst, { reportTemplate: true }, src.file).catch((e) => e))).toBe("Conflict")
    const next = randomFile(10, "incident-report.docx")
    expect(await uploadFile(analyst, { reportTemplate: true }, next.file, { replace: true })).toMatchObject({ id: stored.id, sha256: next.sha256 })
    expect(await analyst.call(Files.ReportTemplatesDelete, { templateId: stored.id })).toEqual({ deleted: [stored.id] })
    expect(await env.store.keys("copilot-case-report-templates")).toEqual([])
  })

  it("customer users may not touch templates (-32003)", async () => {
    expect(tag(await acmeUser.call(Files.ReportTemplatesList, {}).catch((e) => e))).toBe("Forbidden")
    expect(tag(await acmeUser.call(Files.ReportTemplatesDownload, { templateId: 1 }).catch((e) => e))).toBe("Forbidden")
  })
})

describe("artifacts (read-only)", () => {
  beforeAll(async () => {
    await query(env.url, `insert into agents (agent_id, ip_address, os, hostname, label, wazuh_last_seen, wazuh_agent_version, wazuh_agent_status, customer_code)
      values ('001', '10.0.0.1', 'linux', 'web1', '', now(), '4.9', 'active', 'acme'), ('002', '10.0.0.2', 'linux', 'db1', '', now(), '4.9', 'active', 'beta')`)
    const artifact = Buffer.from("velociraptor collection")
    await env.store.put("velociraptor-artifacts", "001/F.C1/collection.zip", artifact)
    await query(env.url, `insert into agent_datastore (agent_id, velociraptor_id, artifact_name, flow_id, bucket_name, object_key, file_name, content_type, file_size, file_hash, status)
      values ('001', 'C.1', 'Windows.KapeFiles.Targets', 'F.C1', 'velociraptor-artifacts', '001/F.C1/collection.zip', 'collection.zip', 'application/zip', $1, $2, 'completed'),
             ('002', 'C.2', 'Linux.Triage', 'F.C2', 'velociraptor-artifacts', '002/F.C2/c.zip', 'c.zip', 'application/zip', 1, 'x', 'completed')`,
      [artifact.length, sha256(artifact)])
    const report = Buffer.from("cve,severity\nCVE-1,high\n")
    await env.store.put("vulnerability-reports", "acme/vulnerability_report_20261127_120000.csv", report)
    await query(env.url, `insert into vulnerability_reports (report_name, customer_code, bucket_name, object_key, file_name, file_size, file_hash, generated_by, status)
      values ('vulnerability_report_20261127_120000', 'acme', 'vulnerability-reports', 'acme/vulnerability_report_20261127_120000.csv',
              'vulnerability_report_20261127_120000.csv', $1, $2, 1, 'completed')`, [report.length, sha256(report)])
  })

  it("lists and downloads through the customer: acme's user sees acme's, staff see all", async () => {
    const mine = await acmeUser.call(Files.ArtifactsList, { kind: "agent" })
    expect(mine).toMatchObject([{ kind: "agent", agentId: "001", artifactName: "Windows.KapeFiles.Targets", flowId: "F.C1", customerCode: "acme", status: "completed" }])
    expect((await analyst.call(Files.ArtifactsList, { kind: "agent" })).map((a) => a.agentId).sort()).toEqual(["001", "002"])
    const out = path.join(tempDir("dl"), "a.zip")
    expect(await downloadFile(acmeUser, { artifact: { kind: "agent", id: mine[0]!.id } }, out)).toMatchObject({ size: 23 })
    const reports = await acmeUser.call(Files.ArtifactsList, { kind: "vulnerability" })
    expect(reports).toMatchObject([{ reportName: "vulnerability_report_20261127_120000", customerCode: "acme" }])
    const chunk = await acmeUser.call(Files.ArtifactsDownload, { kind: "vulnerability", id: reports[0]!.id })
    expect(Buffer.from(chunk.data, "base64").toString()).toBe("cve,severity\nCVE-1,high\n")
    expect(await betaUser.call(Files.ArtifactsList, { kind: "vulnerability" })).toEqual([])
    expect(await betaUser.call(Files.ArtifactsDownload, { kind: "vulnerability", id: reports[0]!.id }).catch((e) => e))
      .toMatchObject({ _tag: "NotFound", message: `vulnerability report ${reports[0]!.id} not found` })
  })

  it("a row whose object is missing is -32004, and the daemon goes on", async () => {
    const other = (await analyst.call(Files.ArtifactsList, { kind: "agent", agentId: "002" }))[0]!
    expect(await analyst.call(Files.ArtifactsDownload, { kind: "agent", id: other.id }).catch((e) => e)).toMatchObject({ _tag: "NotFound" })
    expect(await analyst.call(Files.ArtifactsList, { kind: "sca" })).toEqual([])
  })
})

describe("no blob store", () => {
  it("SOCKEYE_BLOBS=none: capabilities.blobs is false and file methods answer -32010", async () => {
    const bare = await startFilesEnv("files_none", "fs", { SOCKEYE_BLOBS: "none" })
    try {
      expect(bare.admin.info?.capabilities.blobs).toBe(false)
      const caseId = await insertCase(bare.url, null)
      expect(tag(await bare.admin.call(Files.CasesFilesUploadBegin, { caseId, fileName: "a", size: 1, sha256: "0".repeat(64) }).catch((e) => e))).toBe("Unavailable")
      expect(await bare.admin.call(Files.CasesFilesList, { caseId })).toEqual([])
    } finally {
      await bare.stop()
    }
  })
})
