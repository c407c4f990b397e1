import { methods } from "@sockeye/protocol"
import type { Io } from "../io.js"

/** `sockeye methods`: every protocol method and its one-line description, from this client's protocol package. */
export const listMethods = (json: boolean, io: Io): number => {
  if (json) {
    const list = methods.map((m) => ({ method: m.method, description: m.description, audience: m.audience, hints: m.hints }))
    io.stdout(`${JSON.stringify(list, null, 2)}\n`)
    return 0
  }
  const width = Math.max(...methods.map((m) => m.method.length))
  io.stdout(methods.map((m) => `${m.method.padEnd(width)}  ${m.description}\n`).join(""))
  return 0
}
