import { Schema } from "effect"
import { mutation, query } from "../Method.js"
import { Id, NoParams } from "../model/common.js"
import { Tag, TagText } from "../model/Incident.js"

export const TagsList = query({
  method: "tags/list",
  description: "Every tag with its id.",
  params: NoParams,
  result: Schema.Array(Tag)
})

export const TagsCreate = mutation({
  method: "tags/create",
  description: "Create a tag; tag names are unique (-32009 if it exists).",
  params: Schema.Struct({ tag: TagText }),
  result: Tag
})

export const TagsDelete = mutation({
  method: "tags/delete",
  description: "Delete a tag with its alert links and grants (admin).",
  params: Schema.Struct({ id: Id }),
  result: Schema.Struct({ deleted: Schema.Array(Id) }),
  audience: "admin",
  destructive: true,
  idempotent: true
})

export const UntaggedAlertBehavior = Schema.Literal("visible_to_all", "admin_only", "default_tag")

export const RbacSettings = Schema.Struct({
  /** Tag RBAC on: analysts and customer users see only alerts carrying a tag granted to them. */
  enabled: Schema.Boolean,
  /** What restricted users see of alerts with no tag. */
  untaggedAlertBehavior: UntaggedAlertBehavior,
  /** With default_tag: untagged alerts are visible to those granted this tag. */
  defaultTagId: Schema.NullOr(Id)
}).annotations({ identifier: "RbacSettings" })

export const RbacSettingsGet = query({
  method: "rbac/settings/get",
  description: "The tag RBAC settings (off when never set).",
  params: NoParams,
  result: RbacSettings
})

export const RbacSettingsSet = mutation({
  method: "rbac/settings/set",
  description: "Change the tag RBAC settings (admin); default_tag needs a defaultTagId.",
  params: RbacSettings,
  result: RbacSettings,
  audience: "admin",
  idempotent: true
})

export const Grant = Schema.Struct({
  userId: Schema.NullOr(Id),
  roleId: Schema.NullOr(Id),
  tagId: Id,
  tag: Schema.String
}).annotations({ identifier: "Grant" })

export const RbacGrantsList = query({
  method: "rbac/grants/list",
  description: "Tag grants of a user (user_tag_access) or a role (role_tag_access), or all of them (admin).",
  params: Schema.Struct({ userId: Schema.optional(Id), roleId: Schema.optional(Id) }).pipe(
    Schema.filter((p) => p.userId === undefined || p.roleId === undefined || "give at most one of userId and roleId")
  ),
  result: Schema.Array(Grant),
  audience: "admin"
})

export const RbacGrantsSet = mutation({
  method: "rbac/grants/set",
  description: "Replace the tags granted to one user or one role (admin).",
  params: Schema.Struct({
    userId: Schema.optional(Id),
    roleId: Schema.optional(Id),
    tagIds: Schema.Array(Id).pipe(Schema.maxItems(10_000))
  }).pipe(Schema.filter((p) => (p.userId === undefined) !== (p.roleId === undefined) || "give exactly one of userId and roleId")),
  result: Schema.Array(Grant),
  audience: "admin",
  idempotent: true
})

export const RbacExplain = query({
  method: "rbac/explain",
  description: "Whether a user may see an alert, and which rule decided it (admin).",
  params: Schema.Struct({ userId: Id, alertId: Id }),
  result: Schema.Struct({ visible: Schema.Boolean, reasons: Schema.Array(Schema.String) }),
  audience: "admin"
})
