import { ErrorCode, Jobs, Notifications } from "@sockeye/protocol"
import { useDaemonQuery } from "./useDaemonQuery.js"
import { useLive } from "./useLive.js"

/**
 * jobs/list, reloaded on jobs/changed. `missing` is true when the daemon does not serve the
 * scheduler methods (-32601): an older daemon, not a failure.
 */
export const useJobs = () => {
  const result = useDaemonQuery((client) => client.call(Jobs.JobsList, {}), [])
  useLive(Notifications.JobsChanged, () => result.refresh())
  return { ...result, missing: result.error?.code === ErrorCode.MethodNotFound }
}
