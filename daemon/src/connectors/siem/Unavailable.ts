import { Effect } from "effect"
import type { SiemError, SiemIndexService } from "./SiemIndex.js"

/** A SIEM that answers every call with one error: none configured, or a configuration it cannot use. */
export const unavailable = (kind: SiemIndexService["kind"], describe: string, error: SiemError): SiemIndexService => {
  const fail = () => Effect.fail(error)
  return { kind, describe, get: fail, search: fail, update: fail, updateMany: fail, index: fail, admin: { createSnapshot: fail, getSettings: fail, putSettings: fail } }
}
