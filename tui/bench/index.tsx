/**
 * `npm run bench -w tui`: the terminal UI against a warm daemon on the demo SOC.
 *
 *  1. Keypress to frame: the alerts table with 50 rows on screen (200x60), j/k through it; the
 *     time from the key on stdin to the changed rows written to the terminal, and Ink's own
 *     render time (layout and output) for that frame. Also at 80x24.
 *  2. Launch to first rows: from nothing to the first alert row on screen, in process (connect
 *     and render) and as a process in a real terminal (tmux), the daemon already running: once
 *     starting a tmux server and polling capture-pane, once typed into an open pane.
 *
 * The database is SOCKEYE_BENCH_DATABASE_URL, else a fresh one on SOCKEYE_TEST_DATABASE_URL's
 * server, else an embedded cluster (daemon/bench/database.ts). Figures go to stdout as markdown.
 */
import { connect, type DaemonClient } from "@sockeye/client"
import { Alerts } from "@sockeye/protocol"
import { execFileSync, spawn, type ChildProcess } from "node:child_process"
import { EventEmitter } from "node:events"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { render } from "ink"
import React from "react"
import { openDatabase } from "../../daemon/bench/database.js"
import { launchInOpenPane, launchInTmux } from "./launch.js"
import { App } from "../src/App.js"
import { ConnectionStore } from "../src/contexts/ClientContext.js"
import { Screen } from "../src/terminal/Screen.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const DAEMON = path.resolve(here, "../../daemon/bin/sockeyed.js")
const SOCKEYE = path.resolve(here, "../bin/sockeye.js")
const log = (line: string) => process.stderr.write(`${line}\n`)
const cleanups: Array<() => unknown> = []

const quantile = (xs: ReadonlyArray<number>, q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}
const ms = (x: number) => x.toFixed(2)

/** A terminal for Ink: size, a write sink, resize events. */
class FakeTty extends EventEmitter {
  isTTY = true
  constructor(public columns: number, public rows: number) { super() }
  write = () => true
}

/** What Ink reads keys from. */
class FakeStdin extends EventEmitter {
  isTTY = true
  private data: string | null = null
  write(data: string) {
    this.data = data
    this.emit("readable")
  }
  read = () => {
    const d = this.data
    this.data = null
    return d
  }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

/** Screen that also tells the bench when a frame went out and what it held. */
class TimedScreen extends Screen {
  last = ""
  private waiters: Array<(frame: string) => void> = []
  // Field order matters: this runs before `write` below replaces the parent's (an arrow property).
  private readonly draw = this.write
  override write = (frame: string): boolean => {
    const before = this.stats.frames
    const result = this.draw(frame)
    this.last = frame
    if (this.stats.frames !== before) for (const w of this.waiters.splice(0)) w(frame)
    return result
  }
  constructor(tty: FakeTty) {
    super(tty as unknown as NodeJS.WriteStream)
  }
  nextFrame = () => new Promise<string>((resolve) => this.waiters.push(resolve))
}

const startDaemon = async (databaseUrl: string): Promise<{ socket: string; child: ChildProcess }> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-tui-bench-"))
  fs.chmodSync(dir, 0o700)
  const socket = path.join(dir, "sockeyed.sock")
  const child = spawn(process.execPath, [DAEMON, "serve", "--demo", "--socket", socket], {
    env: { ...process.env, SOCKEYE_DATABASE_URL: databaseUrl, SOCKEYE_ADMIN_PASSWORD: "Bench-pass-1!", SOCKEYE_TRUST_LOCAL: "admin", SOCKEYE_LOG_LEVEL: "warning" },
    stdio: ["ignore", "ignore", "pipe"]
  })
  cleanups.push(() => child.kill("SIGTERM"), () => fs.rmSync(dir, { recursive: true, force: true }))
  let stderr = ""
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (c: Buffer) => {
      stderr += c.toString()
      if (stderr.includes("listening on unix socket")) resolve()
    })
    child.once("exit", (code) => reject(new Error(`sockeyed exited with ${code}:\n${stderr}`)))
  })
  return { socket, child }
}

const clientInfo = { name: "sockeye-bench", version: "0" }

/** Renders the app into a fake terminal of the given size; resolves once the table shows `rows` rows. */
const mountApp = async (client: DaemonClient, columns: number, rows: number, renderTimes: Array<number>) => {
  const tty = new FakeTty(columns, rows)
  const screen = new TimedScreen(tty)
  const stdin = new FakeStdin()
  const connection = new ConnectionStore()
  connection.update("connected")
  const instance = render(
    <App connect={async () => client} connection={connection} options={{ readonly: false }} />,
    { stdout: screen as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false,
      onRender: ({ renderTime }) => renderTimes.push(renderTime) }
  )
  while (!/^▸/m.test(screen.last)) await screen.nextFrame()
  return { screen, stdin, instance }
}

const keypressBench = async (client: DaemonClient, columns: number, rows: number, presses: number) => {
  const renderTimes: Array<number> = []
  const { screen, stdin, instance } = await mountApp(client, columns, rows, renderTimes)
  const visible = screen.last.split("\n").filter((l) => /^[▸ ] [● ] +\d+ /.test(l)).length
  const latencies: Array<number> = []
  const cpuTimes: Array<number> = []
  const inkTimes: Array<number> = []
  const rowsWritten: Array<number> = []
  for (let i = 0; i < presses; i++) {
    const key = Math.floor(i / (visible - 1)) % 2 === 0 ? "j" : "k"
    const rowsBefore = screen.stats.rows
    const n = renderTimes.length
    const frame = screen.nextFrame()
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    stdin.write(key)
    await frame
    latencies.push(performance.now() - t0)
    const cpu = process.cpuUsage(cpu0)
    cpuTimes.push((cpu.user + cpu.system) / 1000)
    inkTimes.push(renderTimes.slice(n).reduce((a, b) => a + b, 0))
    rowsWritten.push(screen.stats.rows - rowsBefore)
  }
  instance.unmount()
  return { visible, latencies, cpuTimes, inkTimes, rowsWritten }
}

const launchInProcess = async (socket: string) => {
  const t0 = performance.now()
  const client = await connect({ kind: "socket", path: socket }, { clientInfo })
  const { instance } = await mountApp(client, 120, 40, [])
  const elapsed = performance.now() - t0
  instance.unmount()
  await client.close()
  return elapsed
}

const main = async () => {
  const db = await openDatabase()
  cleanups.push(() => db.close())
  log(`database: ${db.source} (PostgreSQL ${db.serverVersion}); starting sockeyed serve --demo…`)
  const { socket } = await startDaemon(db.url)
  const client = await connect({ kind: "socket", path: socket }, { clientInfo })
  cleanups.push(() => client.close())
  // Warm: the daemon's first queries plan and cache.
  for (let i = 0; i < 20; i++) await client.call(Alerts.AlertsList, { limit: 50 })
  const total = (await client.call(Alerts.AlertsCount, {})).total
  log(`demo SOC: ${total} alerts`)

  const out: Array<string> = []
  out.push("## Keypress to frame: the alerts table, j/k", "", "| terminal | rows on screen | presses | keypress→frame p50 | p95 | max | CPU per keypress p50 | p95 | Ink render p50 | p95 | rows written per key (p50) |", "|---|---|---|---|---|---|---|---|---|---|---|")
  for (const [columns, rows] of [[200, 60], [80, 24]] as const) {
    const r = await keypressBench(client, columns, rows, 300)
    out.push(`| ${columns}x${rows} | ${r.visible} | ${r.latencies.length} | ${ms(quantile(r.latencies, 0.5))} ms | ${ms(quantile(r.latencies, 0.95))} ms | ${ms(Math.max(...r.latencies))} ms | ${ms(quantile(r.cpuTimes, 0.5))} ms | ${ms(quantile(r.cpuTimes, 0.95))} ms | ${ms(quantile(r.inkTimes, 0.5))} ms | ${ms(quantile(r.inkTimes, 0.95))} ms | ${quantile(r.rowsWritten, 0.5)} |`)
    log(`keypress ${columns}x${rows}: done`)
  }

  out.push("", "## Launch to first rows (warm daemon)", "", "| how | runs | p50 | min | max |", "|---|---|---|---|---|")
  const inProcess: Array<number> = []
  for (let i = 0; i < 10; i++) inProcess.push(await launchInProcess(socket))
  /** One table row: p50, min and max of `xs`. */
  const row = (how: string, xs: ReadonlyArray<number>) =>
    `| ${how} | ${xs.length} | ${ms(quantile(xs, 0.5))} ms | ${ms(Math.min(...xs))} ms | ${ms(Math.max(...xs))} ms |`
  out.push(row("in process: connect, initialize, render, first row drawn", inProcess))
  let hasTmux = true
  try { execFileSync("tmux", ["-V"]) } catch { hasTmux = false }
  if (hasTmux) {
    const command = `${process.execPath} ${SOCKEYE} --socket ${socket}`
    const launches = [
      { launch: launchInTmux, name: "launch", how: "process in tmux: node starts bin/sockeye.js until a row shows in capture-pane (polled every 5 ms)",
        cpuHow: "the same, CPU time of the sockeye process (user + system, 10 ms ticks)" },
      { launch: launchInOpenPane, name: "open", how: "process in an open tmux pane: Enter on the waiting shell until the first row is written to the pane (its output streamed, nothing polled)",
        cpuHow: "the same, CPU time of the sockeye process" }
    ]
    for (const { launch, name, how, cpuHow } of launches) {
      const runs: Array<{ wall: number; cpu: number }> = []
      for (let i = 0; i < 5; i++) runs.push(await launch(command, `${name}${i}`))
      out.push(row(how, runs.map((r) => r.wall)), row(cpuHow, runs.map((r) => r.cpu)))
    }
  } else {
    out.push("| process in tmux | – | tmux is not installed | | |")
  }
  process.stdout.write(`${out.join("\n")}\n`)
}

const cleanup = async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined)
}
main().then(cleanup, async (error: unknown) => {
  log(error instanceof Error ? error.stack ?? error.message : String(error))
  await cleanup()
  process.exitCode = 1
}).finally(() => setTimeout(() => process.exit(), 500).unref())
