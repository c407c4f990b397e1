/**
 * A hand-written fake of exactly the parts of the `vscode` API the extension uses, for the glue
 * tests (vitest aliases "vscode" to this file). VS Code itself cannot run here. It records what
 * the extension registers and shows, answers prompts from a script the test sets, and serves
 * documents through the registered FileSystemProvider the way the editor does: read on open,
 * read again when the provider fires a change.
 */

type Listener<T> = (value: T) => void

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>()
  readonly event = (listener: Listener<T>) => {
    this.listeners.add(listener)
    return { dispose: () => this.listeners.delete(listener) }
  }
  fire(value: T): void { for (const l of [...this.listeners]) l(value) }
  dispose(): void { this.listeners.clear() }
}

export class Disposable {
  constructor(private readonly onDispose: () => void) {}
  static from(...items: Array<{ dispose: () => unknown }>): Disposable { return new Disposable(() => { for (const i of items) i.dispose() }) }
  dispose(): void { this.onDispose() }
}

export class Uri {
  private constructor(readonly scheme: string, readonly path: string) {}
  static from(parts: { scheme: string; path: string }): Uri { return new Uri(parts.scheme, parts.path) }
  static file(path: string): Uri { return new Uri("file", path) }
  static joinPath(base: Uri, ...segments: Array<string>): Uri { return new Uri(base.scheme, [base.path, ...segments].join("/")) }
  get fsPath(): string { return this.path }
  toString(): string { return `${this.scheme}:${this.path}` }
}

export enum TreeItemCollapsibleState { None = 0, Collapsed = 1, Expanded = 2 }
export enum StatusBarAlignment { Left = 1, Right = 2 }
export enum FileType { File = 1 }
export enum FilePermission { Readonly = 1 }
export enum FileChangeType { Changed = 1 }
export enum ProgressLocation { Window = 10 }

export class ThemeIcon { constructor(readonly id: string) {} }

export class TreeItem {
  id?: string
  description?: string
  tooltip?: string
  contextValue?: string
  iconPath?: ThemeIcon
  command?: { command: string; title: string; arguments?: Array<unknown> }
  constructor(readonly label: string, readonly collapsibleState: TreeItemCollapsibleState) {}
}

export class FileSystemError extends Error {
  constructor(message: string, readonly code: string) { super(message) }
  static FileNotFound(what?: unknown) { return new FileSystemError(`not found: ${String(what)}`, "FileNotFound") }
  static NoPermissions(what?: unknown) { return new FileSystemError(String(what), "NoPermissions") }
  static Unavailable(what?: unknown) { return new FileSystemError(String(what), "Unavailable") }
}

export class McpStdioServerDefinition {
  constructor(readonly label: string, public command: string, public args: Array<string> = [], public env: Record<string, string | number | null> = {}, public version?: string) {}
}

/** Everything the extension did, for the test to look at. */
export const recorded = {
  commands: new Map<string, (...args: Array<any>) => unknown>(),
  treeViews: new Map<string, { provider: any; selection: Array<unknown>; options: any }>(),
  statusBarItems: [] as Array<{ text: string; tooltip: string; command?: string; name?: string; visible: boolean }>,
  fileSystems: new Map<string, any>(),
  mcpProviders: new Map<string, any>(),
  messages: [] as Array<{ level: "info" | "warning" | "error"; text: string }>,
  /** Answers for showInputBox / showQuickPick, in order; undefined cancels. */
  answers: [] as Array<string | undefined>,
  configuration: new Map<string, unknown>()
}

interface FakeDocument { readonly uri: Uri; text: string; getText(): string; readonly version: number }
const documents = new Map<string, FakeDocument>()
const decoder = new TextDecoder()

const read = async (uri: Uri) => decoder.decode(await recorded.fileSystems.get(uri.scheme).readFile(uri))

export const workspace = {
  getConfiguration: () => ({ get: <T>(key: string, fallback: T): T => (recorded.configuration.has(key) ? recorded.configuration.get(key) as T : fallback) }),
  onDidChangeConfiguration: (listener: Listener<{ affectsConfiguration: (key: string) => boolean }>) => configurationChanges.event(listener),
  registerFileSystemProvider: (scheme: string, provider: any) => {
    recorded.fileSystems.set(scheme, provider)
    // The editor re-reads open documents when their provider reports a change.
    const sub = provider.onDidChangeFile((events: Array<{ uri: Uri }>) => {
      for (const e of events) {
        const doc = documents.get(e.uri.toString())
        if (doc) void read(e.uri).then((text) => { doc.text = text; reloads.fire(doc) })
      }
    })
    return new Disposable(() => { sub.dispose(); recorded.fileSystems.delete(scheme) })
  },
  openTextDocument: async (uri: Uri): Promise<FakeDocument> => {
    const text = await read(uri)
    const doc: FakeDocument = { uri, text, getText() { return this.text }, version: 1 }
    documents.set(uri.toString(), doc)
    return doc
  },
  get textDocuments() { return [...documents.values()] },
  /** The editor's save: the provider's writeFile with the new text. */
  save: async (doc: FakeDocument, text: string) => {
    doc.text = text
    await recorded.fileSystems.get(doc.uri.scheme).writeFile(doc.uri, new TextEncoder().encode(text), { create: false, overwrite: true })
  }
}

const configurationChanges = new EventEmitter<{ affectsConfiguration: (key: string) => boolean }>()

/** The user changes a setting: stored, then onDidChangeConfiguration fires for it. */
export const changeSetting = (key: string, value: unknown) => {
  recorded.configuration.set(key, value)
  configurationChanges.fire({ affectsConfiguration: (section: string) => key === section || key.startsWith(`${section}.`) })
}

/** Fires after an open document was re-read from its provider. */
export const reloads = new EventEmitter<FakeDocument>()

const answer = () => recorded.answers.shift()

export const window = {
  activeTextEditor: undefined as undefined | { document: FakeDocument },
  createTreeView: (id: string, options: any) => {
    const view = { provider: options.treeDataProvider, selection: [] as Array<unknown>, options }
    recorded.treeViews.set(id, view)
    return { get selection() { return view.selection }, dispose: () => recorded.treeViews.delete(id) }
  },
  createStatusBarItem: (_alignment: StatusBarAlignment, _priority: number) => {
    const item = { text: "", tooltip: "", visible: false, show() { item.visible = true }, dispose() { item.visible = false } } as any
    recorded.statusBarItems.push(item)
    return item
  },
  showInformationMessage: async (text: string) => { recorded.messages.push({ level: "info", text }); return undefined },
  showWarningMessage: async (text: string) => { recorded.messages.push({ level: "warning", text }); return undefined },
  showErrorMessage: async (text: string) => { recorded.messages.push({ level: "error", text }); return undefined },
  showInputBox: async (_options: unknown) => answer(),
  showQuickPick: async (items: ReadonlyArray<string | { label: string }>, _options?: unknown) => {
    const wanted = answer()
    if (wanted === undefined) return undefined
    return items.find((i) => (typeof i === "string" ? i : i.label) === wanted || (typeof i === "string" ? i : i.label).startsWith(wanted))
  },
  showTextDocument: async (doc: FakeDocument) => {
    window.activeTextEditor = { document: doc }
    return window.activeTextEditor
  },
  withProgress: async <T>(_options: unknown, task: () => Promise<T>) => task()
}

export const commands = {
  registerCommand: (id: string, handler: (...args: Array<any>) => unknown) => {
    if (recorded.commands.has(id)) throw new Error(`command ${id} already registered`)
    recorded.commands.set(id, handler)
    return new Disposable(() => recorded.commands.delete(id))
  },
  executeCommand: async (id: string, ...args: Array<unknown>) => {
    const handler = recorded.commands.get(id)
    if (!handler) throw new Error(`command ${id} not found`)
    return handler(...args)
  }
}

export const lm = {
  registerMcpServerDefinitionProvider: (id: string, provider: unknown) => {
    recorded.mcpProviders.set(id, provider)
    return new Disposable(() => recorded.mcpProviders.delete(id))
  }
}

/** A fresh editor for the next test. */
export const reset = () => {
  recorded.commands.clear()
  recorded.treeViews.clear()
  recorded.statusBarItems.length = 0
  recorded.fileSystems.clear()
  recorded.mcpProviders.clear()
  recorded.messages.length = 0
  recorded.answers.length = 0
  recorded.configuration.clear()
  documents.clear()
  window.activeTextEditor = undefined
}

/** An ExtensionContext with secret storage in memory. */
export const extensionContext = (extensionPath: string) => {
  const secrets = new Map<string, string>()
  const changed = new EventEmitter<{ key: string }>()
  return {
    subscriptions: [] as Array<{ dispose: () => unknown }>,
    extensionPath,
    extension: { packageJSON: { version: "0.1.0" } },
    secrets: {
      get: async (key: string) => secrets.get(key),
      store: async (key: string, value: string) => { secrets.set(key, value); changed.fire({ key }) },
      delete: async (key: string) => { secrets.delete(key); changed.fire({ key }) },
      onDidChange: changed.event
    }
  }
}
