/** Launch to first rows as a process in a real terminal (tmux): the bench's and launch-ab's timings. */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { cpuMs } from "../../daemon/bench/daemonProcess.js"

/**
 * A launch as the bench has timed it since session 2: a new tmux server whose pane runs `command`
 * (exec: the pane's process is node itself, so its CPU time can be read), then capture-pane every
 * 5 ms until the table's cursor row shows.
 */
export const launchInTmux = async (command: string, name: string): Promise<{ wall: number; cpu: number }> => {
  const server = `sockeye-bench-${process.pid}-${name}`
  const tmux = (...args: Array<string>) => execFileSync("tmux", ["-L", server, ...args], { encoding: "utf8" })
  const t0 = performance.now()
  tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40", `exec env -u CI LANG=C.UTF-8 ${command}`)
  const pid = Number(tmux("display-message", "-p", "-t", name, "#{pane_pid}").trim())
  try {
    for (;;) {
      if (/^▸/m.test(tmux("capture-pane", "-p", "-t", name))) return { wall: performance.now() - t0, cpu: cpuMs(pid) }
      if (performance.now() - t0 > 30_000) throw new Error("no rows after 30 s")
      await new Promise((r) => setTimeout(r, 5))
    }
  } finally {
    tmux("kill-server")
  }
}

/**
 * As a user starts it: in a tmux pane already open, whose shell waits for Enter, with the pane's
 * output streamed to a file (pipe-pane) that this process reads. Finding the first row then
 * spawns nothing: launchInTmux's `capture-pane`, every 5 ms, is a tmux process each time (about
 * 11 ms of CPU here), which competes with the launch for the same two cores, and it also times
 * the start of a tmux server. The cursor's ▸ is in the output only once the table's rows are.
 */
export const launchInOpenPane = async (command: string, name: string): Promise<{ wall: number; cpu: number }> => {
  const server = `sockeye-bench-${process.pid}-${name}`
  const tmux = (...args: Array<string>) => execFileSync("tmux", ["-L", server, ...args], { encoding: "utf8" })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-bench-pane-"))
  const output = path.join(dir, "pane.out")
  tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40",
    `read _ && exec env -u CI LANG=C.UTF-8 ${command}`)
  try {
    tmux("pipe-pane", "-o", "-t", name, `cat > ${output}`)
    const pid = Number(tmux("display-message", "-p", "-t", name, "#{pane_pid}").trim())
    await new Promise((r) => setTimeout(r, 200))
    const t0 = performance.now()
    tmux("send-keys", "-t", name, "Enter")
    for (;;) {
      if (fs.existsSync(output) && fs.readFileSync(output, "utf8").includes("▸")) {
        const found = { wall: performance.now() - t0, cpu: cpuMs(pid) }
        // What was written is on the screen too.
        for (let i = 0; i < 100 && !/^▸/m.test(tmux("capture-pane", "-p", "-t", name)); i++) await new Promise((r) => setTimeout(r, 10))
        if (!/^▸/m.test(tmux("capture-pane", "-p", "-t", name))) throw new Error("the pane's output had the cursor row, its screen did not")
        return found
      }
      if (performance.now() - t0 > 30_000) throw new Error("no rows after 30 s")
      await new Promise((r) => setTimeout(r, 2))
    }
  } finally {
    tmux("kill-server")
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
