import type { Handler } from "../Handler.js"

export const casesHandlers: ReadonlyArray<Handler> = []
