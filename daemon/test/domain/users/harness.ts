import { afterAll, beforeAll, expect } from "vitest"
import { connect, type DaemonClient } from "@sockeye/client"
import { codeOf, type RpcError } from "@sockeye/protocol"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { ADMIN_PASSWORD, startDaemon, type RunningDaemon } from "../../fixtures/Daemon.js"
import { openSocket, type RawConnection, type WireMessage } from "../../fixtures/RawFrames.js"

export interface Harness {
  readonly url: string
  readonly daemon: RunningDaemon
  /** Signed in as the bootstrap admin. */
  readonly admin: DaemonClient
  readonly adminId: number
}

/**
 * One database and one daemon for the test file, with an admin client. Every client the file
 * opens through `track` is closed at the end.
 */
export const useDaemon = (label: string) => {
  const state: { db?: Awaited<ReturnType<typeof createTestDatabase>>; daemon?: RunningDaemon; admin?: DaemonClient; adminId?: number } = {}
  const clients: Array<DaemonClient | RawConnection> = []
  beforeAll(async () => {
    state.db = await createTestDatabase(label)
    state.daemon = await startDaemon({ databaseUrl: state.db.url })
    state.admin = await connect({ kind: "socket", path: state.daemon.socketPath! }, {
      clientInfo: { name: `${label}-admin` },
      credentials: { username: "admin", password: ADMIN_PASSWORD }
    })
    state.adminId = state.admin.user!.id
  })
  afterAll(async () => {
    for (const c of clients) await c.close()
    await state.admin?.close()
    await state.daemon?.stop()
    await state.db?.drop()
  })
  const harness = {
    get url() { return state.db!.url },
    get daemon() { return state.daemon! },
    get admin() { return state.admin! },
    get adminId() { return state.adminId! }
  } satisfies Harness
  const track = <C extends DaemonClient | RawConnection>(client: C): C => {
    clients.push(client)
    return client
  }
  return { harness, track }
}

/** The tagged error a call rejected with, checked to carry `code`. */
export const rejection = async (promise: Promise<unknown>, code: number): Promise<RpcError & { message: string }> => {
  const error = await promise.then(
    (value) => { throw new Error(`expected error ${code}, got ${JSON.stringify(value)}`) },
    (e: unknown) => e as RpcError
  )
  expect(codeOf(error), `${(error as { message?: string }).message}`).toBe(code)
  return error as RpcError & { message: string }
}

/** A raw socket connection signed in as `username`: sends params the typed client would refuse to encode. */
export const rawAs = async (daemon: RunningDaemon, username: string, password: string) => {
  const conn = await openSocket(daemon.socketPath!)
  const init = await conn.request("initialize", {
    protocolVersion: "1", clientInfo: { name: "raw-test" }, credentials: { username, password }
  })
  expect(init.error).toBeUndefined()
  return conn
}

/** The wire error of a raw request (fails the test if it succeeded). */
export const rawError = async (conn: RawConnection, method: string, params: unknown): Promise<NonNullable<WireMessage["error"]>> => {
  const answer = await conn.request(method, params)
  expect(answer.error, `${method} ${JSON.stringify(params)} answered ${JSON.stringify(answer.result)}`).toBeDefined()
  return answer.error!
}

/** log_entries rows written by mutations since `afterId`, oldest first. */
export const auditSince = async (url: string, afterId: number) =>
  query<{ id: number; route: string; message: string; userId: number | null; eventType: string }>(url,
    `select id, route, message, user_id as "userId", event_type as "eventType" from log_entries where id > $1 order by id`, [afterId])

export const lastAuditId = async (url: string) =>
  (await query<{ id: number | null }>(url, "select max(id) as id from log_entries"))[0]!.id ?? 0
