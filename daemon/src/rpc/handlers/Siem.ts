import type { Handler } from "../Handler.js"

export const siemHandlers: ReadonlyArray<Handler> = []
