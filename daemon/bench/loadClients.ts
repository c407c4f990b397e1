/**
 * The load bench's clients (load.ts): each is a real @sockeye/client over the daemon's unix
 * socket, running the mixed triage workload until a deadline. They run in worker threads, a few
 * clients each, so that the notifications every client receives and decodes are not handled on
 * the same event loop that times the calls (50 analysts are 50 processes, not one).
 */
import { randomBytes } from "node:crypto"
import { parentPort, workerData } from "node:worker_threads"
import { connect, type DaemonClient } from "@sockeye/client"
import { Alerts } from "@sockeye/protocol"

export type Op = "list" | "get" | "update" | "comment" | "tag"
/** Out of 100: a triage session reads far more than it writes. */
export const WEIGHTS: ReadonlyArray<readonly [Op, number]> = [["list", 25], ["get", 35], ["update", 15], ["comment", 15], ["tag", 10]]

export interface WorkerInput {
  readonly socketPath: string
  readonly username: string
  readonly password: string
  readonly first: number
  readonly count: number
  readonly ids: ReadonlyArray<number>
  readonly tags: ReadonlyArray<string>
  readonly think: number
}

/** Sent by a worker: "ready" once its clients are signed in, then its timings. */
export type WorkerMessage =
  | { readonly kind: "ready" }
  | { readonly kind: "done"; readonly times: Record<Op, Array<number>>; readonly errors: Array<[string, number]> }

/** Sent to a worker: start now, stop at the deadline (Date.now() milliseconds). */
export interface Go { readonly deadline: number }

const pick = <A>(items: ReadonlyArray<A>) => items[Math.floor(Math.random() * items.length)]!
const chooseOp = (): Op => {
  let r = Math.random() * 100
  for (const [op, weight] of WEIGHTS) if ((r -= weight) < 0) return op
  return "get"
}

const work = async (input: WorkerInput, port: NonNullable<typeof parentPort>) => {
  const clients: Array<DaemonClient> = []
  for (let i = 0; i < input.count; i++) {
    clients.push(await connect({ kind: "socket", path: input.socketPath },
      { clientInfo: { name: `sockeye-load-${input.first + i}` }, credentials: { username: input.username, password: input.password }, reconnect: false }))
  }
  const { ids, tags } = input
  const calls: Record<Op, (c: DaemonClient) => Promise<unknown>> = {
    list: (c) => c.call(Alerts.AlertsList, { limit: 50, filter: { status: [pick(["OPEN", "IN_PROGRESS"] as const)] } }),
    get: (c) => c.call(Alerts.AlertsGet, { id: pick(ids) }),
    update: (c) => c.call(Alerts.AlertsUpdate, { ids: [pick(ids)], set: { status: pick(["OPEN", "IN_PROGRESS"] as const) } }),
    comment: (c) => c.call(Alerts.AlertsCommentsAdd, { alertId: pick(ids), comment: `load test comment ${randomBytes(4).toString("hex")}` }),
    tag: (c) => c.call(Alerts.AlertsTagsAdd, { alertIds: [pick(ids)], tag: pick(tags) })
  }
  const go = new Promise<Go>((resolve) => port.once("message", resolve))
  port.postMessage({ kind: "ready" } satisfies WorkerMessage)
  const { deadline } = await go
  const times: Record<Op, Array<number>> = { list: [], get: [], update: [], comment: [], tag: [] }
  const errors = new Map<string, number>()
  await Promise.all(clients.map(async (client) => {
    while (Date.now() < deadline) {
      if (input.think > 0) await new Promise((r) => setTimeout(r, Math.random() * 2 * input.think))
      const op = chooseOp()
      const t = performance.now()
      try {
        await calls[op](client)
        times[op].push(performance.now() - t)
      } catch (error) {
        const e = error as { _tag?: string; message?: string }
        const key = `${op}: ${e._tag ?? "?"} ${e.message ?? String(error)}`.slice(0, 160)
        errors.set(key, (errors.get(key) ?? 0) + 1)
      }
    }
  }))
  for (const client of clients) await client.close().catch(() => undefined)
  port.postMessage({ kind: "done", times, errors: [...errors] } satisfies WorkerMessage)
}

if (parentPort && workerData) await work(workerData as WorkerInput, parentPort)
