import type { DaemonClient } from "@sockeye/client"
import { Tags, Users, type Tag } from "@sockeye/protocol"
import { useCallback, useRef } from "react"
import { wireOf } from "../errors.js"
import { complete, parseCommandLine, type AlertSpec, type Lookups } from "../model/commandLine.js"
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

const knows = (names: ReadonlyArray<string> | undefined, known: ReadonlyArray<string>) =>
  (names ?? []).every((n) => known.some((k) => k.toLowerCase() === n.toLowerCase()))

/** `:` — opens the command line (completion from the daemon's tags, customers, users, sources) and runs it. */
export const useCommandLine = (deps: CommandLineDeps) => {
  const { client, prompt, say, go, quit, toggleHelp } = deps
  // Completion and resolution read the names as they are when the key is typed: at ":" they
  // may still be loading.
  const lookups = useRef(deps.lookups)
  lookups.current = deps.lookups
  const tags = useRef(deps.tags)
  tags.current = deps.tags

  /** Tags and customers named in the command, read again from the daemon when the loaded lists lack them. */
  const names = useCallback(async (spec: AlertSpec) => {
    let known = { tags: tags.current, customers: lookups.current.customers }
    if (!knows(spec.tags, known.tags.map((t) => t.tag))) known = { ...known, tags: await client.call(Tags.TagsList, {}) }
    if (!knows(spec.customers, known.customers)) {
      known = { ...known, customers: (await client.call(Users.CustomersList, {})).map((c) => c.customerCode) }
    }
    return known
  }, [client])

  const run = useCallback(async (text: string) => {
    const parsed = parseCommandLine(text)
    const me = client.user?.username ?? ""
    switch (parsed.kind) {
      case "error": return say("error", parsed.message)
      case "quit": return quit()
      case "help": return toggleHelp()
      case "jobs": return go({ kind: "jobs" })
      case "alert": return go({ kind: "alert", id: parsed.id })
      case "case": return go({ kind: "case", id: parsed.id })
      case "cases": {
        const known = await names(parsed.spec)
        return go({ kind: "cases", query: caseQueryOf(parsed.spec, parsed.label, { me, customers: known.customers }) })
      }
      case "alerts": {
        const known = await names(parsed.spec)
        const query = alertQueryOf(parsed.spec, parsed.label, { tags: known.tags, me, customers: known.customers })
        return typeof query === "string" ? say("error", query) : go({ kind: "alerts", query })
      }
    }
  }, [client, names, say, go, quit, toggleHelp])

  return useCallback((initial = "") => prompt({
    kind: "text",
    label: ":",
    initial,
    complete: (text) => complete(text, lookups.current),
    onSubmit: (text) => void run(text).catch((error: unknown) => {
      const e = wireOf(error)
      say("error", `${text}: ${e.message} (${e.code})`)
    })
  }), [prompt, run, say])
}
