import type { AlertSummary, CaseSummary, Tag, User } from "@sockeye/protocol"
import { createContext, useContext } from "react"
import type { Lookups } from "../model/commandLine.js"
import type { MemoUpdate } from "../hooks/useNavigation.js"
import type { Entry, Route } from "../model/routes.js"
import type { Message, Prompt } from "../model/prompt.js"
import type { Verbs } from "../hooks/useVerbs.js"

/** What the views read: where we are, what is marked, what the bottom line shows. */
export interface AppState {
  readonly readonly: boolean
  readonly user: User | undefined
  readonly stack: ReadonlyArray<Entry>
  readonly top: Entry
  readonly marks: ReadonlyMap<number, AlertSummary>
  readonly prompt: Prompt | undefined
  readonly message: Message | undefined
  readonly lastError: Message | undefined
  readonly helpOpen: boolean
  readonly lookups: Lookups
  readonly tags: ReadonlyArray<Tag>
}

/** The rows a verb acts on: the marked set, else the current row. */
export type Target =
  | { readonly kind: "alert"; readonly items: ReadonlyArray<AlertSummary> }
  | { readonly kind: "case"; readonly items: ReadonlyArray<CaseSummary> }

/** What the views do. Stable across renders. */
export interface AppActions {
  readonly push: (route: Route) => void
  readonly replace: (route: Route) => void
  readonly back: () => boolean
  readonly remember: (key: number, update: MemoUpdate) => void
  readonly prompt: (prompt: Prompt) => void
  readonly closePrompt: () => void
  readonly say: (level: Message["level"], text: string) => void
  readonly toggleMark: (alert: AlertSummary) => void
  readonly setMarks: (alerts: ReadonlyArray<AlertSummary>) => void
  readonly clearMarks: () => void
  readonly toggleHelp: () => void
  /** The current view registers how it reloads (the r key, and after a verb). */
  readonly setRefresh: (refresh: (() => void) | undefined) => void
  readonly refresh: () => void
  readonly openCommand: (initial?: string) => void
  readonly quit: () => void
  readonly verbs: Verbs
}

export const AppStateContext = createContext<AppState | undefined>(undefined)
export const AppActionsContext = createContext<AppActions | undefined>(undefined)

export const useAppState = (): AppState => {
  const value = useContext(AppStateContext)
  if (!value) throw new Error("useAppState must be used inside AppContainer")
  return value
}

export const useAppActions = (): AppActions => {
  const value = useContext(AppActionsContext)
  if (!value) throw new Error("useAppActions must be used inside AppContainer")
  return value
}
