import { afterAll, describe, expect, it } from "vitest"
import { startDaemon, type RunningDaemon } from "../../../daemon/test/fixtures/Daemon.js"
import { createTestDatabase } from "../../../daemon/test/fixtures/Postgres.js"
import { seedCustomer, seedUser } from "../../../daemon/test/fixtures/Seed.js"
import { ADMIN_PASSWORD, connectClient, connectUi, seedAlerts } from "../test-utils/daemon.js"
import { renderApp } from "../test-utils/render.js"

const cleanup: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined)
})

describe("status bar", () => {
  it("shows the link going down and coming back by itself; the view reloads what it missed", async () => {
    const db = await createTestDatabase("tui_status")
    cleanup.push(db.drop)
    let daemon: RunningDaemon = await startDaemon({ databaseUrl: db.url })
    cleanup.push(() => daemon.stop())
    await seedCustomer(db.url, "ACME")
    await seedUser(db.url, { username: "alice", role: "analyst" })
    const admin = await connectClient(daemon, "admin", ADMIN_PASSWORD)
    await seedAlerts(admin, [{ name: "Before the restart" }])
    await admin.close()

    const session = await connectUi(daemon, "alice")
    cleanup.push(() => session.client.close())
    const app = await renderApp(session, { columns: 120, rows: 20 })
    cleanup.push(async () => app.unmount())
    await app.waitFor("Before the restart")
    expect(app.frame()).toMatch(/● connected │ LIVE/)

    await daemon.stop()
    const down = await app.waitFor("● reconnecting")
    expect(down).toContain("STALE")
    // The rows stay on screen while the link is down.
    expect(down).toContain("Before the restart")

    daemon = await startDaemon({ databaseUrl: db.url, socketPath: daemon.socketPath! })
    const writer = await connectClient(daemon, "admin", ADMIN_PASSWORD)
    await seedAlerts(writer, [{ name: "Made while the UI was away" }])
    await writer.close()
    const back = await app.waitFor("Made while the UI was away", 20_000)
    expect(back).toMatch(/● connected │ LIVE/)
  })
})
