import * as vscode from "vscode"
import type { AlertTree } from "../logic/alertTree.js"
import type { CaseTree } from "../logic/caseTree.js"
import { SCHEME } from "../logic/documentPath.js"
import type { SessionEvents } from "../logic/session.js"
import type { SockeyeFileSystem } from "./documents.js"
import type { StatusBar } from "./statusBar.js"
import type { AlertsProvider, CasesProvider, JobsProvider } from "./trees.js"

export interface LiveTargets {
  readonly alertTree: AlertTree
  readonly caseTree: CaseTree
  readonly alerts: AlertsProvider
  readonly cases: CasesProvider
  readonly jobs: JobsProvider
  readonly fs: SockeyeFileSystem
  readonly statusBar: StatusBar
  readonly refreshAll: () => void
}

/** The open sockeye: documents, for reloading them on a change. */
const openSockeyePaths = () =>
  vscode.workspace.textDocuments.filter((d) => d.uri.scheme === SCHEME).map((d) => d.uri.path)

/**
 * How the daemon's notifications reach the editor. The alert tree keeps its pages and refetches
 * only the groups a change touches, one change at a time (they would otherwise interleave their
 * reads); open documents the change names reload; jobs/changed, which comes in bursts during a
 * run, refreshes the Jobs view at most every 250 ms.
 */
export const liveUpdates = (t: LiveTargets): { events: SessionEvents; dispose: () => void } => {
  let alertChanges: Promise<unknown> = Promise.resolve()
  let jobsTimer: ReturnType<typeof setTimeout> | undefined
  const events: SessionEvents = {
    // A new connection may be another user: nothing loaded before holds.
    onState: () => t.refreshAll(),
    onAlertsChanged: (change) => {
      alertChanges = alertChanges
        .then(() => t.alertTree.applyChange(change))
        .catch(() => t.alertTree.clear())
        .then(() => {
          t.alerts.refresh()
          void t.statusBar.update()
        })
      t.fs.changedRefs("alert", change.ids, openSockeyePaths())
      // An alert's change shows in the cases holding it (alert counts, the case document's list).
      t.caseTree.invalidate()
      t.cases.refresh()
    },
    onCasesChanged: (change) => {
      t.caseTree.invalidate()
      t.cases.refresh()
      t.fs.changedRefs("case", change.ids, openSockeyePaths())
    },
    onJobsChanged: () => {
      if (jobsTimer) return
      jobsTimer = setTimeout(() => {
        jobsTimer = undefined
        t.jobs.refresh()
      }, 250)
    }
  }
  return { events, dispose: () => clearTimeout(jobsTimer) }
}
