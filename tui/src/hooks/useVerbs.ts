import type { DaemonClient } from "@sockeye/client"
import { Alerts, Cases, Jobs, Status } from "@sockeye/protocol"
import { useMemo } from "react"
import type { Target } from "../contexts/AppContext.js"
import { wireOf } from "../errors.js"
import type { Lookups } from "../model/commandLine.js"
import type { Message, Prompt } from "../model/prompt.js"

type Job = typeof Jobs.Job.Type

export interface VerbDeps {
  readonly client: DaemonClient
  readonly lookups: Lookups
  readonly prompt: (p: Prompt) => void
  readonly say: (level: Message["level"], text: string) => void
  /** After a successful write: clear marks, reload the view (live updates would too, a moment later). */
  readonly done: () => void
  readonly refreshTags: () => void
}

const noun = (t: Target) => (t.items.length === 1 ? `${t.kind} ${t.items[0]!.id}` : `${t.items.length} ${t.kind}s`)
const idsOf = (t: Target) => t.items.map((i) => i.id)

const valuesStartingWith = (values: ReadonlyArray<string>) => (text: string) => ({
  from: 0,
  candidates: values.filter((v) => v.toLowerCase().startsWith(text.toLowerCase()) && v !== text).slice(0, 50)
})

/**
 * The verbs (a, A, s, e, t, T, c, n, l on alerts and cases; x and e on jobs). Each asks what it
 * needs on the bottom line, confirms destructive or bulk changes, calls the daemon, and shows
 * the result or the daemon's error. The daemon decides what is allowed.
 */
export const useVerbs = (deps: VerbDeps) => useMemo(() => {
  const { client, prompt, say, done } = deps

  const run = async (label: string, call: () => Promise<unknown>, success: (result: any) => string) => {
    say("info", `${label}…`)
    try {
      const result = await call()
      say("ok", success(result))
      done()
    } catch (error) {
      const e = wireOf(error)
      say("error", `${label} failed: ${e.message} (${e.code})`)
    }
  }

  /** Asks first when the change is destructive or touches more than one row. */
  const confirmed = (question: string, ask: boolean, action: () => void) => {
    if (!ask) return action()
    prompt({ kind: "confirm", question, onYes: action, onNo: () => say("info", "cancelled: nothing changed") })
  }

  const update = (t: Target, set: { status?: typeof Status.Type; assignedTo?: string | null; escalated?: boolean }, label: string) =>
    run(label, () => (t.kind === "alert"
      ? client.call(Alerts.AlertsUpdate, { ids: idsOf(t), set })
      : client.call(Cases.CasesUpdate, { ids: idsOf(t), set })), (r: { updated: ReadonlyArray<number> }) => `${label}: ${r.updated.length} updated`)

  const assignTo = (t: Target, user: string | null) => {
    const label = user === null ? `unassign ${noun(t)}` : `assign ${noun(t)} to ${user}`
    confirmed(`${label}?`, t.items.length > 1, () => void update(t, { assignedTo: user }, label))
  }

  return {
    assignMe: (t: Target) => {
      const me = client.user?.username
      if (!me) return say("error", "no user on this connection")
      assignTo(t, me)
    },
    assignTo: (t: Target) => prompt({
      kind: "text",
      label: `assign ${noun(t)} to (user, - unassigns):`,
      complete: valuesStartingWith(deps.lookups.users),
      onSubmit: (text) => {
        const user = text.trim()
        if (!user) return
        assignTo(t, user === "-" || user.toLowerCase() === "none" ? null : user)
      }
    }),
    setStatus: (t: Target) => prompt({
      kind: "choice",
      label: `status of ${noun(t)}:`,
      options: Status.literals.map((status) => ({
        key: status === "IN_PROGRESS" ? "i" : status[0]!.toLowerCase(),
        label: status,
        run: () => {
          const label = `set ${noun(t)} to ${status}`
          confirmed(`${label}?`, t.items.length > 1 || status === "CLOSED", () => void update(t, { status }, label))
        }
      }))
    }),
    toggleEscalated: (t: Target) => {
      const escalated = !t.items.every((i) => i.escalated)
      const label = `${escalated ? "escalate" : "de-escalate"} ${noun(t)}`
      confirmed(`${label}?`, t.items.length > 1, () => void update(t, { escalated }, label))
    },
    addTag: (t: Target) => prompt({
      kind: "text",
      label: `tag ${noun(t)} with:`,
      complete: valuesStartingWith(deps.lookups.tags),
      onSubmit: (text) => {
        const tag = text.trim()
        if (!tag || t.kind !== "alert") return
        void run(`tag ${noun(t)} ${tag}`, () => client.call(Alerts.AlertsTagsAdd, { alertIds: idsOf(t), tag }), (r) => {
          deps.refreshTags()
          return `tagged ${r.updated.length} with ${r.tag.tag}`
        })
      }
    }),
    removeTag: (t: Target) => {
      if (t.kind !== "alert") return
      const onRows = new Map(t.items.flatMap((a) => a.tags).map((tag) => [tag.tag.toLowerCase(), tag]))
      if (onRows.size === 0) return say("info", `${noun(t)} has no tags`)
      prompt({
        kind: "text",
        label: `remove from ${noun(t)} the tag:`,
        complete: valuesStartingWith([...onRows.values()].map((x) => x.tag)),
        onSubmit: (text) => {
          const tag = onRows.get(text.trim().toLowerCase())
          if (!tag) return say("error", `${noun(t)} has no tag "${text.trim()}"`)
          const label = `remove tag ${tag.tag} from ${noun(t)}`
          confirmed(`${label}?`, true, () => void run(label,
            () => client.call(Alerts.AlertsTagsRemove, { alertIds: idsOf(t), tagId: tag.id }),
            (r) => `removed ${tag.tag} from ${r.updated.length}`))
        }
      })
    },
    comment: (t: Target) => prompt({
      kind: "text",
      label: `comment on ${noun(t)}:`,
      onSubmit: (text) => {
        const comment = text.trim()
        if (!comment) return
        // Alerts in one call, all or nothing: a hidden or deleted alert among the marked leaves every one uncommented.
        void run(`comment on ${noun(t)}`, async () => {
          if (t.kind === "alert") return client.call(Alerts.AlertsCommentsAddMany, { alertIds: idsOf(t), comment })
          // The cases views act on one case at a time (they have no marks).
          for (const id of idsOf(t)) await client.call(Cases.CasesCommentsAdd, { caseId: id, comment })
        }, () => `commented on ${noun(t)}`)
      }
    }),
    newCase: (t: Target) => prompt({
      kind: "text",
      label: `new case from ${noun(t)}, named:`,
      initial: t.items.length === 1 ? t.items[0]!.name : "",
      onSubmit: (text) => {
        const name = text.trim()
        if (!name) return
        void run(`create case from ${noun(t)}`, () => client.call(Cases.CasesCreate, { name, description: "", alertIds: idsOf(t) }),
          (c: { id: number; alertCount: number }) => `case ${c.id} created with ${c.alertCount} alert(s) (:case ${c.id})`)
      }
    }),
    linkCase: (t: Target) => {
      const open = client.call(Cases.CasesList, { filter: { status: ["OPEN", "IN_PROGRESS"] }, limit: 100 })
        .then((p) => p.items.map((c) => `${c.id} ${c.name}`), () => [] as Array<string>)
      let candidates: ReadonlyArray<string> = []
      void open.then((c) => { candidates = c })
      prompt({
        kind: "text",
        label: `link ${noun(t)} to case #:`,
        complete: (text) => valuesStartingWith(candidates)(text),
        onSubmit: (text) => {
          const match = /^#?(\d+)/.exec(text.trim())
          if (!match) return say("error", "give a case number")
          const caseId = Number(match[1])
          void run(`link ${noun(t)} to case ${caseId}`, () => client.call(Cases.CasesAlertsLink, { caseId, alertIds: idsOf(t) }),
            (r) => `linked ${r.linked.length} alert(s) to case ${caseId}`)
        }
      })
    },
    runJob: (job: Job) => void run(`run ${job.id}`, () => client.call(Jobs.JobsRun, { id: job.id }), (r) => `${job.id}: run ${r.runId} started`),
    toggleJob: (job: Job) => {
      const label = `${job.enabled ? "disable" : "enable"} ${job.id}`
      confirmed(`${label}?`, job.enabled, () => void run(label, () => client.call(Jobs.JobsUpdate, { id: job.id, enabled: !job.enabled }),
        (j: Job) => `${j.id} ${j.enabled ? "enabled" : "disabled"}`))
    }
  }
}, [deps.client, deps.lookups, deps.prompt, deps.say, deps.done, deps.refreshTags])

export type Verbs = ReturnType<typeof useVerbs>
