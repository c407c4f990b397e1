import { Ingest, Tags, Users } from "@sockeye/protocol"
import { useMemo } from "react"
import { useClient } from "../contexts/ClientContext.js"
import type { Lookups } from "../model/commandLine.js"
import { useDaemonQuery } from "./useDaemonQuery.js"

/**
 * Names for completion and for resolving `tag=network`: tags, customers, sources, and users
 * (users/list is admin-only: other roles type usernames without completion).
 */
export const useLookups = () => {
  const client = useClient()
  const tags = useDaemonQuery((c) => c.call(Tags.TagsList, {}), [])
  const customers = useDaemonQuery((c) => c.call(Users.CustomersList, {}), [])
  const users = useDaemonQuery((c) => c.call(Users.UsersList, {}), [], { enabled: client.user?.role === "admin" })
  const sources = useDaemonQuery((c) => c.call(Ingest.Sources, {}), [])
  const lookups = useMemo<Lookups>(() => ({
    tags: tags.data?.map((t) => t.tag) ?? [],
    customers: customers.data?.map((c) => c.customerCode) ?? [],
    users: users.data?.map((u) => u.username) ?? [],
    sources: sources.data ?? []
  }), [tags.data, customers.data, users.data, sources.data])
  return { lookups, tags: tags.data ?? [], refreshTags: tags.refresh }
}
