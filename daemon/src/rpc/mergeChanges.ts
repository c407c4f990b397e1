import type { ChangeEvent } from "../domain/Changes.js"

/** A merged change names at most this many rows, so that its visibility statement stays small. */
export const MAX_MERGED_IDS = 2_000

/**
 * Folds the changes of one delivery window into as few as say the same thing: the creations of
 * alerts become one creation of all their ids, the updates one update, and so on, in the order
 * each (entity, kind) first appeared. Deletions carry their own audience and job changes their
 * own status, so those stay as they came. Ids keep their first position and appear once.
 */
export const mergeChanges = (events: ReadonlyArray<ChangeEvent>): ReadonlyArray<ChangeEvent> => {
  const merged: Array<ChangeEvent> = []
  const open = new Map<string, { ids: Array<number | string>; seen: Set<number | string> }>()
  for (const event of events) {
    if (event.entity === "job" || event.kind === "deleted") {
      merged.push(event)
      continue
    }
    const key = `${event.entity} ${event.kind}`
    let group = open.get(key)
    if (group === undefined || group.ids.length + event.ids.length > MAX_MERGED_IDS) {
      group = { ids: [], seen: new Set() }
      open.set(key, group)
      merged.push({ entity: event.entity, kind: event.kind, ids: group.ids })
    }
    for (const id of event.ids) {
      if (!group.seen.has(id)) {
        group.seen.add(id)
        group.ids.push(id)
      }
    }
  }
  return merged
}
