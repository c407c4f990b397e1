import { Command } from "../key/keyBindings.js"
import type { Key } from "../key/Key.js"
import type { KeyMatchers } from "../key/keyMatchers.js"
import type { Completion } from "./commandLine.js"
import type { Prompt } from "./prompt.js"

export interface PromptSnapshot {
  readonly prompt: Prompt
  readonly text: string
  readonly selected: number
  readonly completion: Completion | undefined
}

/**
 * An open prompt: its input, and what each key does to it. It takes keys synchronously, ahead of
 * every React subscriber, from the moment it opens: in ":alerts" arriving as one chunk, the
 * "a" must reach the command line and not assign the current alert.
 */
export class PromptSession {
  private snapshot: PromptSnapshot
  private readonly listeners = new Set<() => void>()

  constructor(prompt: Prompt, private readonly m: KeyMatchers, private readonly close: () => void) {
    const text = prompt.kind === "text" ? prompt.initial ?? "" : ""
    this.snapshot = { prompt, text, selected: 0, completion: this.completionOf(prompt, text) }
  }

  private completionOf(prompt: Prompt, text: string): Completion | undefined {
    return prompt.kind === "text" ? prompt.complete?.(text) : undefined
  }

  private set(text: string, selected = 0) {
    const prompt = this.snapshot.prompt
    if (prompt.kind === "text" && text !== this.snapshot.text) prompt.onChange?.(text)
    this.snapshot = { prompt, text, selected, completion: text === this.snapshot.text ? this.snapshot.completion : this.completionOf(prompt, text) }
    for (const listener of this.listeners) listener()
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  readonly get = (): PromptSnapshot => this.snapshot

  private cancelled(key: Key): boolean {
    return this.m[Command.Cancel](key) || (key.ctrl && key.name === "c")
  }

  /** Every key stops here while the prompt is open. */
  readonly handle = (key: Key): true => {
    const { prompt } = this.snapshot
    switch (prompt.kind) {
      case "text": this.handleText(prompt, key); break
      case "choice": {
        const option = prompt.options.find((o) => o.key === key.name)
        if (option) {
          this.close()
          option.run()
        } else if (this.cancelled(key)) this.close()
        break
      }
      case "confirm":
        if (this.m[Command.Yes](key)) {
          this.close()
          prompt.onYes()
        } else if (this.m[Command.No](key) || this.cancelled(key)) {
          this.close()
          prompt.onNo?.()
        }
        break
    }
    return true
  }

  private handleText(prompt: Extract<Prompt, { kind: "text" }>, key: Key) {
    const { text, selected, completion } = this.snapshot
    const candidates = completion?.candidates ?? []
    if (this.m[Command.Submit](key)) {
      this.close()
      prompt.onSubmit(text)
    } else if (this.cancelled(key)) {
      this.close()
      prompt.onCancel?.()
    } else if (this.m[Command.Complete](key)) {
      const pick = candidates[selected]
      if (pick !== undefined && completion) this.set(text.slice(0, completion.from) + pick + (pick.endsWith("=") ? "" : " "))
    } else if (this.m[Command.SuggestNext](key)) {
      this.set(text, candidates.length === 0 ? 0 : (selected + 1) % candidates.length)
    } else if (this.m[Command.SuggestPrev](key)) {
      this.set(text, candidates.length === 0 ? 0 : (selected - 1 + candidates.length) % candidates.length)
    } else if (this.m[Command.DeleteBack](key)) {
      this.set([...text].slice(0, -1).join(""))
    } else if (this.m[Command.ClearInput](key)) {
      this.set("")
    } else if (this.m[Command.DeleteWord](key)) {
      this.set(text.replace(/\S*\s*$/, ""))
    } else if (key.text && !key.ctrl && !key.meta) {
      this.set(text + key.text)
    }
  }
}
