/**
 * Round trips of a trivial method (`auth/whoami`) against the real daemon and against a bare
 * vscode-jsonrpc server (echoServer.ts, the floor), over stdio, a unix socket and TCP:
 * sequential (one at a time) and pipelined (100 in flight).
 */
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import type { Readable, Writable } from "node:stream"
import { fileURLToPath } from "node:url"
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node"
import type { BenchContext, BenchModule, Table } from "./index.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const DAEMON = path.resolve(here, "../../bin/sockeyed.js")
const ECHO = path.join(here, "echoServer.js")
const METHOD = "auth/whoami"
const SEQ_WARMUP = 500
const SEQ_N = 5000
const PIPE_WARMUP = 2000
const PIPE_N = 20000
const DEPTH = 100
/** Each measurement runs this many times on the connection; the table shows the median. */
const ROUNDS = 3

type Kind = "daemon" | "floor"
type Transport = "stdio" | "socket" | "tcp"

interface Server {
  readonly child: ChildProcess
  readonly socketPath: string
  readonly tcp: { readonly host: string; readonly port: number }
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. */
const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000)
    child.once("exit", () => { clearTimeout(kill); resolve() })
    child.kill("SIGTERM")
  })

const start = (context: BenchContext, kind: Kind, args: ReadonlyArray<string>, stdin: "pipe" | "ignore"): ChildProcess => {
  const profile = process.env["SOCKEYE_BENCH_PROFILE"]
  const child = spawn(process.execPath, [
    ...(profile ? ["--cpu-prof", "--cpu-prof-dir", profile] : []),
    kind === "daemon" ? DAEMON : ECHO,
    ...args
  ], {
    env: { ...process.env, SOCKEYE_DATABASE_URL: context.databaseUrl, SOCKEYE_ADMIN_PASSWORD: context.adminPassword },
    stdio: [stdin, "pipe", "pipe"]
  })
  context.defer(() => stop(child))
  if (profile) context.log(`${kind} ${args.join(" ")}: pid ${child.pid}, profile in ${profile}`)
  return child
}

/** Keeps the last 16 KiB of a child's stderr (and keeps the pipe drained). */
const tail = (child: ChildProcess) => {
  let text = ""
  child.stderr?.on("data", (chunk: Buffer) => { text = (text + chunk.toString("utf8")).slice(-16384) })
  return () => text
}

/** Starts a server on a fresh unix socket and 127.0.0.1:0; resolves once both listen. */
const listening = (context: BenchContext, kind: Kind, dir: string): Promise<Server> =>
  new Promise((resolve, reject) => {
    const socketPath = path.join(dir, kind, "s.sock")
    fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 })
    const child = start(context, kind, ["--socket", socketPath, "--listen", "127.0.0.1:0"], "ignore")
    const log = tail(child)
    const timer = setTimeout(() => reject(new Error(`${kind} did not start:\n${log()}`)), 120_000)
    child.stderr?.on("data", () => {
      const tcp = /listening on tcp ([\d.]+):(\d+)/.exec(log())
      if (tcp && log().includes("listening on unix socket")) {
        clearTimeout(timer)
        resolve({ child, socketPath, tcp: { host: tcp[1]!, port: Number(tcp[2]) } })
      }
    })
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`${kind} exited with ${code}:\n${log()}`)) })
  })

interface Link { readonly input: Readable; readonly output: Writable; readonly close: () => Promise<void>; readonly pid: number }

const netLink = (server: Server, socket: net.Socket): Promise<Link> =>
  new Promise((resolve, reject) => {
    socket.once("error", reject)
    socket.once("connect", () => {
      socket.on("error", () => undefined)
      resolve({ input: socket, output: socket, pid: server.child.pid!, close: async () => { socket.destroy() } })
    })
  })

const open = (context: BenchContext, kind: Kind, transport: Transport, server: Server): Promise<Link> => {
  if (transport === "socket") return netLink(server, net.connect(server.socketPath))
  if (transport === "tcp") {
    const socket = net.connect(server.tcp)
    socket.setNoDelay(true)
    return netLink(server, socket)
  }
  const child = start(context, kind, ["--stdio"], "pipe")
  tail(child)
  return Promise.resolve({ input: child.stdout!, output: child.stdin!, pid: child.pid!, close: () => stop(child) })
}

const initialize = (connection: MessageConnection, password: string) => connection.sendRequest("initialize",
  { protocolVersion: "1", clientInfo: { name: "sockeye-bench" }, credentials: { username: "admin", password } })

interface Measure { readonly rps: number; readonly p50?: number; readonly p99?: number; readonly cpuUsPerReq: number }

/** utime + stime of a process, in µs. */
const cpuUs = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6
}

const sequential = async (connection: MessageConnection, pid: number): Promise<Measure> => {
  for (let i = 0; i < SEQ_WARMUP; i++) await connection.sendRequest(METHOD, {})
  const latencies = new Float64Array(SEQ_N)
  const cpu0 = cpuUs(pid)
  const t0 = performance.now()
  for (let i = 0; i < SEQ_N; i++) {
    const t = performance.now()
    await connection.sendRequest(METHOD, {})
    latencies[i] = performance.now() - t
  }
  const elapsed = performance.now() - t0
  const cpu = cpuUs(pid) - cpu0
  latencies.sort()
  return { rps: (SEQ_N / elapsed) * 1000, p50: latencies[Math.floor(SEQ_N * 0.5)]!, p99: latencies[Math.floor(SEQ_N * 0.99)]!, cpuUsPerReq: cpu / SEQ_N }
}

const pipelined = async (connection: MessageConnection, pid: number): Promise<Measure> => {
  const burst = async (n: number) => {
    let sent = 0
    const worker = async () => {
      while (sent < n) {
        sent++
        await connection.sendRequest(METHOD, {})
      }
    }
    await Promise.all(Array.from({ length: DEPTH }, worker))
  }
  await burst(PIPE_WARMUP)
  const cpu0 = cpuUs(pid)
  const t0 = performance.now()
  await burst(PIPE_N)
  const elapsed = performance.now() - t0
  return { rps: (PIPE_N / elapsed) * 1000, cpuUsPerReq: (cpuUs(pid) - cpu0) / PIPE_N }
}

const measure = async (context: BenchContext, kind: Kind, transport: Transport, server: Server) => {
  const link = await open(context, kind, transport, server)
  const connection = createMessageConnection(new StreamMessageReader(link.input), new StreamMessageWriter(link.output))
  connection.listen()
  try {
    await initialize(connection, context.adminPassword)
    const me = await connection.sendRequest(METHOD, {}) as { username?: string }
    if (me.username !== "admin") throw new Error(`${kind} ${transport}: ${METHOD} answered ${JSON.stringify(me)}`)
    const seqs: Array<Measure> = []
    const pipes: Array<Measure> = []
    for (let round = 0; round < ROUNDS; round++) {
      seqs.push(await sequential(connection, link.pid))
      pipes.push(await pipelined(connection, link.pid))
    }
    const seq = median(seqs)
    const pipe = median(pipes)
    const rates = (ms: ReadonlyArray<Measure>) => ms.map((m) => m.rps.toFixed(0)).join(" / ")
    context.log(`${kind} ${transport}: ${rates(seqs)} req/s sequential, ${rates(pipes)} req/s pipelined`)
    return { seq, pipe, status: transport === "stdio" ? memory(link.pid) : undefined }
  } finally {
    connection.dispose()
    await link.close()
  }
}

const middle = (values: ReadonlyArray<number | undefined>) => {
  const defined = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b)
  return defined[Math.floor(defined.length / 2)]
}

/** Each figure's median over the rounds. */
const median = (rounds: ReadonlyArray<Measure>): Measure => {
  const [p50, p99] = [middle(rounds.map((r) => r.p50)), middle(rounds.map((r) => r.p99))]
  const latency = p50 === undefined || p99 === undefined ? {} : { p50, p99 }
  return { rps: middle(rounds.map((r) => r.rps))!, cpuUsPerReq: middle(rounds.map((r) => r.cpuUsPerReq))!, ...latency }
}

const memory = (pid: number) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s*(\\d+) kB`, "m").exec(status)?.[1] ?? NaN)
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 }
}

const num = (n: number | undefined, digits = 0) => n === undefined ? "–" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

const run = async (context: BenchContext): Promise<ReadonlyArray<Table>> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-bench-rpc-"))
  context.defer(() => fs.rmSync(dir, { recursive: true, force: true }))
  context.log("starting the daemon and the echo server")
  const servers = { daemon: await listening(context, "daemon", dir), floor: await listening(context, "floor", dir) }
  try {
    const rows: Array<Array<string>> = []
    const mem: Array<Array<string>> = []
    for (const transport of ["stdio", "socket", "tcp"] as const) {
      const daemon = await measure(context, "daemon", transport, servers.daemon)
      const floor = await measure(context, "floor", transport, servers.floor)
      for (const mode of ["seq", "pipe"] as const) {
        const d = daemon[mode]
        const f = floor[mode]
        rows.push([transport, mode === "seq" ? "sequential" : `${DEPTH} in flight`, num(d.rps), num(f.rps), `${num(f.rps / d.rps, 1)}x`,
          num(d.p50, 3), num(d.p99, 3), num(f.p50, 3), num(f.p99, 3), num(d.cpuUsPerReq), num(f.cpuUsPerReq)])
      }
      if (daemon.status) mem.push(["daemon (--stdio), after its run", num(daemon.status.rss, 1), num(daemon.status.peak, 1)])
      if (floor.status) mem.push(["floor (--stdio), after its run", num(floor.status.rss, 1), num(floor.status.peak, 1)])
    }
    const d = memory(servers.daemon.child.pid!)
    const f = memory(servers.floor.child.pid!)
    mem.push(["daemon (--socket + --listen), after all runs", num(d.rss, 1), num(d.peak, 1)])
    mem.push(["floor (--socket + --listen), after all runs", num(f.rss, 1), num(f.peak, 1)])
    return [
      {
        title: `${METHOD} round trips (sequential: ${SEQ_N} after ${SEQ_WARMUP} warm-up; pipelined: ${PIPE_N} after ${PIPE_WARMUP}, ${DEPTH} outstanding; median of ${ROUNDS} rounds)`,
        header: ["transport", "mode", "daemon req/s", "floor req/s", "floor/daemon", "daemon p50 ms", "daemon p99 ms",
          "floor p50 ms", "floor p99 ms", "daemon CPU µs/req", "floor CPU µs/req"],
        rows,
        notes: ["CPU µs/req: the server process's user+system time over the timed part, per request (clock ticks of 10 ms)."]
      },
      { title: "Server memory (from /proc/PID/status)", header: ["process", "VmRSS MiB", "VmHWM (peak) MiB"], rows: mem }
    ]
  } finally {
    await Promise.all([stop(servers.daemon.child), stop(servers.floor.child)])
  }
}

export const rpc: BenchModule = {
  name: "rpc",
  description: `${METHOD} round trips over stdio, unix socket and TCP, daemon vs a bare vscode-jsonrpc server`,
  run
}
