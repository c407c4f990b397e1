import { isAscii } from "node:buffer"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import * as vm from "node:vm"

/** Where sockeye keeps its V8 code cache: $SOCKEYE_CACHE_DIR, else $XDG_CACHE_HOME/sockeye, else ~/.cache/sockeye. */
export const cacheDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env["SOCKEYE_CACHE_DIR"] || path.join(env["XDG_CACHE_HOME"] || path.join(os.homedir(), ".cache"), "sockeye")

/**
 * The bundle is one function expression (scripts/bundle-tui.mjs writes these around it): CommonJS's
 * parameters and __sockeyeUrl, which esbuild puts for `import.meta.url`. Wrapped in the file, not
 * here, so that V8 compiles the file's text as it was read (an ASCII file becomes a string outside
 * the JS heap) instead of a 2.5 MB copy joined on the heap, and stack traces keep its line numbers.
 */
export const BUNDLE_PREFIX = "(function (exports, require, module, __filename, __dirname, __sockeyeUrl) {"
export const BUNDLE_SUFFIX = "})"
const DIGEST = 20

/**
 * V8 checks a cache against its own version, its flags and the source's length, not its text,
 * so the file is named by a digest of the bundle and of this Node, and carries a digest of its
 * payload: a stale, foreign or torn file is never handed to V8.
 */
const cacheFileOf = (bundle: Buffer, dir: string): string => {
  const key = createHash("sha1").update(bundle).update(`${process.version} ${process.arch} ${process.execArgv.join(" ")}`).digest("hex")
  return path.join(dir, `sockeye-${key.slice(0, 16)}.v8cache`)
}

const readCache = (file: string): Buffer | undefined => {
  try {
    const data = fs.readFileSync(file)
    const payload = data.subarray(DIGEST)
    return data.length > DIGEST && createHash("sha1").update(payload).digest().equals(data.subarray(0, DIGEST)) ? payload : undefined
  } catch {
    return undefined
  }
}

/** Best effort: a cache is an optimization, so a read-only or full disk only costs speed. */
const writeCache = (file: string, payload: Buffer): void => {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    for (const old of fs.readdirSync(path.dirname(file))) {
      if (/^sockeye-[0-9a-f]{16}\.v8cache$/.test(old) && old !== path.basename(file)) fs.rmSync(path.join(path.dirname(file), old), { force: true })
    }
    const temp = `${file}.${process.pid}`
    fs.writeFileSync(temp, Buffer.concat([createHash("sha1").update(payload).digest(), payload]), { mode: 0o600 })
    fs.renameSync(temp, file)
  } catch {
    // Nothing to do: the next start compiles from source again.
  }
}

/**
 * Runs the CommonJS bundle at `file` as Node would, but compiled with `vm.Script` and the V8
 * code cache from `dir` when there is a valid one: V8 then skips parsing and compiling.
 * `expose` receives, before the bundle runs, the function that writes the cache when there was
 * none usable (a no-op otherwise); call it once start-up's code has run, since V8 includes every
 * function compiled so far. Returns whether V8 took a cache.
 */
export const runBundle = (file: string, expose: (saveCache: () => void) => void = () => undefined, dir: string = cacheDir()): boolean => {
  const bytes = fs.readFileSync(file)
  const cacheFile = cacheFileOf(bytes, dir)
  const cachedData = readCache(cacheFile)
  // An ASCII file (esbuild escapes non-ASCII) decodes without UTF-8's slow path.
  const source = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8")
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) })
  const cached = cachedData !== undefined && !script.cachedDataRejected
  let saved = cached
  const saveCache = () => {
    if (saved) return
    saved = true
    writeCache(cacheFile, script.createCachedData())
  }
  expose(saveCache)
  const module = { exports: {} }
  const run = script.runInThisContext() as (...args: Array<unknown>) => void
  run(module.exports, createRequire(file), module, file, path.dirname(file), pathToFileURL(file).href)
  return cached
}
