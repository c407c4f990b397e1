import type { DaemonClient } from "@sockeye/client"
import type { Tag } from "@sockeye/protocol"
import { useCallback, useRef } from "react"
import { complete, parseCommandLine, type Lookups } from "../model/commandLine.js"
import type { Message, Prompt } from "../model/prompt.js"
import { alertQueryOf, caseQueryOf } from "../model/resolve.js"
import type { Route } from "../model/routes.js"

export interface CommandLineDeps {
  readonly client: DaemonClient
  readonly lookups: Lookups
  readonly tags: ReadonlyArray<Tag>
  readonly prompt: (p: Prompt) => void
  readonly say: (level: Message["level"], text: string) => void
  readonly go: (route: Route) => void
  readonly quit: () => void
  readonly toggleHelp: () => void
}

/** `:` — opens the command line (completion from the daemon's tags, customers, users, sources) and runs it. */
export const useCommandLine = (deps: CommandLineDeps) => {
  const { client, prompt, say, go, quit, toggleHelp } = deps
  // Completion and resolution read the names as they are when the key is typed: at ":" they
  // may still be loading.
  const lookups = useRef(deps.lookups)
  lookups.current = deps.lookups
  const tags = useRef(deps.tags)
  tags.current = deps.tags
  return useCallback((initial = "") => prompt({
    kind: "text",
    label: ":",
    initial,
    complete: (text) => complete(text, lookups.current),
    onSubmit: (text) => {
      const parsed = parseCommandLine(text)
      const me = client.user?.username ?? ""
      switch (parsed.kind) {
        case "error": return say("error", parsed.message)
        case "quit": return quit()
        case "help": return toggleHelp()
        case "jobs": return go({ kind: "jobs" })
        case "alert": return go({ kind: "alert", id: parsed.id })
        case "case": return go({ kind: "case", id: parsed.id })
        case "cases": return go({ kind: "cases", query: caseQueryOf(parsed.spec, parsed.label, { me, customers: lookups.current.customers }) })
        case "alerts": {
          const query = alertQueryOf(parsed.spec, parsed.label, { tags: tags.current, me, customers: lookups.current.customers })
          return typeof query === "string" ? say("error", query) : go({ kind: "alerts", query })
        }
      }
    }
  }), [client, prompt, say, go, quit, toggleHelp])
}
