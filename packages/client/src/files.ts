import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as fsp from "node:fs/promises"
import * as path from "node:path"
import { Files, type Notifications } from "@sockeye/protocol"
import type { DaemonClient } from "./DaemonClient.js"

/** Bytes moved so far of a transfer; `phase` says which part of it. */
export interface TransferProgress {
  readonly phase: "hashing" | "sending" | "storing" | "receiving"
  readonly done: number
  readonly total: number
  /** The daemon's `$/progress` while it stores the file (phase "storing"). */
  readonly daemon?: Notifications.ProgressValue
}

/** Where an upload goes: a case's files, or the global report templates. */
export type UploadTarget = { readonly caseId: number } | { readonly reportTemplate: true }

export interface UploadOptions {
  /** The stored name; default the path's base name. */
  readonly fileName?: string
  readonly contentType?: string
  /** Overwrite a file of the same name (else the daemon answers -32009). */
  readonly replace?: boolean
  /** Bytes per chunk request; default 4 MiB, at most Files.MAX_CHUNK_BYTES. */
  readonly chunkBytes?: number
  readonly onProgress?: (progress: TransferProgress) => void
}

/** A download whose bytes do not match the size and SHA-256 the daemon reported. */
export class DownloadMismatch extends Error {
  readonly _tag = "DownloadMismatch"
}

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024

const sha256OfFile = async (file: string, total: number, onProgress?: (p: TransferProgress) => void) => {
  const hash = createHash("sha256")
  let done = 0
  for await (const part of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(part as Buffer)
    done += (part as Buffer).byteLength
    onProgress?.({ phase: "hashing", done, total })
  }
  return hash.digest("hex")
}

/**
 * Uploads a file in chunks: hashes it, begins, sends each chunk in order, commits. The daemon
 * checks the SHA-256 at commit. A failure part-way aborts the pending upload. Resolves with the
 * stored file (a case file or a report template).
 */
export const uploadFile = async (client: DaemonClient, target: UploadTarget, file: string, options: UploadOptions = {}) => {
  const chunkBytes = Math.min(options.chunkBytes ?? DEFAULT_CHUNK_BYTES, Files.MAX_CHUNK_BYTES)
  const size = (await fsp.stat(file)).size
  const sha256 = await sha256OfFile(file, size, options.onProgress)
  const fields = {
    fileName: options.fileName ?? path.basename(file), size, sha256,
    ...(options.contentType ? { contentType: options.contentType } : {}),
    ...(options.replace ? { replace: true } : {})
  }
  const isCase = "caseId" in target
  const begun = isCase
    ? await client.call(Files.CasesFilesUploadBegin, { caseId: target.caseId, ...fields })
    : await client.call(Files.ReportTemplatesUploadBegin, fields)
  const uploadId = begun.uploadId!
  try {
    let offset = 0
    for await (const part of fs.createReadStream(file, { highWaterMark: chunkBytes })) {
      const data = (part as Buffer).toString("base64")
      await client.call(isCase ? Files.CasesFilesUploadChunk : Files.ReportTemplatesUploadChunk, { uploadId, offset, data })
      offset += (part as Buffer).byteLength
      options.onProgress?.({ phase: "sending", done: offset, total: size })
    }
    const onProgress = options.onProgress
    const callOptions = onProgress
      ? { onProgress: (daemon: Notifications.ProgressValue) => onProgress({ phase: "storing", done: size, total: size, daemon }) }
      : {}
    return isCase
      ? await client.call(Files.CasesFilesUploadCommit, { uploadId }, callOptions)
      : await client.call(Files.ReportTemplatesUploadCommit, { uploadId }, callOptions)
  } catch (error) {
    await client.call(isCase ? Files.CasesFilesUploadAbort : Files.ReportTemplatesUploadAbort, { uploadId }).catch(() => undefined)
    throw error
  }
}

/** What a download reads: a case file, a report template, or an artifact. */
export type DownloadSource =
  | { readonly fileId: number }
  | { readonly templateId: number }
  | { readonly artifact: { readonly kind: "agent" | "vulnerability" | "sca"; readonly id: number } }

export interface DownloadOptions {
  /** Bytes per request; default 4 MiB, at most Files.MAX_CHUNK_BYTES. */
  readonly chunkBytes?: number
  readonly onProgress?: (progress: TransferProgress) => void
}

const fetchChunk = (client: DaemonClient, source: DownloadSource, offset: number, length: number) => {
  if ("fileId" in source) return client.call(Files.CasesFilesDownload, { fileId: source.fileId, offset, length })
  if ("templateId" in source) return client.call(Files.ReportTemplatesDownload, { templateId: source.templateId, offset, length })
  return client.call(Files.ArtifactsDownload, { kind: source.artifact.kind, id: source.artifact.id, offset, length })
}

/**
 * Downloads a stored file to `file` in chunks, writing a temporary file beside it and renaming it
 * into place once the bytes hash to the SHA-256 the daemon reports (a file replaced during the
 * download fails with DownloadMismatch rather than leaving a mix). Resolves with size and hash.
 */
export const downloadFile = async (client: DaemonClient, source: DownloadSource, file: string, options: DownloadOptions = {}) => {
  const length = Math.min(options.chunkBytes ?? DEFAULT_CHUNK_BYTES, Files.MAX_CHUNK_BYTES)
  const temp = `${file}.part-${process.pid}-${Date.now()}`
  const out = await fsp.open(temp, "w")
  const hash = createHash("sha256")
  try {
    let offset = 0
    let expected: { size: number; sha256: string } | undefined
    for (;;) {
      const chunk = await fetchChunk(client, source, offset, length)
      expected ??= { size: chunk.size, sha256: chunk.sha256 }
      const bytes = Buffer.from(chunk.data, "base64")
      await out.write(bytes)
      hash.update(bytes)
      offset += bytes.byteLength
      options.onProgress?.({ phase: "receiving", done: offset, total: chunk.size })
      if (chunk.eof || bytes.byteLength === 0) break
    }
    await out.close()
    const sha256 = hash.digest("hex")
    if (!expected || offset !== expected.size || sha256 !== expected.sha256) {
      throw new DownloadMismatch(`downloaded ${offset} bytes hashing to ${sha256}; the daemon reported ${expected.size} bytes, ${expected.sha256}`)
    }
    await fsp.rename(temp, file)
    return { size: offset, sha256 }
  } catch (error) {
    await out.close().catch(() => undefined)
    await fsp.rm(temp, { force: true })
    throw error
  }
}
