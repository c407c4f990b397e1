import type { Handler } from "../Handler.js"

export const ingestHandlers: ReadonlyArray<Handler> = []
