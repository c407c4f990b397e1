#!/usr/bin/env node
import { existsSync } from "node:fs"

// The one-file bundle (scripts/bundle-tui.mjs, made by `npm run build`) starts about four times
// faster than dist/'s modules; SOCKEYE_NO_BUNDLE=1 runs those instead.
const bundle = new URL("../bundle/sockeye.mjs", import.meta.url)
await import(existsSync(bundle) && !process.env.SOCKEYE_NO_BUNDLE ? bundle.href : "../dist/cli.js")
