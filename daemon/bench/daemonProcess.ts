/** The real daemon as a child process for the benchmarks: start, stop, CPU time. */
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { BenchContext } from "./index.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const DAEMON = path.resolve(here, "../../bin/sockeyed.js")

export const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000)
    child.once("exit", () => { clearTimeout(kill); resolve() })
    child.kill("SIGTERM")
  })

/**
 * Extra node flags for the daemon, for diagnosis: SOCKEYE_BENCH_DAEMON_FLAGS="--trace-gc-nvp" with
 * SOCKEYE_BENCH_DAEMON_STDOUT=FILE records every GC of the daemon (V8 traces go to stdout).
 */
const nodeFlags = () => process.env["SOCKEYE_BENCH_DAEMON_FLAGS"]?.split(" ").filter(Boolean) ?? []

/** The real daemon on a unix socket; resolves once it listens (it has migrated by then). */
export const startDaemon = (
  context: BenchContext, socketPath: string, options: { readonly databaseUrl?: string; readonly env?: Record<string, string> } = {}
): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const profile = process.env["SOCKEYE_BENCH_PROFILE"]
    const child = spawn(process.execPath, [...(profile ? ["--cpu-prof", "--cpu-prof-dir", profile] : []), ...nodeFlags(), DAEMON, "--socket", socketPath], {
      env: { ...process.env, SOCKEYE_DATABASE_URL: options.databaseUrl ?? context.databaseUrl, SOCKEYE_ADMIN_PASSWORD: context.adminPassword,
        ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    context.defer(() => stop(child))
    let log = ""
    const stdout = process.env["SOCKEYE_BENCH_DAEMON_STDOUT"]
    if (stdout) child.stdout?.pipe(fs.createWriteStream(stdout))
    else child.stdout?.resume()
    const timer = setTimeout(() => reject(new Error(`the daemon did not start:\n${log}`)), 300_000)
    child.stderr?.on("data", (chunk: Buffer) => {
      log = (log + chunk.toString("utf8")).slice(-16384)
      if (log.includes("listening on unix socket")) { clearTimeout(timer); resolve(child) }
    })
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`the daemon exited with ${code}:\n${log}`)) })
  })

/** utime + stime of a process in ms (clock ticks of 10 ms). */
export const cpuMs = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}

