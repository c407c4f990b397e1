import type { Handler } from "../Handler.js"

export const jobsHandlers: ReadonlyArray<Handler> = []
