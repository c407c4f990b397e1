import type { Completion } from "./commandLine.js"

/** What the bottom line is asking for; one at a time. */
export type Prompt =
  | {
    readonly kind: "text"
    /** Shown before the input: ":", "/", "comment:". */
    readonly label: string
    readonly initial?: string
    /** Suggestions for the input so far; Tab takes the highlighted one. */
    readonly complete?: (text: string) => Completion
    readonly onSubmit: (text: string) => void
    readonly onCancel?: () => void
    /** Called as the input changes (live search). */
    readonly onChange?: (text: string) => void
  }
  | {
    readonly kind: "choice"
    readonly label: string
    readonly options: ReadonlyArray<{ readonly key: string; readonly label: string; readonly run: () => void }>
  }
  | {
    readonly kind: "confirm"
    readonly question: string
    readonly onYes: () => void
    readonly onNo?: () => void
  }

export interface Message {
  readonly level: "ok" | "error" | "info"
  readonly text: string
  readonly at: Date
}
