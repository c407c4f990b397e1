// A/B of launch to first rows as a process, the bench's way (launch.ts: tmux 120x40, capture-pane
// every 5 ms, CPU of the node process from /proc), with the builds alternating run by run so that
// a busy machine weighs on each alike. Each build is `[VAR=value,...] path/to/bin/sockeye.js`.
//
//   npx tsx tui/bench/launch-ab.ts SOCKET RUNS BUILD...
//   npx tsx tui/bench/launch-ab.ts /tmp/d/sockeyed.sock 10 /tmp/old/tui/bin/sockeye.js tui/bin/sockeye.js \
//     "SOCKEYE_CACHE_DIR=/dev/null/none tui/bin/sockeye.js"
import * as fs from "node:fs"
import { launchInTmux } from "./launch.js"

const [socket, runs, ...builds] = process.argv.slice(2)
if (!socket || !Number(runs) || builds.length === 0) throw new Error("usage: launch-ab.ts SOCKET RUNS BUILD...")

const commandOf = (build: string) => {
  const [env, bin] = build.includes(" ") ? build.split(" ") as [string, string] : ["", build]
  return `${env.replaceAll(",", " ")} ${process.execPath} ${bin} --socket ${socket}`
}

const results = new Map(builds.map((b) => [b, [] as Array<{ wall: number; cpu: number }>]))
for (let i = 0, n = 0; i < Number(runs); i++) {
  for (const build of builds) {
    results.get(build)!.push(await launchInTmux(commandOf(build), `ab${n++}`))
    await new Promise((r) => setTimeout(r, 200))
  }
}
const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(`load average after: ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`)
console.log("| build | runs | wall p50 | min | max | CPU p50 | min | max |\n|---|---|---|---|---|---|---|---|")
for (const [build, rs] of results) {
  const wall = rs.map((r) => r.wall), cpu = rs.map((r) => r.cpu)
  console.log(`| ${build} | ${rs.length} | ${median(wall).toFixed(0)} ms | ${Math.min(...wall).toFixed(0)} | ${Math.max(...wall).toFixed(0)} | ${median(cpu)} ms | ${Math.min(...cpu)} | ${Math.max(...cpu)} |`)
}
