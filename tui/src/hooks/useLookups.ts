import { Ingest, Tags, Users } from "@sockeye/protocol"
import { useMemo } from "react"
import { useClient } from "../contexts/ClientContext.js"
import type { Lookups } from "../model/commandLine.js"
import { useDaemonQuery } from "./useDaemonQuery.js"

/**
 * Names for completion and for resolving `tag=network`: tags, customers, sources, and the users
 * alerts may be assigned to (users/assignees: writers only; a customer user has no verbs).
 */
export const useLookups = () => {
  const client = useClient()
  const tags = useDaemonQuery((c) => c.call(Tags.TagsList, {}), [])
  const customers = useDaemonQuery((c) => c.call(Users.CustomersList, {}), [])
  const writer = client.user?.role === "admin" || client.user?.role === "analyst"
  const users = useDaemonQuery((c) => c.call(Users.UsersAssignees, {}), [], { enabled: writer })
  const sources = useDaemonQuery((c) => c.call(Ingest.Sources, {}), [])
  const lookups = useMemo<Lookups>(() => ({
    tags: tags.data?.map((t) => t.tag) ?? [],
    customers: customers.data?.map((c) => c.customerCode) ?? [],
    users: users.data?.map((u) => u.username) ?? [],
    sources: sources.data ?? []
  }), [tags.data, customers.data, users.data, sources.data])
  return { lookups, tags: tags.data ?? [], refreshTags: tags.refresh }
}
