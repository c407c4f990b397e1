// Bundles the extension and its MCP server into one CommonJS file each (vscode stays external:
// the editor provides it). @sockeye/* are bundled from their TypeScript sources.
// Usage: node scripts/bundle.mjs [OUTDIR]   (default dist/, which `npm run package` packs)
import * as esbuild from "esbuild"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

await esbuild.build({
  absWorkingDir: root,
  entryPoints: { extension: "src/extension.ts", mcp: "src/mcp.ts" },
  outdir: process.argv[2] ? path.resolve(process.argv[2]) : "dist",
  outExtension: { ".js": ".cjs" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external: ["vscode"],
  conditions: ["source"],
  sourcemap: "linked",
  minify: process.env.SOCKEYE_VSCODE_MINIFY === "1",
  logLevel: "warning"
})
