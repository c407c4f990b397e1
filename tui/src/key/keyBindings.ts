/**
 * Every key of the terminal UI as data: a command id (`area.action`), its default keys, what it
 * does (the help view prints this), where it applies, and whether it changes data (a verb,
 * hidden by --readonly). keys.json rebinds commands by id (see keyConfig.ts).
 */
export type View = "alerts" | "alert" | "event" | "cases" | "case" | "jobs"

export const Command = {
  Up: "nav.up",
  Down: "nav.down",
  Top: "nav.top",
  Bottom: "nav.bottom",
  PageUp: "nav.pageUp",
  PageDown: "nav.pageDown",
  Left: "nav.left",
  Right: "nav.right",
  Open: "nav.open",
  Back: "nav.back",
  NextItem: "nav.nextItem",
  PrevItem: "nav.prevItem",
  NextPage: "page.next",
  PrevPage: "page.prev",
  CommandMode: "app.command",
  Filter: "app.filter",
  Help: "app.help",
  Refresh: "app.refresh",
  Quit: "app.quit",
  Mark: "mark.toggle",
  MarkAll: "mark.all",
  ClearMarks: "mark.clear",
  Sort: "sort.choose",
  SortReverse: "sort.reverse",
  ShowEvent: "alert.event",
  SearchNext: "search.next",
  SearchPrev: "search.prev",
  AssignMe: "verb.assignMe",
  AssignTo: "verb.assignTo",
  SetStatus: "verb.status",
  ToggleEscalated: "verb.escalate",
  AddTag: "verb.tagAdd",
  RemoveTag: "verb.tagRemove",
  Comment: "verb.comment",
  NewCase: "verb.newCase",
  LinkCase: "verb.linkCase",
  RunJob: "job.run",
  ToggleJob: "job.toggle",
  Submit: "input.submit",
  Cancel: "input.cancel",
  Complete: "input.complete",
  SuggestNext: "input.suggestNext",
  SuggestPrev: "input.suggestPrev",
  DeleteBack: "input.backspace",
  ClearInput: "input.clear",
  DeleteWord: "input.deleteWord",
  Yes: "confirm.yes",
  No: "confirm.no"
} as const
export type Command = (typeof Command)[keyof typeof Command]

export interface KeyBinding {
  /** A character ("j", "J", "?") or a key name ("up", "pagedown", "return", "space"). */
  readonly key: string
  readonly ctrl?: boolean
  readonly meta?: boolean
  /** Only for named keys (shift+tab); a character's case already says it. */
  readonly shift?: boolean
}

export type KeyBindingConfig = { readonly [C in Command]: ReadonlyArray<KeyBinding> }

const k = (key: string, mods: Omit<KeyBinding, "key"> = {}): KeyBinding => ({ key, ...mods })
const ctrl = (key: string) => k(key, { ctrl: true })

export const defaultKeyBindings: KeyBindingConfig = {
  [Command.Up]: [k("k"), k("up")],
  [Command.Down]: [k("j"), k("down")],
  [Command.Top]: [k("g"), k("home")],
  [Command.Bottom]: [k("G"), k("end")],
  [Command.PageUp]: [k("pageup"), ctrl("b")],
  [Command.PageDown]: [k("pagedown"), ctrl("f")],
  [Command.Left]: [k("h"), k("left")],
  [Command.Right]: [k("l"), k("right")],
  [Command.Open]: [k("return")],
  [Command.Back]: [k("escape")],
  [Command.NextItem]: [k("tab")],
  [Command.PrevItem]: [k("tab", { shift: true })],
  [Command.NextPage]: [k(">")],
  [Command.PrevPage]: [k("<")],
  [Command.CommandMode]: [k(":")],
  [Command.Filter]: [k("/")],
  [Command.Help]: [k("?")],
  [Command.Refresh]: [k("r"), ctrl("r")],
  [Command.Quit]: [k("q"), ctrl("c")],
  [Command.Mark]: [k("space")],
  [Command.MarkAll]: [ctrl("a")],
  [Command.ClearMarks]: [k("U")],
  [Command.Sort]: [k("o")],
  [Command.SortReverse]: [k("O")],
  [Command.ShowEvent]: [k("y")],
  [Command.SearchNext]: [k("n")],
  [Command.SearchPrev]: [k("N")],
  [Command.AssignMe]: [k("a")],
  [Command.AssignTo]: [k("A")],
  [Command.SetStatus]: [k("s")],
  [Command.ToggleEscalated]: [k("e")],
  [Command.AddTag]: [k("t")],
  [Command.RemoveTag]: [k("T")],
  [Command.Comment]: [k("c")],
  [Command.NewCase]: [k("n")],
  [Command.LinkCase]: [k("l")],
  [Command.RunJob]: [k("x")],
  [Command.ToggleJob]: [k("e")],
  [Command.Submit]: [k("return")],
  [Command.Cancel]: [k("escape")],
  [Command.Complete]: [k("tab")],
  [Command.SuggestNext]: [k("down"), ctrl("n")],
  [Command.SuggestPrev]: [k("up"), ctrl("p")],
  [Command.DeleteBack]: [k("backspace")],
  [Command.ClearInput]: [ctrl("u")],
  [Command.DeleteWord]: [ctrl("w")],
  [Command.Yes]: [k("y")],
  [Command.No]: [k("n"), k("escape")]
}

const LISTS: ReadonlyArray<View> = ["alerts", "cases", "jobs"]
const PAGERS: ReadonlyArray<View> = ["alert", "event", "case"]
const ALL: ReadonlyArray<View> = [...LISTS, ...PAGERS]

export interface CommandInfo {
  readonly description: string
  /** Views where the command applies; prompts (input.*, confirm.*) have none. */
  readonly views: ReadonlyArray<View>
  /** Changes data: hidden with --readonly. */
  readonly verb?: boolean
}

export const commandInfo: { readonly [C in Command]: CommandInfo } = {
  [Command.Up]: { description: "move up", views: ALL },
  [Command.Down]: { description: "move down", views: ALL },
  [Command.Top]: { description: "first row", views: ALL },
  [Command.Bottom]: { description: "last row", views: ALL },
  [Command.PageUp]: { description: "a screen up", views: ALL },
  [Command.PageDown]: { description: "a screen down (past the last row: the next page)", views: ALL },
  [Command.Left]: { description: "scroll left", views: ["event"] },
  [Command.Right]: { description: "scroll right", views: ["event"] },
  [Command.Open]: { description: "open the row (an IoC: its other alerts; a case: the case; an asset: its SIEM document)", views: ["alerts", "alert", "cases", "case"] },
  [Command.Back]: { description: "back (or leave a mode, clear the filter)", views: ALL },
  [Command.NextItem]: { description: "next link (asset, IoC, case, alert)", views: ["alert", "case"] },
  [Command.PrevItem]: { description: "previous link", views: ["alert", "case"] },
  [Command.NextPage]: { description: "next page (keyset)", views: ["alerts", "cases"] },
  [Command.PrevPage]: { description: "previous page", views: ["alerts", "cases"] },
  [Command.CommandMode]: { description: "command: alerts|cases|jobs|alert N|case N|help|quit, with filters (Tab completes)", views: ALL },
  [Command.Filter]: { description: "filter: name, asset or IoC (the daemon's text filter); /!text hides matching rows of the loaded page only", views: ["alerts", "cases", "event"] },
  [Command.Help]: { description: "this help", views: ALL },
  [Command.Refresh]: { description: "refresh", views: ALL },
  [Command.Quit]: { description: "quit", views: ALL },
  [Command.Mark]: { description: "mark the row for bulk verbs", views: ["alerts"] },
  [Command.MarkAll]: { description: "mark every row of the page", views: ["alerts"] },
  [Command.ClearMarks]: { description: "clear the marks", views: ["alerts"] },
  [Command.Sort]: { description: "sort by a column (again: reverse)", views: ["alerts", "cases"] },
  [Command.SortReverse]: { description: "reverse the sort", views: ["alerts", "cases"] },
  [Command.ShowEvent]: { description: "the SIEM document (alerts/event) as JSON", views: ["alerts", "alert"] },
  [Command.SearchNext]: { description: "next match", views: ["event"] },
  [Command.SearchPrev]: { description: "previous match", views: ["event"] },
  [Command.AssignMe]: { description: "assign to me (marked rows, else the current one)", views: ["alerts", "alert", "cases", "case"], verb: true },
  [Command.AssignTo]: { description: "assign to… (a user; - unassigns)", views: ["alerts", "alert", "cases", "case"], verb: true },
  [Command.SetStatus]: { description: "set status", views: ["alerts", "alert", "cases", "case"], verb: true },
  [Command.ToggleEscalated]: { description: "toggle escalated", views: ["alerts", "alert", "cases", "case"], verb: true },
  [Command.AddTag]: { description: "add a tag", views: ["alerts", "alert"], verb: true },
  [Command.RemoveTag]: { description: "remove a tag", views: ["alerts", "alert"], verb: true },
  [Command.Comment]: { description: "comment", views: ["alerts", "alert", "cases", "case"], verb: true },
  [Command.NewCase]: { description: "new case from the marked alerts", views: ["alerts", "alert"], verb: true },
  [Command.LinkCase]: { description: "link to an existing case", views: ["alerts", "alert"], verb: true },
  [Command.RunJob]: { description: "run the job now", views: ["jobs"], verb: true },
  [Command.ToggleJob]: { description: "enable or disable the job", views: ["jobs"], verb: true },
  [Command.Submit]: { description: "accept the input", views: [] },
  [Command.Cancel]: { description: "cancel the input", views: [] },
  [Command.Complete]: { description: "complete (the highlighted suggestion)", views: [] },
  [Command.SuggestNext]: { description: "next suggestion", views: [] },
  [Command.SuggestPrev]: { description: "previous suggestion", views: [] },
  [Command.DeleteBack]: { description: "delete a character", views: [] },
  [Command.ClearInput]: { description: "clear the input", views: [] },
  [Command.DeleteWord]: { description: "delete a word", views: [] },
  [Command.Yes]: { description: "yes", views: [] },
  [Command.No]: { description: "no", views: [] }
}

/** Commands that apply in a view, in help order. */
export const commandsOf = (view: View, readonly: boolean): ReadonlyArray<Command> =>
  (Object.keys(commandInfo) as Array<Command>).filter((c) => commandInfo[c].views.includes(view) && !(readonly && commandInfo[c].verb))

/** The key as a user types it in keys.json and reads it in help: "j", "ctrl+f", "shift+tab". */
export const formatBinding = (b: KeyBinding): string =>
  [b.ctrl ? "ctrl" : undefined, b.meta ? "alt" : undefined, b.shift ? "shift" : undefined, b.key].filter(Boolean).join("+")
