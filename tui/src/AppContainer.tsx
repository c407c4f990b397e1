import type { AlertSummary } from "@sockeye/protocol"
import { Box, useApp } from "ink"
import React, { useCallback, useMemo, useRef, useState } from "react"
import { AlertDetailView } from "./components/AlertDetailView.js"
import { AlertsView } from "./components/AlertsView.js"
import { CaseDetailView } from "./components/CaseDetailView.js"
import { CasesView } from "./components/CasesView.js"
import { EventView } from "./components/EventView.js"
import { Header } from "./components/Header.js"
import { HelpView } from "./components/HelpView.js"
import { JobsView } from "./components/JobsView.js"
import { MessageLine } from "./components/MessageLine.js"
import { PromptLine } from "./components/PromptLine.js"
import { StatusBar } from "./components/StatusBar.js"
import { AppActionsContext, AppStateContext, type AppActions, type AppState } from "./contexts/AppContext.js"
import { useClient } from "./contexts/ClientContext.js"
import { Priority, useKeyMatchers, useKeypress, useSetModal } from "./contexts/KeypressContext.js"
import { useCommandLine } from "./hooks/useCommandLine.js"
import { useLookups } from "./hooks/useLookups.js"
import { useNavigation } from "./hooks/useNavigation.js"
import { useTerminalSize } from "./hooks/useTerminalSize.js"
import { useVerbs } from "./hooks/useVerbs.js"
import { Command, type View } from "./key/keyBindings.js"
import type { Message, Prompt } from "./model/prompt.js"
import { PromptSession } from "./model/PromptSession.js"
import { defaultAlertQuery, type Entry, type Route } from "./model/routes.js"

export interface AppOptions {
  readonly readonly: boolean
  /** The first view; default: every alert, newest first. */
  readonly initial?: Route
  /** Problems to show at start (a bad keys.json). */
  readonly warnings?: ReadonlyArray<string>
}

/** Lines around the view: header, message or prompt, status bar. */
const CHROME = 3

const viewOf = (entry: Entry, width: number, height: number) => {
  const props = { entry, width, height }
  switch (entry.route.kind) {
    case "alerts": return <AlertsView key={entry.key} {...props} />
    case "alert": return <AlertDetailView key={entry.key} {...props} />
    case "event": return <EventView key={entry.key} {...props} />
    case "cases": return <CasesView key={entry.key} {...props} />
    case "case": return <CaseDetailView key={entry.key} {...props} />
    case "jobs": return <JobsView key={entry.key} {...props} />
  }
}

/** Owns the session's UI state (history, marks, prompt, messages) and lays out the screen. */
export const AppContainer = ({ options }: { readonly options: AppOptions }) => {
  const client = useClient()
  const { exit } = useApp()
  const m = useKeyMatchers()
  const { columns, rows } = useTerminalSize()
  const nav = useNavigation(options.initial ?? { kind: "alerts", query: defaultAlertQuery })
  const [marks, setMarksState] = useState<ReadonlyMap<number, AlertSummary>>(new Map())
  const [prompt, setPrompt] = useState<PromptSession | undefined>()
  const setModal = useSetModal()
  const [message, setMessage] = useState<Message | undefined>(() =>
    options.warnings?.length ? { level: "error", text: options.warnings.join("; "), at: new Date() } : undefined)
  const [lastError, setLastError] = useState<Message | undefined>()
  const [helpOpen, setHelpOpen] = useState(false)
  const refreshRef = useRef<(() => void) | undefined>(undefined)
  const { lookups, tags, refreshTags } = useLookups()

  const say = useCallback((level: Message["level"], text: string) => {
    const msg = { level, text, at: new Date() }
    setMessage(msg)
    if (level === "error") setLastError(msg)
  }, [])
  // The session takes keys at once (setModal), before React renders the prompt line.
  const closePrompt = useCallback(() => {
    setModal(undefined)
    setPrompt(undefined)
  }, [setModal])
  const openPrompt = useCallback((p: Prompt) => {
    const session = new PromptSession(p, m, closePrompt)
    setModal(session.handle)
    setPrompt(session)
  }, [m, setModal, closePrompt])
  const clearMarks = useCallback(() => setMarksState(new Map()), [])
  const done = useCallback(() => {
    clearMarks()
    refreshRef.current?.()
  }, [clearMarks])
  const verbs = useVerbs({ client, lookups, prompt: openPrompt, say, done, refreshTags })

  // Marks belong to one list: a new view starts without them.
  const go = useCallback((route: Route) => { clearMarks(); nav.push(route) }, [clearMarks, nav.push])
  const replace = useCallback((route: Route) => { clearMarks(); nav.replace(route) }, [clearMarks, nav.replace])
  const back = useCallback(() => { clearMarks(); return nav.back() }, [clearMarks, nav.back])
  const quit = useCallback(() => exit(), [exit])
  const toggleHelp = useCallback(() => setHelpOpen((h) => !h), [])
  const openCommand = useCommandLine({ client, lookups, tags, prompt: openPrompt, say, go, quit, toggleHelp })

  const actions = useMemo<AppActions>(() => ({
    push: go,
    replace,
    back,
    remember: nav.remember,
    prompt: openPrompt,
    closePrompt,
    say,
    toggleMark: (alert) => setMarksState((old) => {
      const next = new Map(old)
      if (next.has(alert.id)) next.delete(alert.id)
      else next.set(alert.id, alert)
      return next
    }),
    setMarks: (alerts) => setMarksState(new Map(alerts.map((a) => [a.id, a]))),
    clearMarks,
    toggleHelp,
    setRefresh: (refresh) => { refreshRef.current = refresh },
    refresh: () => refreshRef.current?.(),
    openCommand,
    quit,
    verbs
  }), [go, replace, back, nav.remember, openPrompt, closePrompt, say, clearMarks, toggleHelp, openCommand, quit, verbs])

  const state = useMemo<AppState>(() => ({
    readonly: options.readonly,
    user: client.user,
    stack: nav.stack,
    top: nav.top,
    marks,
    prompt: prompt?.get().prompt,
    message,
    lastError,
    helpOpen,
    lookups,
    tags
  }), [options.readonly, client.user, nav.stack, nav.top, marks, prompt, message, lastError, helpOpen, lookups, tags])

  // Global keys: the lowest priority, after the view had its chance.
  useKeypress((key) => {
    if (m[Command.Quit](key)) return quit(), true
    if (m[Command.CommandMode](key)) return openCommand(), true
    if (m[Command.Help](key)) return setHelpOpen(true), true
    if (m[Command.Refresh](key)) {
      refreshRef.current?.()
      say("info", "refreshed")
      return true
    }
    if (m[Command.Back](key)) {
      if (marks.size > 0) return clearMarks(), true
      if (!back()) say("info", "at the first view: q quits")
      return true
    }
    return false
  }, { priority: Priority.Global })

  // Exactly the terminal's height: never taller (Screen draws rows by position).
  const height = Math.max(6, rows)
  const bodyHeight = height - CHROME
  return (
    <AppStateContext.Provider value={state}>
      <AppActionsContext.Provider value={actions}>
        <Box flexDirection="column" width={columns} height={height}>
          <Header width={columns} />
          <Box height={bodyHeight} flexDirection="column">
            {helpOpen
              ? <HelpView view={nav.top.route.kind as View} height={bodyHeight} width={columns} />
              : viewOf(nav.top, columns, bodyHeight)}
          </Box>
          {prompt ? <PromptLine session={prompt} width={columns} /> : <MessageLine message={message} />}
          <StatusBar width={columns} />
        </Box>
      </AppActionsContext.Provider>
    </AppStateContext.Provider>
  )
}
