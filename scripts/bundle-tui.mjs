// Bundles the sockeye CLI (tui/dist/cli.js, built by tsc) into one file, tui/bundle/sockeye.cjs.
// Node reads hundreds of effect, ink and react modules one by one at start-up: the bundle loads
// in about a quarter of the CPU time, which is most of the time from `sockeye` to the first rows.
import * as esbuild from "esbuild"
import { fileURLToPath } from "node:url"
import { BUNDLE_PREFIX, BUNDLE_SUFFIX } from "../tui/dist/launch/codeCache.js"
import { inkWithoutDevtools, yogaSync } from "./bundle-plugins.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))

await esbuild.build({
  absWorkingDir: root,
  entryPoints: ["tui/dist/cli.js"],
  // A script, not a module: bin/sockeye.js compiles it with vm.Script, which takes a V8 code cache.
  outfile: "tui/bundle/sockeye.cjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  // React's production build, as the UI asks for at run time (cli sets NODE_ENV before loading it).
  // bin/sockeye.js passes the bundle's own URL: sources find package.json and the daemon by it.
  define: { "process.env.NODE_ENV": "\"production\"", "import.meta.url": "__sockeyeUrl" },
  plugins: [inkWithoutDevtools, yogaSync(root)],
  // One function expression, which tui/dist/launch/codeCache.js compiles and calls.
  banner: { js: BUNDLE_PREFIX },
  footer: { js: BUNDLE_SUFFIX },
  logLevel: "warning",
  // main.ts sets NODE_ENV for the daemon it may start; the bundle reads the constant regardless.
  logOverride: { "assign-to-define": "silent" },
  legalComments: "none"
})
