import type { Handler } from "../Handler.js"

export const alertsHandlers: ReadonlyArray<Handler> = []
