import type { DaemonClient } from "@sockeye/client"
import type { WireError } from "@sockeye/protocol"
import { useCallback, useEffect, useRef, useState } from "react"
import { useClient, useConnection, useQueryCache } from "../contexts/ClientContext.js"
import { wireOf } from "../errors.js"

export interface QueryResult<T> {
  readonly data: T | undefined
  readonly error: WireError | undefined
  readonly loading: boolean
  readonly refresh: () => void
}

/**
 * One daemon read as React state: `{data, error, loading}`. It reloads when `deps` change and
 * when the link comes back after a drop; while reloading it keeps the previous data (no blank
 * frame), and an answer to an older request never overwrites a newer one. With a `cacheKey`
 * it starts from the last answer to the same read (going back shows rows at once).
 */
export const useDaemonQuery = <T>(
  load: (client: DaemonClient) => Promise<T>,
  deps: ReadonlyArray<unknown>,
  options: { readonly enabled?: boolean; readonly cacheKey?: string } = {}
): QueryResult<T> => {
  const client = useClient()
  const cache = useQueryCache()
  const { epoch } = useConnection()
  const cacheKey = options.cacheKey
  const [state, setState] = useState<{ data: T | undefined; error: WireError | undefined; loading: boolean }>(() => ({
    data: cacheKey === undefined ? undefined : cache.get(cacheKey) as T | undefined, error: undefined, loading: options.enabled !== false
  }))
  const keyRef = useRef(cacheKey)
  keyRef.current = cacheKey
  const seq = useRef(0)
  const loadRef = useRef(load)
  loadRef.current = load
  const enabled = options.enabled !== false

  const refresh = useCallback(() => {
    if (!enabled) return
    const id = ++seq.current
    setState((s) => (s.loading ? s : { ...s, loading: true }))
    loadRef.current(client).then(
      (data) => {
        if (keyRef.current !== undefined) cache.set(keyRef.current, data)
        if (id === seq.current) setState({ data, error: undefined, loading: false })
      },
      (error: unknown) => { if (id === seq.current) setState((s) => ({ data: s.data, error: wireOf(error), loading: false })) }
    )
  }, [client, cache, enabled])

  // Reload on the caller's deps, not on `load` (a new closure every render).
  useEffect(refresh, [refresh, epoch, ...deps])
  return { ...state, refresh }
}
