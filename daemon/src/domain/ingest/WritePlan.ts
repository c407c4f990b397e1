/**
 * The pure part of writing a batch (AlertWriter): which documents share an alert, which alerts
 * are new, which assets and IoC links a document adds (CoPilot §f.8: an asset unless the alert
 * has one of that name, an IoC unless the alert has that value), in document order.
 */
import type { WriteRequest } from "./AlertWriter.js"
import type { IocType } from "./Extract.js"
import { keyOf, type DocKey } from "./IngestRepo.js"

export interface AlertKey {
  readonly customerCode: string
  readonly title: string
}
export const lockKey = (k: AlertKey) => `${k.customerCode}\u001f${k.title}`
const keyOfRequest = (r: WriteRequest) => lockKey(r.alert)

/** The first request of each original document: two events naming one document make one write. */
export const firstPerOriginal = (requests: ReadonlyArray<WriteRequest>): ReadonlyArray<WriteRequest> => {
  const seen = new Set<string>()
  return requests.filter((r) => {
    const key = keyOf(r.original)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** Distinct (customer, title) pairs, in order of first appearance. */
export const alertKeys = (requests: ReadonlyArray<WriteRequest>): ReadonlyArray<AlertKey> => {
  const keys = new Map<string, AlertKey>()
  for (const r of requests) if (!keys.has(keyOfRequest(r))) keys.set(keyOfRequest(r), { customerCode: r.alert.customerCode, title: r.alert.title })
  return [...keys.values()]
}

export interface Draft {
  /** The OPEN alert each key merges into. */
  readonly existing: ReadonlyMap<string, number>
  /** Keys without one, in order; each becomes an alert with its first document's source. */
  readonly newAlerts: ReadonlyArray<AlertKey & { readonly source: string }>
  readonly mergedInto: ReadonlyArray<number>
}

/** The oldest OPEN alert of each key absorbs its documents; the other keys need alerts. */
export const assignAlerts = (
  requests: ReadonlyArray<WriteRequest>,
  keys: ReadonlyArray<AlertKey>,
  open: ReadonlyArray<{ readonly id: number; readonly customerCode: string; readonly alertName: string }>
): Draft => {
  const existing = new Map<string, number>()
  for (const a of open) {
    const key = lockKey({ customerCode: a.customerCode, title: a.alertName })
    const known = existing.get(key)
    if (known === undefined || a.id < known) existing.set(key, a.id)
  }
  const newAlerts = keys.filter((k) => !existing.has(lockKey(k))).map((k) => ({
    ...k, source: requests.find((r) => keyOfRequest(r) === lockKey(k))!.alert.source
  }))
  return { existing, newAlerts, mergedInto: [...new Set(existing.values())] }
}

export interface NewAlert {
  readonly id: number
  readonly title: string
  readonly customerCode: string
  readonly source: string
}

export interface NewAsset {
  readonly alertId: number
  readonly name: string
  readonly customerCode: string
  readonly source: string
  readonly context: Record<string, unknown>
  /** The document the asset came from. */
  readonly index: string
  readonly id: string
}

export interface IocLink {
  readonly alertId: number
  readonly value: string
  readonly type: IocType
}

export interface Planned {
  readonly newAlerts: ReadonlyArray<NewAlert>
  readonly assets: ReadonlyArray<NewAsset>
  readonly iocs: ReadonlyArray<IocLink>
  /** Every written document with its alert (the ledger's alert_id). */
  readonly done: ReadonlyArray<{ readonly key: DocKey; readonly alertId: number }>
  readonly alertOf: ReadonlyMap<string, number>
  /** The documents that made their alert (the first of a new alert's documents). */
  readonly creators: ReadonlySet<string>
  readonly created: ReadonlySet<number>
  readonly documentsByAlert: ReadonlyMap<number, ReadonlyArray<DocKey>>
}

export const plan = (
  requests: ReadonlyArray<WriteRequest>,
  draft: Draft,
  newIds: ReadonlyArray<number>,
  existingAssets: ReadonlyArray<{ readonly alertLinked: number; readonly assetName: string }>
): Planned => {
  const alertOfKey = new Map(draft.existing)
  const newAlerts = draft.newAlerts.map((k, i): NewAlert => {
    alertOfKey.set(lockKey(k), newIds[i]!)
    return { id: newIds[i]!, title: k.title, customerCode: k.customerCode, source: k.source }
  })
  const created = new Set(newAlerts.map((a) => a.id))
  const assetSeen = new Set(existingAssets.map((a) => `${a.alertLinked}\u0000${a.assetName}`))
  const iocSeen = new Set<string>()
  const assets: Array<NewAsset> = []
  const iocs: Array<IocLink> = []
  const done: Array<{ key: DocKey; alertId: number }> = []
  const alertOf = new Map<string, number>()
  const creators = new Set<string>()
  const documentsByAlert = new Map<number, Array<DocKey>>()
  for (const r of requests) {
    const alertId = alertOfKey.get(keyOfRequest(r))!
    const doc = keyOf(r.original)
    if (created.has(alertId) && !documentsByAlert.has(alertId)) creators.add(doc)
    const docs = documentsByAlert.get(alertId)
    if (docs) docs.push(r.original)
    else documentsByAlert.set(alertId, [r.original])
    done.push({ key: r.original, alertId })
    alertOf.set(doc, alertId)
    const asset = `${alertId}\u0000${r.alert.asset}`
    if (!assetSeen.has(asset)) {
      assetSeen.add(asset)
      assets.push({
        alertId, name: r.alert.asset, customerCode: r.alert.customerCode, source: r.alert.source, context: r.alert.context,
        index: r.original.index, id: r.original.id
      })
    }
    const ioc = r.alert.ioc
    if (ioc && !iocSeen.has(`${alertId}\u0000${ioc.value}`)) {
      iocSeen.add(`${alertId}\u0000${ioc.value}`)
      iocs.push({ alertId, value: ioc.value, type: ioc.type })
    }
  }
  return { newAlerts, assets, iocs, done, alertOf, creators, created, documentsByAlert }
}
