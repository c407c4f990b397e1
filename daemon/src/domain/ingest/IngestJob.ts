import { Effect } from "effect"
import type { JobDefinition } from "../jobs/Job.js"
import { Ingest } from "./Ingest.js"

/**
 * CoPilot's invoke_alert_creation_collect: every 5 minutes, the same collection as ingest/run
 * with no source (Graylog events, and Wazuh alerts directly per the ingest_wazuh_direct setting).
 * Unavailable without a SIEM. The counts go to the run history.
 */
export const ingestJob: JobDefinition<Ingest> = {
  id: "invoke_alert_creation_collect",
  description: "Collect new SIEM documents (Graylog events, Wazuh alerts) into alerts",
  defaultIntervalMinutes: 5,
  defaultEnabled: true,
  unavailable: Effect.flatMap(Ingest, (ingest) => ingest.unavailable),
  run: (progress) =>
    Effect.flatMap(Ingest, (ingest) => ingest.run(undefined, progress)).pipe(
      Effect.map((counts) => ({ ...counts }))
    )
}
