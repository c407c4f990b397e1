import type { Handler } from "../Handler.js"

export const tagsHandlers: ReadonlyArray<Handler> = []
