// esbuild plugins that let the sockeye bundle be a script (CommonJS) rather than an ES module, so
// that bin/sockeye.js can compile it with a V8 code cache. Two dependencies use top-level await.

import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

// yoga-layout's entry awaits its Emscripten loader, which compiles the embedded WASM
// asynchronously. Emscripten's `instantiateWasm` hook lets us compile and instantiate it
// synchronously instead (Node allows a synchronous WebAssembly.Module of any size), after which
// the module object we pass in is initialized before the loader returns.

const BASE64 = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/

export const yogaSync = (root) => ({
  name: "yoga-sync",
  setup(build) {
    const entry = createRequire(path.join(root, "node_modules/ink/package.json")).resolve("yoga-layout")
    const dir = path.dirname(entry)
    const binary = path.join(dir, "../binaries/yoga-wasm-base64-esm.js")
    // Relative: the bundle names each module by its path, and should not depend on the checkout's.
    build.onResolve({ filter: /^yoga-layout$/ }, () => ({ path: path.relative(root, entry), namespace: "yoga-sync" }))
    // The WASM bytes move to the entry below; the loader's copy would only be a second 90 KB to parse.
    build.onLoad({ filter: /yoga-wasm-base64-esm\.js$/ }, (args) => ({
      contents: fs.readFileSync(args.path, "utf8").replace(BASE64, '"data:application/octet-stream;base64,"'),
      loader: "js"
    }))
    build.onLoad({ filter: /.*/, namespace: "yoga-sync" }, () => {
      const wasm = BASE64.exec(fs.readFileSync(binary, "utf8"))
      if (!wasm) throw new Error(`yoga-sync: no embedded WASM in ${binary}`)
      return {
        resolveDir: dir,
        loader: "js",
        contents: `
import loadYoga from "../binaries/yoga-wasm-base64-esm.js"
import wrapAssembly from "./wrapAssembly.js"
export * from "./generated/YGEnums.js"
const lib = {
  instantiateWasm(imports, receive) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(${JSON.stringify(wasm[1])}, "base64")), imports)
    receive(instance)
    return instance.exports
  }
}
loadYoga(lib).catch(() => undefined)
if (!lib.asm) throw new Error("yoga-layout did not initialize synchronously")
export default wrapAssembly(lib)
`
      }
    })
  }
})

// Ink's reconciler awaits, when DEV=true, react-devtools-core (not a dependency of ours) and its
// package.json for the devtools. The bundle leaves that development aid out, as it always has.
const DEVTOOLS = /if \(isDev\(\)\) \{\s*try \{\s*await import\('\.\/devtools\.js'\);[\s\S]*?\n\}\n/
const PACKAGE_JSON = /isDev\(\)\s*\? await loadPackageJson\(\)\s*:/

export const inkWithoutDevtools = {
  name: "ink-without-devtools",
  setup(build) {
    build.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, (args) => {
      const source = fs.readFileSync(args.path, "utf8")
      if (!DEVTOOLS.test(source) || !PACKAGE_JSON.test(source)) throw new Error(`ink-without-devtools: ${args.path} changed; update the plugin`)
      return { contents: source.replace(DEVTOOLS, "").replace(PACKAGE_JSON, ""), loader: "js" }
    })
  }
}
