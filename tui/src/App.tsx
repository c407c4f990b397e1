import type { DaemonClient } from "@sockeye/client"
import { Box, Text, useApp } from "ink"
import React, { useEffect, useState } from "react"
import { AppContainer, type AppOptions } from "./AppContainer.js"
import { ClientProvider, type ConnectionStore } from "./contexts/ClientContext.js"
import { KeypressProvider, Priority, useKeypress } from "./contexts/KeypressContext.js"
import { wireOf } from "./errors.js"
import { useTerminalSize } from "./hooks/useTerminalSize.js"
import type { KeyBindingConfig } from "./key/keyBindings.js"
import { theme } from "./theme/semantic-colors.js"

export interface AppProps {
  /** Opens the session; the store receives the client's state changes (pass `connection.update` as onStateChange). */
  readonly connect: () => Promise<DaemonClient>
  readonly connection: ConnectionStore
  readonly options: AppOptions
  readonly bindings?: KeyBindingConfig
  /** What the splash says while connecting. */
  readonly target?: string
}

type Phase = { readonly kind: "connecting" } | { readonly kind: "failed"; readonly message: string } | { readonly kind: "ready"; readonly client: DaemonClient }

const Splash = ({ phase, target }: { readonly phase: Exclude<Phase, { kind: "ready" }>; readonly target: string | undefined }) => {
  const { exit } = useApp()
  const { rows } = useTerminalSize()
  useKeypress((key) => {
    if (key.name === "q" || key.name === "escape" || (key.ctrl && key.name === "c")) exit()
    return true
  }, { priority: Priority.Global })
  return (
    <Box flexDirection="column" height={Math.max(3, rows)}>
      <Text color={theme.ui.title} bold> Sockeye</Text>
      {phase.kind === "connecting"
        ? <Text color={theme.text.secondary}> connecting to {target ?? "the daemon"}… (a first start of the embedded database takes a few seconds)</Text>
        : <Text color={theme.status.error}> could not connect: {phase.message}</Text>}
      <Text color={theme.text.secondary}> q quits</Text>
    </Box>
  )
}

/** Picks the layout: a splash while the session opens (or if it cannot), then the app. */
export const App = ({ connect, connection, options, bindings, target }: AppProps) => {
  const [phase, setPhase] = useState<Phase>({ kind: "connecting" })
  useEffect(() => {
    let cancelled = false
    connect().then(
      (client) => { if (!cancelled) setPhase({ kind: "ready", client }) },
      (error: unknown) => { if (!cancelled) setPhase({ kind: "failed", message: `${wireOf(error).message} (${wireOf(error).code})` }) }
    )
    return () => { cancelled = true }
  }, [connect])
  return (
    <KeypressProvider {...(bindings ? { bindings } : {})}>
      {phase.kind === "ready"
        ? <ClientProvider client={phase.client} connection={connection}><AppContainer options={options} /></ClientProvider>
        : <Splash phase={phase} target={target} />}
    </KeypressProvider>
  )
}
