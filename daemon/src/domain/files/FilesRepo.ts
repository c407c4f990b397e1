import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { caseVisible } from "../Access.js"
import type { Principal } from "../Principal.js"
import { bucketOf, objectKeyOf, tableOf, type StoredFile, type Target } from "./targets.js"

export interface UploadRow {
  readonly id: string
  readonly target: "case_file" | "report_template"
  readonly caseId: number | null
  readonly fileName: string
  readonly contentType: string
  readonly size: number
  readonly sha256: string
  readonly replace: boolean
  readonly received: number
  readonly userId: number
}

const storedColumns = "f.id, f.file_name, f.file_size, f.file_hash, f.upload_time, f.bucket_name, f.object_key"

export const targetOfUpload = (u: UploadRow): Target =>
  u.target === "case_file" ? { kind: "case_file", caseId: u.caseId! } : { kind: "report_template" }

/** The SQL of the datastores and of sockeye_uploads; visibility is the case's, decided in each statement. */
export class FilesRepo extends Effect.Service<FilesRepo>()("Files/FilesRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const cols = sql.literal(storedColumns)
    // bigint columns come back as strings from pg; sizes stay far below 2^53.
    const upload = (r: UploadRow): UploadRow => ({ ...r, size: Number(r.size), received: Number(r.received) })

    /** The case, if the principal may see it; `lock` keeps it from deletion until the transaction ends. */
    const caseExists = (principal: Principal, caseId: number, lock = false) =>
      sql<{ id: number }>`
        select c.id from incident_management_case c
        where c.id = ${caseId} and ${caseVisible(sql, principal, "c")}
        ${lock ? sql`for share of c` : sql``}`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    const findByName = (target: Target, fileName: string) => {
      const { table, nameColumn } = tableOf(sql, target)
      return sql<StoredFile>`
        select ${cols} from ${table} f
        where f.${nameColumn} = ${fileName} ${target.kind === "case_file" ? sql`and f.case_id = ${target.caseId}` : sql``}
        order by f.id limit 1`.pipe(Effect.map((rows) => rows[0]), Effect.orDie)
    }

    const listCase = (principal: Principal, caseId: number) =>
      sql<StoredFile>`
        select ${cols} from incident_management_case_datastore f join incident_management_case c on c.id = f.case_id
        where f.case_id = ${caseId} and ${caseVisible(sql, principal, "c")}
        order by f.upload_time, f.id`.pipe(Effect.orDie)

    const listTemplates = sql<StoredFile>`
      select ${cols} from incident_management_case_report_template_datastore f
      order by f.report_template_name, f.id`.pipe(Effect.orDie)

    /** A case file through a case the principal may see; `lock` for deletion. */
    const caseFile = (principal: Principal, fileId: number, lock = false) =>
      sql<StoredFile & { readonly caseId: number }>`
        select ${cols}, f.case_id from incident_management_case_datastore f join incident_management_case c on c.id = f.case_id
        where f.id = ${fileId} and ${caseVisible(sql, principal, "c")}
        ${lock ? sql`for update of f` : sql``}`.pipe(Effect.map((rows) => rows[0]), Effect.orDie)

    const template = (templateId: number, lock = false) =>
      sql<StoredFile>`
        select ${cols} from incident_management_case_report_template_datastore f where f.id = ${templateId}
        ${lock ? sql`for update of f` : sql``}`.pipe(Effect.map((rows) => rows[0]), Effect.orDie)

    /** Writes the row for a committed upload: a new one, or the replaced one's new bytes. */
    const saveFile = (u: UploadRow, replacing: number | undefined) => {
      const target = targetOfUpload(u)
      const { table } = tableOf(sql, target)
      const bucket = bucketOf(target)
      const key = objectKeyOf(target, u.fileName)
      if (replacing !== undefined) {
        return sql<StoredFile>`
          update ${table} f set bucket_name = ${bucket}, object_key = ${key}, content_type = ${u.contentType},
            file_size = ${u.size}, file_hash = ${u.sha256}, upload_time = now()
          where f.id = ${replacing} returning ${cols}`.pipe(Effect.map((rows) => rows[0]!), Effect.orDie)
      }
      const insert = target.kind === "case_file"
        ? sql`insert into incident_management_case_datastore as f (case_id, bucket_name, object_key, file_name, content_type, file_size, file_hash)
              values (${target.caseId}, ${bucket}, ${key}, ${u.fileName}, ${u.contentType}, ${u.size}, ${u.sha256})`
        : sql`insert into incident_management_case_report_template_datastore as f
                (report_template_name, bucket_name, object_key, file_name, content_type, file_size, file_hash)
              values (${u.fileName}, ${bucket}, ${key}, ${u.fileName}, ${u.contentType}, ${u.size}, ${u.sha256})`
      return sql<StoredFile>`${insert} returning ${cols}`.pipe(Effect.map((rows) => rows[0]!), Effect.orDie)
    }

    const deleteFile = (target: Target, id: number) =>
      sql`delete from ${tableOf(sql, target).table} where id = ${id}`.pipe(Effect.asVoid, Effect.orDie)

    /** Whether any row of the two datastores Sockeye writes points at the object. */
    const referenced = (bucket: string, key: string) =>
      sql<{ n: number }>`
        select (select count(*) from incident_management_case_datastore where bucket_name = ${bucket} and object_key = ${key})
             + (select count(*) from incident_management_case_report_template_datastore where bucket_name = ${bucket} and object_key = ${key})
             as n`.pipe(Effect.map((rows) => Number(rows[0]!.n) > 0), Effect.orDie)

    /** Every object key the two datastores point at in `bucket`. */
    const referencedKeys = (bucket: string) =>
      sql<{ objectKey: string }>`
        select object_key from incident_management_case_datastore where bucket_name = ${bucket}
        union select object_key from incident_management_case_report_template_datastore where bucket_name = ${bucket}`.pipe(
        Effect.map((rows) => new Set(rows.map((r) => r.objectKey))), Effect.orDie)

    /** Serializes writers of one object key (same-name commits, deletes) until the transaction ends. */
    const lockKey = (bucket: string, key: string) =>
      sql`select pg_advisory_xact_lock(hashtextextended(${`sockeye-blob:${bucket}/${key}`}, 0))`.pipe(Effect.asVoid, Effect.orDie)

    /**
     * Runs `remove` (the object's removal) under the key's lock if no row points at the object;
     * whether it ran. A same-name commit holds the same lock, so it never loses its new bytes.
     */
    const removeIfUnreferenced = <E>(bucket: string, key: string, remove: Effect.Effect<void, E>) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* lockKey(bucket, key)
        if (yield* referenced(bucket, key)) return false
        yield* remove
        return true
      })).pipe(Effect.catchTag("SqlError", (error) => Effect.die(error)))

    const insertUpload = (u: UploadRow) =>
      sql`insert into sockeye_uploads (id, target, case_id, file_name, content_type, size, sha256, replace, user_id)
          values (${u.id}, ${u.target}, ${u.caseId}, ${u.fileName}, ${u.contentType}, ${u.size}, ${u.sha256}, ${u.replace}, ${u.userId})`.pipe(
        Effect.asVoid, Effect.orDie)

    /** The principal's pending upload (the system principal may touch any); `lock` until the transaction ends. */
    const findUpload = (id: string, userId: number | undefined, lock = false) =>
      sql<UploadRow>`
        select id, target, case_id, file_name, content_type, size, sha256, replace, received, user_id from sockeye_uploads
        where id = ${id} ${userId === undefined ? sql`` : sql`and user_id = ${userId}`}
        ${lock ? sql`for update` : sql``}`.pipe(Effect.map((rows) => (rows[0] ? upload(rows[0]) : undefined)), Effect.orDie)

    const advanceUpload = (id: string, received: number) =>
      sql`update sockeye_uploads set received = ${received}, updated_at = now() where id = ${id}`.pipe(Effect.asVoid, Effect.orDie)

    const deleteUpload = (id: string) =>
      sql<{ id: string }>`delete from sockeye_uploads where id = ${id} returning id`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    /** Uploads nobody touched since `before`. */
    const staleUploads = (before: Date) =>
      sql<{ id: string }>`select id from sockeye_uploads where updated_at < ${before}`.pipe(
        Effect.map((rows) => rows.map((r) => r.id)), Effect.orDie)

    const uploadIds = sql<{ id: string }>`select id from sockeye_uploads`.pipe(
      Effect.map((rows) => new Set(rows.map((r) => r.id))), Effect.orDie)

    return {
      caseExists, findByName, listCase, listTemplates, caseFile, template, saveFile, deleteFile, referenced,
      referencedKeys, lockKey, removeIfUnreferenced, insertUpload, findUpload, advanceUpload, deleteUpload, staleUploads, uploadIds
    } as const
  })
}) {}
