import { Effect } from "effect"
import * as Connection from "./Connection.js"

/** One connection on the process's stdin/stdout: a client spawned this daemon. */
export const serveStdio = Connection.serve({
  input: process.stdin,
  output: process.stdout,
  origin: "local",
  transport: "stdio"
}).pipe(Effect.withLogSpan("stdio"))
