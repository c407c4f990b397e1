import { Context, Effect } from "effect"
import { InvalidParams, Notifications } from "@sockeye/protocol"
import type { Session } from "./Session.js"

type ProgressToken = Notifications.ProgressToken
type ProgressValue = Notifications.ProgressValue

/**
 * `$/progress` for the current request. Reports go to the connection that sent the request, for
 * as long as it is open: work that outlives its response (jobs/run) keeps reporting.
 */
export interface ProgressReporter {
  /** The request's `progressToken`; undefined when the client asked for no progress. */
  readonly token: ProgressToken | undefined
  /** Sends `$/progress {token, value}`; nothing without a token or once the connection closed. */
  readonly report: (value: ProgressValue) => Effect.Effect<void>
}

export class RequestProgress extends Context.Tag("Rpc/RequestProgress")<RequestProgress, ProgressReporter>() {}

export const noProgress: ProgressReporter = { token: undefined, report: () => Effect.void }

const clampPercentage = (value: ProgressValue): ProgressValue =>
  value.percentage === undefined
    ? value
    : { ...value, percentage: Math.min(100, Math.max(0, Math.round(value.percentage))) }

export const reporterFor = (session: Session, token: ProgressToken | undefined): ProgressReporter =>
  token === undefined
    ? noProgress
    : { token, report: (value) => Effect.sync(() => session.notify(Notifications.Progress.method, { token, value: clampPercentage(value) })) }

const isToken = (value: unknown): value is ProgressToken =>
  (typeof value === "string" && value.length > 0 && value.length <= 200) || Number.isSafeInteger(value)

/**
 * Takes `progressToken` out of a request's params, so that every method accepts it without naming
 * it in its own schema. Params of any other shape are left for the method's decoder to refuse.
 */
export const takeProgressToken = (method: string, raw: unknown): Effect.Effect<{ readonly params: unknown; readonly token: ProgressToken | undefined }, InvalidParams> => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || !("progressToken" in raw)) {
    return Effect.succeed({ params: raw, token: undefined })
  }
  const { progressToken, ...params } = raw as Record<string, unknown>
  if (!isToken(progressToken)) {
    return Effect.fail(new InvalidParams({
      message: `${method}: invalid params at progressToken: expected a string of 1 to 200 characters or an integer`,
      issues: [{ path: ["progressToken"], message: "expected a string of 1 to 200 characters or an integer" }]
    }))
  }
  return Effect.succeed({ params, token: progressToken })
}
