import * as vscode from "vscode"
import type { AlertNode } from "../logic/alertTree.js"
import { STATUSES, STATUS_LABEL } from "../logic/alertTree.js"
import type { CaseNode } from "../logic/caseTree.js"
import { COMMANDS, type CommandId } from "../logic/contributions.js"
import { SECRET_KEY } from "../logic/credentials.js"
import * as flows from "../logic/flows.js"
import type { Session } from "../logic/session.js"
import { errorText, uriOf } from "./documents.js"
import { alertSummaries, subjectOf } from "./subjects.js"
import type { AlertsProvider, AnyNode, CasesProvider } from "./trees.js"

/** What the commands work with; extension.ts builds it. */
export interface CommandContext {
  readonly session: Session
  readonly secrets: vscode.SecretStorage
  readonly alerts: AlertsProvider
  readonly cases: CasesProvider
  readonly alertsView: vscode.TreeView<AlertNode>
  readonly casesView: vscode.TreeView<CaseNode>
  /** Connects with the current settings and stored credentials. */
  readonly connect: () => Promise<void>
  /** Forget loaded pages and re-read every view and the status bar. */
  readonly refreshAll: () => void
}

type Handler = (clicked?: unknown, selected?: unknown) => Promise<void>

const info = (text: string) => void vscode.window.showInformationMessage(`Sockeye: ${text}`)
const fail = (error: unknown) => void vscode.window.showErrorMessage(`Sockeye: ${errorText(error)}`)

const open = async (uri: vscode.Uri) => {
  const document = await vscode.workspace.openTextDocument(uri)
  await vscode.window.showTextDocument(document, { preview: true })
}

const askId = async (what: string) => {
  const text = await vscode.window.showInputBox({ prompt: `${what} id`, validateInput: (v) => (/^[1-9]\d{0,9}$/.test(v.trim()) ? undefined : "a positive whole number") })
  return text === undefined ? undefined : Number(text.trim())
}

/** The handlers, one per command of the table: the Record type makes a missing or extra one a type error. */
export const commandHandlers = (ctx: CommandContext): Record<CommandId, Handler> => {
  const client = () => ctx.session.require()
  const subject = (clicked: unknown, selected: unknown) => {
    const s = subjectOf(clicked, selected, { alerts: ctx.alertsView.selection, cases: ctx.casesView.selection })
    if (!s) throw new Error("select alerts or cases in the Sockeye views, or open one")
    return s
  }
  const alertsOnly = (clicked: unknown, selected: unknown) => {
    const s = subject(clicked, selected)
    if (s.kind !== "alert") throw new Error("this command takes alerts")
    return s.ids
  }
  const andRefresh = async (message: Promise<string>) => {
    info(await message)
    ctx.refreshAll()
  }

  return {
    "sockeye.connect": async () => {
      await ctx.connect()
      const state = ctx.session.state
      if (state.kind === "connected") info(`connected as ${state.user.username} over ${state.transport}`)
    },
    "sockeye.disconnect": async () => {
      await ctx.session.disconnect()
      ctx.refreshAll()
    },
    "sockeye.login": async () => {
      const how = await vscode.window.showQuickPick(["Username and password", "API token"], { placeHolder: "Log in to Sockeye with" })
      if (!how) return
      let secret: object
      if (how === "API token") {
        const token = await vscode.window.showInputBox({ prompt: "Sockeye API token (auth/tokens/create)", password: true, ignoreFocusOut: true })
        if (!token) return
        secret = { token: token.trim() }
      } else {
        const username = await vscode.window.showInputBox({ prompt: "Sockeye username", ignoreFocusOut: true })
        if (!username) return
        const password = await vscode.window.showInputBox({ prompt: `Password for ${username}`, password: true, ignoreFocusOut: true })
        if (password === undefined) return
        secret = { username: username.trim(), password }
      }
      await ctx.secrets.store(SECRET_KEY, JSON.stringify(secret))
      await vscode.commands.executeCommand("sockeye.connect")
    },
    "sockeye.logout": async () => {
      await ctx.secrets.delete(SECRET_KEY)
      await ctx.session.disconnect()
      ctx.refreshAll()
      info("stored credentials removed")
    },
    "sockeye.refresh": async () => ctx.refreshAll(),
    "sockeye.openAlert": async (clicked) => {
      const id = (clicked as AnyNode | undefined)?.kind === "alert" ? (clicked as Extract<AnyNode, { kind: "alert" }>).alert.id : await askId("Alert")
      if (id !== undefined) await open(uriOf({ kind: "alert", id }))
    },
    "sockeye.openCase": async (clicked) => {
      const id = (clicked as AnyNode | undefined)?.kind === "case" ? (clicked as Extract<AnyNode, { kind: "case" }>).case.id : await askId("Case")
      if (id !== undefined) await open(uriOf({ kind: "case", id }))
    },
    "sockeye.openSiemDocument": async (clicked, selected) => {
      const [alertId] = alertsOnly(clicked, selected)
      await open(uriOf({ kind: "siem", alertId: alertId! }))
    },
    "sockeye.assignToMe": async (clicked, selected) => andRefresh(flows.assignToMe(client(), subject(clicked, selected))),
    "sockeye.setStatus": async (clicked, selected) => {
      const s = subject(clicked, selected)
      const picked = await vscode.window.showQuickPick(STATUSES.map((status) => ({ label: STATUS_LABEL[status], status })), { placeHolder: `Status of ${flows.describe(s)}` })
      if (picked) await andRefresh(flows.setStatus(client(), s, picked.status))
    },
    "sockeye.escalate": async (clicked, selected) => andRefresh(flows.escalate(client(), subject(clicked, selected))),
    "sockeye.addTag": async (clicked, selected) => {
      const ids = alertsOnly(clicked, selected)
      const tag = await vscode.window.showInputBox({ prompt: `Tag for ${flows.describe({ kind: "alert", ids })} (a new name creates the tag)` })
      if (tag?.trim()) await andRefresh(flows.addTag(client(), ids, tag))
    },
    "sockeye.comment": async (clicked, selected) => {
      const s = subject(clicked, selected)
      const text = await vscode.window.showInputBox({ prompt: `Comment on ${flows.describe(s)}`, ignoreFocusOut: true })
      if (text?.trim()) await andRefresh(flows.comment(client(), s, text))
    },
    "sockeye.createCase": async (clicked, selected) => {
      const ids = alertsOnly(clicked, selected)
      const name = await vscode.window.showInputBox({ prompt: `Name of the new case for ${flows.describe({ kind: "alert", ids })}`, ignoreFocusOut: true })
      if (!name?.trim()) return
      const description = await vscode.window.showInputBox({ prompt: "Description", ignoreFocusOut: true })
      if (description === undefined) return
      const known = alertSummaries(Array.isArray(selected) ? selected : clicked ? [clicked as AnyNode] : [])
      const alerts = known.length === ids.length ? known : await flows.alertsOf(client(), ids)
      const created = await flows.createCase(client(), alerts, name.trim(), description)
      info(`created case #${created.id} with ${ids.length} alert(s)`)
      ctx.refreshAll()
      await open(uriOf({ kind: "case", id: created.id }))
    },
    "sockeye.linkToCase": async (clicked, selected) => {
      const ids = alertsOnly(clicked, selected)
      const cases = await flows.linkableCases(client())
      const picked = await vscode.window.showQuickPick(
        cases.map((c) => ({ label: `#${c.id} ${c.name}`, description: [c.status, c.customerCode ?? "", c.assignedTo ?? ""].filter(Boolean).join(" · "), id: c.id })),
        { placeHolder: cases.length > 0 ? `Link ${flows.describe({ kind: "alert", ids })} to` : "No open cases" }
      )
      if (picked) await andRefresh(flows.linkToCase(client(), picked.id, ids))
    },
    "sockeye.loadMore": async (clicked) => {
      const node = clicked as AnyNode | undefined
      if (node?.kind !== "more") return
      if (node.key === "more:cases") {
        await ctx.cases.tree.loadMore()
        ctx.cases.refresh()
      } else {
        await ctx.alerts.tree.loadMore((node as Extract<AlertNode, { kind: "more" }>).group)
        ctx.alerts.refresh()
      }
    }
  }
}

/** Registers every command of the table; a failure shows the daemon's error instead of a stack. */
export const registerCommands = (ctx: CommandContext): Array<vscode.Disposable> => {
  const handlers = commandHandlers(ctx)
  return COMMANDS.map(({ id }) => vscode.commands.registerCommand(id, async (clicked?: unknown, selected?: unknown) => {
    try {
      await handlers[id](clicked, selected)
    } catch (error) {
      fail(error)
    }
  }))
}
