import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["source"] },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "protocol", include: ["packages/protocol/test/**/*.test.ts"] }
      },
      {
        extends: true,
        test: {
          name: "daemon",
          // tui's tests run a real daemon too: they share this project's database server.
          include: ["daemon/test/**/*.test.ts", "packages/client/test/**/*.test.ts", "tui/src/**/*.test.{ts,tsx}"],
          globalSetup: ["daemon/test/fixtures/globalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000
        }
      },
      {
        extends: true,
        // The extension's glue imports "vscode", which only the editor provides: tests get the fake.
        resolve: { alias: { vscode: fileURLToPath(new URL("vscode-extension/test/fake-vscode.ts", import.meta.url)) } },
        test: {
          name: "vscode",
          include: ["vscode-extension/test/**/*.test.ts"],
          globalSetup: ["daemon/test/fixtures/globalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000
        }
      }
    ]
  }
})
