import { describe, expect, it } from "vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { COMMANDS, CONTAINER, CONTEXT_VALUE, MCP_PROVIDER_ID, VIEWS } from "../src/logic/contributions.js"
import { SETTINGS } from "../src/logic/settings.js"
import { readZip } from "./zip.js"

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** Builds the .vsix as `npm run package` does (esbuild, then vsce, offline) and reads its manifest back. */
const buildVsix = () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-vsix-"))
  const vsix = path.join(out, "sockeye-vscode.vsix")
  execFileSync(process.execPath, [path.join(extensionDir, "scripts/bundle.mjs")], { cwd: extensionDir })
  const vsce = path.join(extensionDir, "..", "node_modules", "@vscode", "vsce", "vsce")
  execFileSync(process.execPath, [vsce, "package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "--no-update-package-json", "-o", vsix], { cwd: extensionDir, stdio: "pipe" })
  const entries = readZip(fs.readFileSync(vsix))
  const files = [...entries.keys()]
  const manifest = JSON.parse(entries.get("extension/package.json")!().toString("utf8"))
  fs.rmSync(out, { recursive: true, force: true })
  return { files, manifest }
}

describe("the .vsix", () => {
  const { files, manifest } = buildVsix()
  const c = manifest.contributes

  it("holds the two bundles and no sources, maps or node_modules", () => {
    expect(files).toContain("extension/dist/extension.cjs")
    expect(files).toContain("extension/dist/mcp.cjs")
    expect(files.filter((f) => /\.(ts|map)$|node_modules|\/src\//.test(f))).toEqual([])
    expect(manifest.main).toBe("./dist/extension.cjs")
  })

  it("declares every command the code registers, and no other", () => {
    expect(c.commands.map((x: { command: string }) => x.command).sort()).toEqual(COMMANDS.map((x) => x.id).sort())
    for (const spec of COMMANDS) {
      const declared = c.commands.find((x: { command: string }) => x.command === spec.id)
      expect(declared.title, spec.id).toBe(spec.title)
      const hidden = c.menus.commandPalette.some((m: { command: string; when: string }) => m.command === spec.id && m.when === "false")
      expect(hidden, `${spec.id} in the palette`).toBe(!spec.palette)
      const menus = c.menus["view/item/context"].filter((m: { command: string }) => m.command === spec.id && !("group" in m && String((m as { group: string }).group).startsWith("inline")))
      const on = Object.entries(CONTEXT_VALUE).filter(([, value]) => menus.some((m: { when: string }) => m.when.includes(`viewItem == ${value}`))).map(([kind]) => kind)
      expect(on.sort(), `${spec.id} context menus`).toEqual([...spec.on].sort())
    }
    const menuCommands = Object.values(c.menus).flat().map((m) => (m as { command: string }).command)
    expect(menuCommands.filter((id) => !COMMANDS.some((x) => x.id === id))).toEqual([])
  })

  it("declares the views and their container, and no other", () => {
    expect(c.viewsContainers.activitybar.map((x: { id: string }) => x.id)).toEqual([CONTAINER])
    expect(Object.keys(c.views)).toEqual([CONTAINER])
    expect(c.views[CONTAINER]).toEqual(VIEWS.map((v) => ({ id: v.id, name: v.name })))
  })

  it("declares every setting the code reads, and no other", () => {
    expect(Object.keys(c.configuration.properties).sort()).toEqual(Object.values(SETTINGS).sort())
    expect(c.configuration.properties[SETTINGS.connection].enum).toEqual(["auto", "socket", "spawn", "tcp"])
  })

  it("declares the MCP server definition provider the code registers", () => {
    expect(c.mcpServerDefinitionProviders.map((x: { id: string }) => x.id)).toEqual([MCP_PROVIDER_ID])
    expect(manifest.engines.vscode).toBe("^1.140.0")
  })
})
