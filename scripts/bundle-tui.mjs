// Bundles the sockeye CLI (tui/dist/cli.js, built by tsc) into one file, tui/bundle/sockeye.mjs.
// Node reads hundreds of effect, ink and react modules one by one at start-up: the bundle loads
// in about a quarter of the CPU time, which is most of the time from `sockeye` to the first rows.
import * as esbuild from "esbuild"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))

// Ink imports react-devtools-core only when DEV=true, a development aid that is not a dependency.
const noDevtools = {
  name: "no-devtools",
  setup(build) {
    build.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: "react-devtools-core", namespace: "no-devtools" }))
    build.onLoad({ filter: /.*/, namespace: "no-devtools" }, () => ({
      contents: "export default { initialize() {}, connectToDevTools() {} }",
      loader: "js"
    }))
  }
}

await esbuild.build({
  absWorkingDir: root,
  entryPoints: ["tui/dist/cli.js"],
  outfile: "tui/bundle/sockeye.mjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // React's production build, as the UI asks for at run time (cli sets NODE_ENV before loading it).
  define: { "process.env.NODE_ENV": "\"production\"" },
  // CommonJS dependencies (vscode-jsonrpc) call require for node's own modules.
  banner: { js: "import { createRequire as __sockeyeRequire } from 'node:module'; const require = __sockeyeRequire(import.meta.url);" },
  plugins: [noDevtools],
  logLevel: "warning",
  // main.ts sets NODE_ENV for the daemon it may start; the bundle reads the constant regardless.
  logOverride: { "assign-to-define": "silent" },
  legalComments: "none"
})
