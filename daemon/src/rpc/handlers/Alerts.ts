import { Effect } from "effect"
import { Alerts as Methods, type ResultOf } from "@sockeye/protocol"
import { Alerts } from "../../domain/alerts/Alerts.js"
import { Encoded } from "../Encoded.js"
import { handle, type Handler } from "../Handler.js"

export const alertsHandlers: ReadonlyArray<Handler> = [
  handle(Methods.AlertsList, (p) =>
    Effect.map(Effect.flatMap(Alerts, (a) => a.list(p)), ({ itemsJson, nextCursor }) =>
      new Encoded<ResultOf<typeof Methods.AlertsList>>(`{"items":`, itemsJson, `,"nextCursor":${JSON.stringify(nextCursor)}}`))),
  handle(Methods.AlertsCount, (p) => Effect.flatMap(Alerts, (a) => a.count(p))),
  handle(Methods.AlertsGet, (p) => Effect.flatMap(Alerts, (a) => a.get(p.id))),
  handle(Methods.AlertsCreate, (p) => Effect.flatMap(Alerts, (a) => a.create(p))),
  handle(Methods.AlertsUpdate, (p) => Effect.flatMap(Alerts, (a) => a.update(p))),
  handle(Methods.AlertsCommentsAdd, (p) => Effect.flatMap(Alerts, (a) => a.addComment(p))),
  handle(Methods.AlertsCommentsAddMany, (p) => Effect.flatMap(Alerts, (a) => a.addComments(p))),
  handle(Methods.AlertsTagsAdd, (p) => Effect.flatMap(Alerts, (a) => a.addTag(p))),
  handle(Methods.AlertsTagsRemove, (p) => Effect.flatMap(Alerts, (a) => a.removeTag(p))),
  handle(Methods.AlertsIocsAdd, (p) => Effect.flatMap(Alerts, (a) => a.addIoc(p))),
  handle(Methods.AlertsIocsRemove, (p) => Effect.flatMap(Alerts, (a) => a.removeIoc(p))),
  handle(Methods.AlertsDelete, (p) => Effect.flatMap(Alerts, (a) => a.remove(p)))
]
