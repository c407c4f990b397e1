import type { Notification } from "@sockeye/protocol"
import { useEffect, useRef } from "react"
import { useClient } from "../contexts/ClientContext.js"

/**
 * Calls `onEvents` with the notifications that arrived in the last `delayMs`: a bulk write of a
 * thousand alerts is one reload, not a thousand.
 */
export const useLive = <P>(notification: Notification<P>, onEvents: (events: ReadonlyArray<P>) => void, delayMs = 120): void => {
  const client = useClient()
  const ref = useRef(onEvents)
  ref.current = onEvents
  useEffect(() => {
    let pending: Array<P> = []
    let timer: NodeJS.Timeout | undefined
    const off = client.on(notification, (params) => {
      pending.push(params)
      timer ??= setTimeout(() => {
        timer = undefined
        const batch = pending
        pending = []
        ref.current(batch)
      }, delayMs)
    })
    return () => {
      off()
      if (timer) clearTimeout(timer)
    }
  }, [client, notification, delayMs])
}
