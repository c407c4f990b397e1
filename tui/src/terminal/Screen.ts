import { EventEmitter } from "node:events"

const ESC = "\x1b["
const SYNC_BEGIN = `${ESC}?2026h`
const SYNC_END = `${ESC}?2026l`

/**
 * The terminal as Ink's stdout, drawing full-screen frames on the alternate screen by changed
 * lines only. Ink runs in debug mode against it (each render hands over the whole frame) and
 * this writer moves the cursor to each changed row and rewrites that row alone.
 *
 * Why not Ink's own renderers (6.8): the standard one erases and rewrites every line of every
 * frame; the incremental one counts its way back up from the cursor and lands one row low when
 * the frame ends with a newline, and a frame as tall as the terminal makes Ink clear the whole
 * screen before each render (vadimdemedes/ink#935, #1023). Absolute positions have neither problem.
 */
export class Screen extends EventEmitter {
  private previous: Array<string> = []
  readonly isTTY = true
  /** Frames drawn and rows written, for the benchmark. */
  readonly stats = { frames: 0, rows: 0 }

  constructor(private readonly out: NodeJS.WriteStream) {
    super()
    out.on("resize", this.onResize)
  }

  get columns(): number { return this.out.columns || 80 }
  get rows(): number { return this.out.rows || 24 }

  private readonly onResize = () => {
    // After a resize the terminal may have reflowed what it shows: draw everything again.
    this.previous = []
    this.out.write(`${ESC}2J`)
    this.emit("resize")
  }

  /** Ink's writes: each is a whole frame. */
  write = (frame: string): boolean => {
    const lines = frame.split("\n").slice(0, this.rows)
    let buffer = ""
    let written = 0
    for (let row = 0; row < Math.max(lines.length, this.previous.length) && row < this.rows; row++) {
      const line = lines[row] ?? ""
      if (line === this.previous[row]) continue
      buffer += `${ESC}${row + 1};1H${line}${ESC}0m${ESC}K`
      written++
    }
    this.previous = lines
    if (written > 0) {
      this.stats.frames++
      this.stats.rows += written
      this.out.write(SYNC_BEGIN + buffer + SYNC_END)
      this.emit("frame", frame)
    }
    return true
  }

  /** Enters the alternate screen, cleared, cursor hidden. */
  enter(): void {
    this.out.write(`${ESC}?1049h${ESC}2J${ESC}H${ESC}?25l`)
  }

  /** Shows the cursor and returns to the normal screen, as it was. */
  leave(): void {
    this.out.off("resize", this.onResize)
    this.out.write(`${ESC}?25h${ESC}?1049l`)
  }
}
