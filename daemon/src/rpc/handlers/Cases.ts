import { Effect } from "effect"
import { Cases as Api } from "@sockeye/protocol"
import { Cases } from "../../domain/cases/Cases.js"
import { handle, type Handler } from "../Handler.js"

export const casesHandlers: ReadonlyArray<Handler> = [
  handle(Api.CasesList, (p) => Effect.flatMap(Cases, (c) => c.list(p))),
  handle(Api.CasesGet, (p) => Effect.flatMap(Cases, (c) => c.get(p.id))),
  handle(Api.CasesCreate, (p) => Effect.flatMap(Cases, (c) => c.create(p))),
  handle(Api.CasesUpdate, (p) => Effect.flatMap(Cases, (c) => c.update(p))),
  handle(Api.CasesAlertsLink, (p) => Effect.flatMap(Cases, (c) => c.linkAlerts(p))),
  handle(Api.CasesAlertsUnlink, (p) => Effect.flatMap(Cases, (c) => c.unlinkAlerts(p))),
  handle(Api.CasesCommentsAdd, (p) => Effect.flatMap(Cases, (c) => c.addComment(p)))
]
