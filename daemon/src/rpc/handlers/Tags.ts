import { Effect } from "effect"
import { Tags as Methods } from "@sockeye/protocol"
import { Tags } from "../../domain/tags/Tags.js"
import { handle, type Handler } from "../Handler.js"

export const tagsHandlers: ReadonlyArray<Handler> = [
  handle(Methods.TagsList, () => Effect.flatMap(Tags, (t) => t.list())),
  handle(Methods.TagsCreate, (p) => Effect.flatMap(Tags, (t) => t.create(p.tag))),
  handle(Methods.TagsDelete, (p) => Effect.flatMap(Tags, (t) => t.remove(p.id))),
  handle(Methods.RbacSettingsGet, () => Effect.flatMap(Tags, (t) => t.settings())),
  handle(Methods.RbacSettingsSet, (p) => Effect.flatMap(Tags, (t) => t.setSettings(p))),
  handle(Methods.RbacGrantsList, (p) => Effect.flatMap(Tags, (t) => t.grants(p))),
  handle(Methods.RbacGrantsSet, ({ tagIds, ...subject }) => Effect.flatMap(Tags, (t) => t.setGrants(subject, tagIds))),
  handle(Methods.RbacExplain, (p) => Effect.flatMap(Tags, (t) => t.explain(p.userId, p.alertId)))
]
