/** Where a command reads and writes: the process in the CLI, buffers in tests. */
export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly stdin: AsyncIterable<Uint8Array>
  readonly env: NodeJS.ProcessEnv
}

export const processIo: Io = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  stdin: process.stdin,
  env: process.env
}

/** All of a stream, as UTF-8 text. */
export const readAll = async (input: AsyncIterable<Uint8Array>): Promise<string> => {
  const chunks: Array<Uint8Array> = []
  for await (const chunk of input) chunks.push(chunk)
  return Buffer.concat(chunks).toString("utf8")
}
