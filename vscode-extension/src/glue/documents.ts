import * as vscode from "vscode"
import { Alerts, Cases, Siem } from "@sockeye/protocol"
import { wireOf } from "@sockeye/client"
import { isEditable, pathOf, refOf, SCHEME, type DocumentRef } from "../logic/documentPath.js"
import { applyAlertDocument, applyCaseDocument } from "../logic/edits.js"
import { renderAlert, renderCase, renderSiem } from "../logic/render.js"
import type { Session } from "../logic/session.js"

export const uriOf = (ref: DocumentRef) => vscode.Uri.from({ scheme: SCHEME, path: pathOf(ref) })

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A daemon error as the user reads it: message and JSON-RPC code. */
export const errorText = (error: unknown) => {
  const wire = wireOf(error)
  return `${wire.message} (${wire.code})`
}

/**
 * `sockeye:` documents: alerts and cases as Markdown, the SIEM document as JSON, read from the
 * daemon on every open. Saving an alert or case applies its front-matter block through the
 * daemon; a refusal shows the daemon's error and the document reloads with what the daemon holds.
 */
export class SockeyeFileSystem implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<Array<vscode.FileChangeEvent>>()
  readonly onDidChangeFile = this.emitter.event
  /** The last rendering of each open document, so stat() reports its size. */
  private readonly sizes = new Map<string, number>()
  private readonly mtimes = new Map<string, number>()

  constructor(private readonly session: Session) {}

  private ref(uri: vscode.Uri): DocumentRef {
    const ref = refOf(uri.path)
    if (!ref) throw vscode.FileSystemError.FileNotFound(uri)
    return ref
  }

  private touch(uri: vscode.Uri) {
    this.mtimes.set(uri.path, Math.max(Date.now(), (this.mtimes.get(uri.path) ?? 0) + 1))
  }

  watch(): vscode.Disposable { return new vscode.Disposable(() => undefined) }

  stat(uri: vscode.Uri): vscode.FileStat {
    const ref = this.ref(uri)
    if (!this.mtimes.has(uri.path)) this.touch(uri)
    return {
      type: vscode.FileType.File,
      ctime: 0,
      mtime: this.mtimes.get(uri.path)!,
      size: this.sizes.get(uri.path) ?? 0,
      ...(isEditable(ref) ? {} : { permissions: vscode.FilePermission.Readonly })
    }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const ref = this.ref(uri)
    let text: string
    try {
      const client = this.session.require()
      text = ref.kind === "alert"
        ? renderAlert(await client.call(Alerts.AlertsGet, { id: ref.id }))
        : ref.kind === "case"
          ? renderCase(await client.call(Cases.CasesGet, { id: ref.id }))
          : renderSiem(await client.call(Siem.AlertsEvent, { alertId: ref.alertId }))
    } catch (error) {
      if (wireOf(error).code === -32004) throw vscode.FileSystemError.FileNotFound(uri)
      throw vscode.FileSystemError.Unavailable(errorText(error))
    }
    const bytes = encoder.encode(text)
    this.sizes.set(uri.path, bytes.length)
    return bytes
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const ref = this.ref(uri)
    if (ref.kind === "siem") throw vscode.FileSystemError.NoPermissions("the SIEM document is read-only")
    try {
      const client = this.session.require()
      const text = decoder.decode(content)
      if (ref.kind === "alert") await applyAlertDocument(client, ref.id, text)
      else await applyCaseDocument(client, ref.id, text)
    } catch (error) {
      void vscode.window.showErrorMessage(`Sockeye: saving ${ref.kind} #${ref.id} was refused: ${errorText(error)}. The document shows what the daemon holds.`)
    }
    // Saved or refused, the document reloads from the daemon: it shows what was applied. After the
    // save completes, with a newer mtime, so the editor does not take it for the save's own write.
    setTimeout(() => this.changed(uri), 0)
  }

  /** The document's content changed on the daemon's side: open editors reload it. */
  changed(uri: vscode.Uri): void {
    this.touch(uri)
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }])
  }

  /** alerts/changed and cases/changed: reload the open documents they name. */
  changedRefs(kind: "alert" | "case", ids: ReadonlyArray<number>, openPaths: ReadonlyArray<string>): void {
    const wanted = new Set(ids)
    for (const path of openPaths) {
      const ref = refOf(path)
      if (ref && ref.kind === kind && wanted.has(ref.id)) this.changed(uriOf(ref))
    }
  }

  readDirectory(): Array<[string, vscode.FileType]> { return [] }
  createDirectory(uri: vscode.Uri): void { throw vscode.FileSystemError.NoPermissions(uri) }
  delete(uri: vscode.Uri): void { throw vscode.FileSystemError.NoPermissions(uri) }
  rename(uri: vscode.Uri): void { throw vscode.FileSystemError.NoPermissions(uri) }
}
