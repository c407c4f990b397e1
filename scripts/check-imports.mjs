// Enforces the dependency direction of DESIGN.md and STYLE.md §3.2: prints each violation, exits 1 on any.
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")
const files = (dir) => fs.existsSync(dir)
  ? fs.readdirSync(dir, { recursive: true }).filter((f) => /\.tsx?$/.test(f)).map((f) => path.join(dir, f))
  : []
const importsOf = (file) => [...fs.readFileSync(file, "utf8").matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/g)]
  .map((m) => m[1] ?? m[2])

const rules = [
  { dir: "packages/protocol/src", allow: (spec) => spec === "effect" || spec.startsWith("effect/") || spec.startsWith("."), why: "protocol imports only effect" },
  { dir: "packages/client/src", allow: (spec) => !spec.startsWith("@sockeye/daemon") && !spec.includes("daemon/src"), why: "clients never import the daemon" },
  { dir: "vscode-extension/src", allow: (spec) => !spec.startsWith("@sockeye/daemon") && !spec.includes("daemon/") && !spec.includes("tui/"), why: "the extension imports only @sockeye/client and @sockeye/protocol" },
  { dir: "vscode-extension/src/logic", allow: (spec) => spec !== "vscode", why: "the extension's logic never imports vscode: it is tested without the editor" },
  { dir: "daemon/src/domain", allow: (spec) => !/\/(rpc|transport)\//.test(spec) && !spec.startsWith("vscode-jsonrpc") && spec !== "node:net", why: "domain never imports rpc, transport or wire libraries" },
  { dir: "daemon/src/connectors", allow: (spec) => !/\/(rpc|transport)\//.test(spec) && !spec.startsWith("vscode-jsonrpc"), why: "connectors never import rpc or transport" },
  { dir: "daemon/src/rpc", allow: (spec) => !spec.startsWith("vscode-jsonrpc") && spec !== "node:net" && !spec.startsWith("@effect/sql-pg"), why: "rpc stays off the wire library and the database client" }
]
const onlyIn = [
  { spec: (s) => s.startsWith("vscode-jsonrpc") || s === "node:net" || s.startsWith("@effect/platform-node"), dirs: ["daemon/src/transport", "daemon/src/main.ts"], why: "only transport/ and main.ts touch sockets and vscode-jsonrpc" }
]

let failures = 0
for (const rule of rules) {
  for (const file of files(path.join(root, rule.dir))) {
    for (const spec of importsOf(file)) {
      if (!rule.allow(spec)) { failures++; console.log(`${path.relative(root, file)}: imports ${spec} (${rule.why})`) }
    }
  }
}
for (const rule of onlyIn) {
  for (const file of files(path.join(root, "daemon/src"))) {
    const rel = path.relative(root, file)
    if (rule.dirs.some((d) => rel.startsWith(d))) continue
    for (const spec of importsOf(file)) {
      if (rule.spec(spec)) { failures++; console.log(`${rel}: imports ${spec} (${rule.why})`) }
    }
  }
}
console.log(failures === 0 ? "imports follow the dependency rules" : `${failures} import rule violation(s)`)
process.exit(failures === 0 ? 0 : 1)
