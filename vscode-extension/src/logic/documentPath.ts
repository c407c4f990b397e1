/** What a `sockeye:` path names. The paths are the files the FileSystemProvider serves. */
export type DocumentRef =
  | { readonly kind: "alert"; readonly id: number }
  | { readonly kind: "case"; readonly id: number }
  | { readonly kind: "siem"; readonly alertId: number }

export const SCHEME = "sockeye"

export const pathOf = (ref: DocumentRef): string => {
  switch (ref.kind) {
    case "alert": return `/alerts/${ref.id}.md`
    case "case": return `/cases/${ref.id}.md`
    case "siem": return `/alerts/${ref.alertId}/siem.json`
  }
}

/** The document a path names, or undefined for any other path (the provider answers FileNotFound). */
export const refOf = (path: string): DocumentRef | undefined => {
  let m = /^\/alerts\/([1-9]\d{0,9})\.md$/.exec(path)
  if (m) return { kind: "alert", id: Number(m[1]) }
  m = /^\/cases\/([1-9]\d{0,9})\.md$/.exec(path)
  if (m) return { kind: "case", id: Number(m[1]) }
  m = /^\/alerts\/([1-9]\d{0,9})\/siem\.json$/.exec(path)
  if (m) return { kind: "siem", alertId: Number(m[1]) }
  return undefined
}

/** Only the alert and case summaries take edits (their front-matter block); the SIEM document is read-only. */
export const isEditable = (ref: DocumentRef) => ref.kind !== "siem"
