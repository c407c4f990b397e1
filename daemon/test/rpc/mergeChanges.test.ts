import { describe, expect, it } from "vitest"
import type { ChangeEvent } from "../../src/domain/Changes.js"
import { MAX_MERGED_IDS, mergeChanges } from "../../src/rpc/mergeChanges.js"

const alert = (kind: ChangeEvent["kind"], ids: Array<number>, extra: Partial<ChangeEvent> = {}): ChangeEvent => ({ entity: "alert", kind, ids, ...extra })

describe("mergeChanges", () => {
  it("folds changes of one entity and kind into one, ids once each in first-seen order", () => {
    expect(mergeChanges([alert("updated", [3, 1]), alert("created", [9]), alert("updated", [1, 2]), { entity: "case", kind: "updated", ids: [7] },
      alert("created", [10])])).toEqual([alert("updated", [3, 1, 2]), alert("created", [9, 10]), { entity: "case", kind: "updated", ids: [7] }])
  })

  it("keeps deletions (each has its audience) and job changes (each has its status) as they came", () => {
    const deleted = alert("deleted", [4], { audience: [1] })
    const job: ChangeEvent = { entity: "job", kind: "updated", ids: ["datastore_gc"], status: "running" }
    const jobDone: ChangeEvent = { entity: "job", kind: "updated", ids: ["datastore_gc"], status: "succeeded" }
    expect(mergeChanges([job, deleted, alert("deleted", [5], { audience: [2] }), jobDone]))
      .toEqual([job, deleted, alert("deleted", [5], { audience: [2] }), jobDone])
  })

  it("starts a new change once a merged one would name more than MAX_MERGED_IDS rows", () => {
    const slice = (from: number) => alert("updated", Array.from({ length: 400 }, (_, i) => from + i))
    const events = Array.from({ length: Math.ceil(MAX_MERGED_IDS / 400) + 1 }, (_, k) => slice(k * 400))
    const merged = mergeChanges(events)
    expect(merged.length).toBe(2)
    expect(merged.every((m) => m.ids.length <= MAX_MERGED_IDS)).toBe(true)
    expect(merged.flatMap((m) => m.ids)).toEqual(events.flatMap((e) => e.ids))
  })

  it("passes a lone change through unchanged", () => {
    expect(mergeChanges([alert("updated", [1])])).toEqual([alert("updated", [1])])
    expect(mergeChanges([])).toEqual([])
  })
})
