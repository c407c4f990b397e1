import * as fs from "node:fs"
import { performance } from "node:perf_hooks"

const file = process.env["SOCKEYE_TRACE"]
const marks: Array<string> = []

/**
 * Start-up timeline for measuring launch: with SOCKEYE_TRACE=FILE each mark appends its time
 * since the process started and the CPU used so far to FILE at exit. Without it, a no-op.
 */
export const mark: (label: string) => void = file
  ? (label) => {
    const cpu = process.cpuUsage()
    marks.push(`${performance.now().toFixed(1)} ms  cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms  ${label}`)
  }
  : () => undefined

if (file) process.once("exit", () => fs.appendFileSync(file, `${marks.join("\n")}\n`))
