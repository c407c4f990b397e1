import { run } from "./main.js"
import { processIo } from "./io.js"

const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write("", () => resolve()))

// Exit once the output is written: a closed client may still hold a shutdown timer for a while.
run(process.argv.slice(2), processIo).then(
  async (code) => {
    await Promise.all([flushed(process.stdout), flushed(process.stderr)])
    process.exit(code)
  },
  (error: unknown) => {
    process.stderr.write(`sockeye: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    process.exit(1)
  }
)
