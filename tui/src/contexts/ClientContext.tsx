import type { ConnectionState, DaemonClient } from "@sockeye/client"
import React, { createContext, useContext, useMemo, useSyncExternalStore } from "react"

export interface ConnectionSnapshot {
  readonly state: ConnectionState
  readonly detail: string | undefined
  /** Counts the times the link came back after a drop: data hooks reload when it moves. */
  readonly epoch: number
}

/**
 * The client's connection state as a store React can subscribe to. DaemonClient reports state
 * changes through the `onStateChange` option given at connect time; pass `store.update` there.
 */
export class ConnectionStore {
  private snapshot: ConnectionSnapshot = { state: "connecting", detail: undefined, epoch: 0 }
  private readonly listeners = new Set<() => void>()

  readonly update = (state: ConnectionState, detail?: string): void => {
    const back = state === "connected" && this.snapshot.state === "reconnecting"
    this.snapshot = { state, detail, epoch: this.snapshot.epoch + (back ? 1 : 0) }
    for (const listener of this.listeners) listener()
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  readonly get = (): ConnectionSnapshot => this.snapshot
}

/**
 * The last answer to each read, so that a view shows its rows at once when the analyst comes
 * back to it (and reloads behind them). Bounded: the oldest answers go first.
 */
export class QueryCache {
  private readonly entries = new Map<string, unknown>()
  constructor(private readonly max = 200) {}
  get(key: string): unknown {
    return this.entries.get(key)
  }
  set(key: string, value: unknown): void {
    this.entries.delete(key)
    this.entries.set(key, value)
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!)
  }
}

interface ClientContextValue {
  readonly client: DaemonClient
  readonly connection: ConnectionStore
  readonly cache: QueryCache
}

const ClientContext = createContext<ClientContextValue | undefined>(undefined)

export const ClientProvider = ({ client, connection, children }: Omit<ClientContextValue, "cache"> & { readonly children: React.ReactNode }) => {
  const value = useMemo(() => ({ client, connection, cache: new QueryCache() }), [client, connection])
  return <ClientContext.Provider value={value}>{children}</ClientContext.Provider>
}

const useClientContext = (): ClientContextValue => {
  const value = useContext(ClientContext)
  if (!value) throw new Error("useClient must be used inside a ClientProvider")
  return value
}

/** The daemon client of this session. */
export const useClient = (): DaemonClient => useClientContext().client

export const useQueryCache = (): QueryCache => useClientContext().cache

/** The connection state, re-rendering on every change. */
export const useConnection = (): ConnectionSnapshot => {
  const { connection } = useClientContext()
  return useSyncExternalStore(connection.subscribe, connection.get)
}
