import type { Handler } from "../Handler.js"

export const usersHandlers: ReadonlyArray<Handler> = []
