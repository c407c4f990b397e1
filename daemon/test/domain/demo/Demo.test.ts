import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { createTestDatabase, query } from "../../fixtures/Postgres.js"
import { ADMIN_PASSWORD, DAEMON_BIN } from "../../fixtures/Daemon.js"

const run = promisify(execFile)
let db: Awaited<ReturnType<typeof createTestDatabase>>

beforeAll(async () => { db = await createTestDatabase("demo") })
afterAll(async () => { await db?.drop() })

const demo = () => run(process.execPath, [DAEMON_BIN, "demo"], {
  env: { ...process.env, SOCKEYE_DATABASE_URL: db.url, SOCKEYE_ADMIN_PASSWORD: ADMIN_PASSWORD }
})

describe("sockeyed demo", () => {
  it("fills an empty database with a realistic SOC", async () => {
    const { stderr } = await demo()
    expect(stderr).toContain("demo data: 3000 alerts, 60 cases")
    const count = async (sql: string) => Number((await query(db.url, sql))[0].n)
    expect(await count("select count(*) as n from incident_management_alert")).toBe(3000)
    expect(await count("select count(distinct status) as n from incident_management_alert")).toBe(3)
    expect(await count("select count(*) as n from incident_management_alert a where not exists (select 1 from incident_management_asset s where s.alert_linked = a.id)")).toBe(0)
    expect(await count("select count(*) as n from incident_management_alert_to_ioc")).toBeGreaterThan(1000)
    expect(await count("select count(*) as n from incident_management_comment")).toBeGreaterThan(100)
    expect(await count("select count(*) as n from incident_management_case")).toBe(60)
    expect(await count("select count(*) as n from incident_management_casealertlink")).toBeGreaterThan(60)
    const roles = await query(db.url, `select distinct r.name from "user" u join role r on r.id = u.role_id order by 1`)
    expect(roles.map((r) => r.name)).toEqual(["admin", "analyst", "customer_user", "scheduler"])
    expect(await count("select count(*) as n from incident_management_tag_access_settings where enabled")).toBe(1)
    expect(await count("select count(*) as n from user_customer_access")).toBe(3)
    // Every case links only alerts of its own customer.
    expect(await count(`select count(*) as n from incident_management_casealertlink k
      join incident_management_case c on c.id = k.case_id join incident_management_alert a on a.id = k.alert_id
      where a.customer_code <> c.customer_code`)).toBe(0)
  })

  it("leaves a database that already holds alerts alone", async () => {
    const { stdout } = await demo()
    expect(stdout).toContain("demo data not added")
    expect(Number((await query(db.url, "select count(*) as n from incident_management_alert"))[0].n)).toBe(3000)
  })
})
