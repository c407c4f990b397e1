import { ConnectionStore } from "../contexts/ClientContext.js"
import { connectClient } from "../../../daemon/test/fixtures/Soc.js"
import type { RunningDaemon } from "../../../daemon/test/fixtures/Daemon.js"

export * from "../../../daemon/test/fixtures/Soc.js"

/** A session as the UI opens it: the client, and the store that follows its connection state. */
export const connectUi = async (daemon: RunningDaemon, username = "alice", password = "password1") => {
  const connection = new ConnectionStore()
  const client = await connectClient(daemon, username, password, connection.update)
  return { client, connection }
}

