#!/usr/bin/env node
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

// The one-file bundle (scripts/bundle-tui.mjs, made by `npm run build`) starts several times
// faster than dist/'s modules, and faster again from a V8 code cache (dist/launch/codeCache.js);
// SOCKEYE_NO_BUNDLE=1 runs dist/ instead.
const bundle = fileURLToPath(new URL("../bundle/sockeye.cjs", import.meta.url))
if (existsSync(bundle) && !process.env.SOCKEYE_NO_BUNDLE) {
  const { runBundle } = await import("../dist/launch/codeCache.js")
  const { SAVE_CODE_CACHE } = await import("../dist/launch/codeCacheHook.js")
  runBundle(bundle, (save) => { globalThis[SAVE_CODE_CACHE] = save })
} else {
  await import("../dist/cli.js")
}
