import { useStdout } from "ink"
import { useEffect, useState } from "react"

export interface TerminalSize {
  readonly columns: number
  readonly rows: number
}

const sizeOf = (stdout: NodeJS.WriteStream): TerminalSize => ({
  columns: stdout.columns || 80,
  rows: stdout.rows || 24
})

/** The terminal's size, following resizes (80x24 when the output is not a terminal). */
export const useTerminalSize = (): TerminalSize => {
  const { stdout } = useStdout()
  const [size, setSize] = useState(() => sizeOf(stdout))
  useEffect(() => {
    const onResize = () => setSize((old) => {
      const next = sizeOf(stdout)
      return next.columns === old.columns && next.rows === old.rows ? old : next
    })
    stdout.on("resize", onResize)
    onResize()
    return () => void stdout.off("resize", onResize)
  }, [stdout])
  return size
}
