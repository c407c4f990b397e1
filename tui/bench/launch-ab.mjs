// A/B of launch to first rows as a process, the bench's way (tmux 120x40, capture-pane every
// 5 ms, CPU of the node process from /proc), with the builds alternating run by run so that a
// busy machine weighs on each alike. Each build is `[VAR=value,...] path/to/bin/sockeye.js`.
//
//   node tui/bench/launch-ab.mjs SOCKET RUNS BUILD...
//   node tui/bench/launch-ab.mjs /tmp/d/sockeyed.sock 10 /tmp/old/tui/bin/sockeye.js tui/bin/sockeye.js \
//     "SOCKEYE_CACHE_DIR=/dev/null/none tui/bin/sockeye.js"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { performance } from "node:perf_hooks"

const [socket, runs, ...builds] = process.argv.slice(2)
if (!socket || !Number(runs) || builds.length === 0) throw new Error("usage: launch-ab.mjs SOCKET RUNS BUILD...")

/** CPU milliseconds (user + system, all threads) a process has used so far. */
const cpuOf = (pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}

const launch = async (build, n) => {
  const [env, bin] = build.includes(" ") ? build.split(" ") : ["", build]
  const tmux = (...args) => execFileSync("tmux", ["-L", `launch-ab-${process.pid}-${n}`, ...args], { encoding: "utf8" })
  const t0 = performance.now()
  tmux("new-session", "-d", "-s", "s", "-x", "120", "-y", "40",
    `exec env -u CI LANG=C.UTF-8 ${env.replaceAll(",", " ")} ${process.execPath} ${bin} --socket ${socket}`)
  const pid = Number(tmux("display-message", "-p", "-t", "s", "#{pane_pid}").trim())
  try {
    for (;;) {
      if (/^▸/m.test(tmux("capture-pane", "-p", "-t", "s"))) return { wall: performance.now() - t0, cpu: cpuOf(pid) }
      if (performance.now() - t0 > 30_000) throw new Error(`${build}: no rows after 30 s`)
      await new Promise((r) => setTimeout(r, 5))
    }
  } finally {
    tmux("kill-server")
  }
}

const results = new Map(builds.map((b) => [b, []]))
for (let i = 0, n = 0; i < Number(runs); i++) {
  for (const build of builds) {
    results.get(build).push(await launch(build, n++))
    await new Promise((r) => setTimeout(r, 200))
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(`load average after: ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`)
console.log("| build | runs | wall p50 | min | max | CPU p50 | min | max |\n|---|---|---|---|---|---|---|---|")
for (const [build, rs] of results) {
  const wall = rs.map((r) => r.wall), cpu = rs.map((r) => r.cpu)
  console.log(`| ${build} | ${rs.length} | ${median(wall).toFixed(0)} ms | ${Math.min(...wall).toFixed(0)} | ${Math.max(...wall).toFixed(0)} | ${median(cpu)} ms | ${Math.min(...cpu)} | ${Math.max(...cpu)} |`)
}
