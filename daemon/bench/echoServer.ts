/**
 * The floor for the RPC benchmark: a bare vscode-jsonrpc server that answers `auth/whoami` with a
 * constant user, with no Effect, no schemas and no database. Runs as a child process:
 *
 *   node daemon/dist/bench/echoServer.js --stdio | --socket PATH | --listen HOST:PORT
 *
 * `--socket` and `--listen` may be given together; like sockeyed it prints
 * "listening on unix socket PATH" / "listening on tcp HOST:PORT" on stderr.
 */
import * as fs from "node:fs"
import * as net from "node:net"
import type { Readable, Writable } from "node:stream"
import { parseArgs } from "node:util"
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node"

const USER = { id: 1, username: "admin", email: "admin@localhost", role: "admin" } as const

const serve = (input: Readable, output: Writable, onExit: () => void) => {
  const connection = createMessageConnection(new StreamMessageReader(input), new StreamMessageWriter(output))
  connection.onRequest("initialize", () => ({ protocolVersion: "1", serverInfo: { name: "echo", version: "0" }, user: USER }))
  connection.onRequest("auth/whoami", () => USER)
  connection.onRequest("shutdown", () => null)
  connection.onNotification("exit", onExit)
  connection.onClose(onExit)
  connection.listen()
}

const { values } = parseArgs({
  options: { stdio: { type: "boolean" }, socket: { type: "string" }, listen: { type: "string" } }
})

if (values.stdio) serve(process.stdin, process.stdout, () => process.exit(0))

const servers: Array<net.Server> = []
const accept = (noDelay: boolean) =>
  net.createServer((socket) => {
    if (noDelay) socket.setNoDelay(true)
    socket.on("error", () => undefined)
    serve(socket, socket, () => socket.destroy())
  })

if (values.socket !== undefined) {
  const socketPath = values.socket
  fs.rmSync(socketPath, { force: true })
  const server = accept(false)
  servers.push(server)
  server.listen(socketPath, () => process.stderr.write(`echo: listening on unix socket ${socketPath}\n`))
}

if (values.listen !== undefined) {
  const match = /^(.*):(\d{1,5})$/.exec(values.listen)
  if (!match) throw new Error(`--listen takes HOST:PORT, got ${values.listen}`)
  const server = accept(true)
  servers.push(server)
  server.listen(Number(match[2]), match[1] || "127.0.0.1", () => {
    const a = server.address() as net.AddressInfo
    process.stderr.write(`echo: listening on tcp ${a.address}:${a.port}\n`)
  })
}

if (!values.stdio && servers.length === 0) {
  process.stderr.write("usage: echoServer.js --stdio | --socket PATH | --listen HOST:PORT\n")
  process.exit(2)
}

process.on("SIGTERM", () => {
  for (const server of servers) server.close()
  if (values.socket !== undefined) fs.rmSync(values.socket, { force: true })
  process.exit(0)
})
