import type { DaemonClient } from "@sockeye/client"
import { Jobs } from "@sockeye/protocol"

type Job = typeof Jobs.Job.Type

export interface JobNode { readonly kind: "job"; readonly key: string; readonly job: Job }

/** The Jobs view: every scheduled job, with its state and last run. */
export const jobNodes = async (client: DaemonClient): Promise<Array<JobNode>> =>
  (await client.call(Jobs.JobsList, {})).map((job) => ({ kind: "job", key: `job:${job.id}`, job }))

export const presentJobNode = ({ job }: JobNode): { label: string; description: string; tooltip: string } => {
  const state = job.unavailable ? "unavailable" : job.running ? "running" : job.enabled ? "enabled" : "disabled"
  const last = job.lastRun ? `last ${job.lastRun.status}` : "never run"
  return {
    label: job.id,
    description: `${state} · every ${job.intervalMinutes} min · ${last}`,
    tooltip: [job.description, job.unavailable, job.lastRun?.error].filter(Boolean).join("\n")
  }
}
