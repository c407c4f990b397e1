import { ErrorCode, Jobs } from "@sockeye/protocol"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { wireOf } from "../errors.js"
import { ADMIN_PASSWORD, connectUi, startSoc, type TestSoc } from "../test-utils/daemon.js"
import { KEY, lineWith, renderApp, type RenderedApp } from "../test-utils/render.js"

let soc: TestSoc
/** The scheduler methods are new: a daemon without them must still give a usable view. */
let served: boolean
let job: string
const opened: Array<{ unmount: () => void; close: () => Promise<void> }> = []

beforeAll(async () => {
  soc = await startSoc("tui_jobs")
  try {
    const jobs = await soc.admin.call(Jobs.JobsList, {})
    served = true
    // A job that can run without a SIEM or a blob store.
    job = (jobs.find((j) => !j.unavailable) ?? jobs[0])!.id
  } catch (error) {
    expect(wireOf(error).code).toBe(ErrorCode.MethodNotFound)
    served = false
  }
})
afterEach(async () => {
  for (const o of opened.splice(0)) {
    o.unmount()
    await o.close()
  }
})
afterAll(async () => soc?.stop())

const openJobs = async (user: string, password = "password1"): Promise<RenderedApp> => {
  const session = await connectUi(soc.daemon, user, password)
  const app = await renderApp(session, { initial: { kind: "jobs" }, columns: 140, rows: 30 })
  opened.push({ unmount: app.unmount, close: () => session.client.close() })
  await app.waitFor(" JOBS  │")
  return app
}

describe("jobs", () => {
  it("lists the jobs with state, last run and next run; an admin runs one now and disables and enables it", async () => {
    const app = await openJobs("admin", ADMIN_PASSWORD)
    if (!served) {
      await app.waitFor("does not serve the scheduler methods yet")
      return
    }
    let frame = await app.waitFor(job)
    expect(frame).toMatch(/JOB\s+ENABLED\s+STATE\s+LAST RUN\s+NEXT RUN/)
    expect(frame).toContain("x run now · e enable/disable")
    while (!app.frame().split("\n").find((l) => l.startsWith("▸"))?.includes(job)) await app.press("j")
    await app.press("x")
    await app.waitFor(new RegExp(`${job}: run \\d+ started`))
    frame = await app.waitFor((f) => /succeeded|failed|skipped|running/.test(lineWith(f, job)))
    await app.press("e")
    await app.waitFor(`disable ${job}?`)
    await app.press("y")
    await app.waitFor(`${job} disabled`)
    await app.waitFor((f) => new RegExp(`${job}\\s+no`).test(f))
    expect((await soc.admin.call(Jobs.JobsList, {})).find((j) => j.id === job)!.enabled).toBe(false)
    await app.press("e")
    await app.waitFor(`${job} enabled`)
  })

  it("an analyst sees the jobs but no run or enable keys", async () => {
    const app = await openJobs("alice")
    if (!served) return void (await app.waitFor("does not serve the scheduler methods yet"))
    await app.waitFor("analyst may not run or change jobs")
    await app.press("x")
    await new Promise((r) => setTimeout(r, 150))
    expect(app.frame()).not.toContain("started")
    await app.press(KEY.escape)
  })
})
