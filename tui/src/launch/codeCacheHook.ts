/**
 * bin/sockeye.js runs the bundle with a V8 code cache (codeCache.ts) and leaves here the function
 * that saves one; the UI calls it once start-up is done. Run from dist/ there is none: a no-op.
 */
export const SAVE_CODE_CACHE = Symbol.for("sockeye.saveCodeCache")

export const saveCodeCache = (): void => {
  const save = (globalThis as { [SAVE_CODE_CACHE]?: () => void })[SAVE_CODE_CACHE]
  save?.()
}
