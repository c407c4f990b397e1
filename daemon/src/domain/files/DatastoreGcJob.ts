import { Clock, Config, Effect } from "effect"
import { BlobStore, Buckets } from "../../connectors/blobs/BlobStore.js"
import type { JobDefinition } from "../jobs/Job.js"
import { NO_STORE_MESSAGE } from "./blobErrors.js"
import { FilesRepo } from "./FilesRepo.js"

export const DATASTORE_GC_JOB_ID = "datastore_gc"
/** A pending upload nobody sent a chunk to for this long is abandoned. */
export const ABANDONED_UPLOAD_MS = 24 * 60 * 60 * 1000
/**
 * Objects younger than this are left alone even when no row points at them: a commit writes the
 * object before its transaction commits the row.
 */
export const orphanGraceConfig = Config.integer("SOCKEYE_BLOB_ORPHAN_GRACE_SECONDS").pipe(
  Config.withDefault(3600),
  Config.validate({ message: "must not be negative", validation: (n) => n >= 0 }),
  Config.withDescription("datastore_gc leaves objects without a row alone until they are this old (a commit writes the object before its row)")
)

/**
 * datastore_gc: removes what crashes and abandoned uploads leave behind. Pending uploads idle for
 * a day (their rows and staged chunks); staged chunks of uploads that no longer exist; objects in
 * copilot-cases and copilot-case-report-templates that no datastore row points to; temporary
 * files of cut-off puts. Only the buckets Sockeye writes: artifacts and reports are CoPilot's.
 */
export const datastoreGcJob: JobDefinition<FilesRepo | BlobStore> = {
  id: DATASTORE_GC_JOB_ID,
  description: "Remove abandoned uploads and blobs that no datastore row points to",
  defaultIntervalMinutes: 60,
  defaultEnabled: true,
  unavailable: Effect.map(BlobStore, (store) => (store.kind === "none" ? NO_STORE_MESSAGE : undefined)),
  run: (progress) =>
    Effect.gen(function*() {
      const repo = yield* FilesRepo
      const store = yield* BlobStore
      const now = yield* Clock.currentTimeMillis
      const graceCutoff = new Date(now - (yield* orphanGraceConfig) * 1000)

      const abandoned = yield* repo.staleUploads(new Date(now - ABANDONED_UPLOAD_MS))
      for (const id of abandoned) {
        yield* repo.deleteUpload(id)
        const staged = yield* store.list(Buckets.staging, `${id}/`)
        yield* store.remove(Buckets.staging, staged.map((o) => o.key))
      }
      yield* progress(25, "staged chunks")

      const pending = yield* repo.uploadIds
      const strayChunks = (yield* store.list(Buckets.staging))
        .filter((o) => !pending.has(o.key.split("/")[0]!) && o.modifiedAt < graceCutoff)
        .map((o) => o.key)
      yield* store.remove(Buckets.staging, strayChunks)
      yield* progress(50, "orphaned objects")

      let orphans = 0
      for (const bucket of [Buckets.cases, Buckets.reportTemplates]) {
        const objects = yield* store.list(bucket)
        const referenced = yield* repo.referencedKeys(bucket)
        const unreferenced = objects.filter((o) => !referenced.has(o.key) && o.modifiedAt < graceCutoff)
        // Checked again under each key's lock: a same-name upload may have committed since the listing.
        for (const object of unreferenced) {
          const removed = yield* repo.removeIfUnreferenced(bucket, object.key, store.remove(bucket, [object.key]))
          if (removed) orphans++
        }
      }
      const temporary = yield* store.sweepTemporary(graceCutoff)
      yield* progress(100, "done")
      return { abandonedUploads: abandoned.length, strayChunks: strayChunks.length, orphans, temporary }
    })
}
