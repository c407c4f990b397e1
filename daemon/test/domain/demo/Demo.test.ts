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
const count = async (sql: string) => Number((await query(db.url, sql))[0].n)

describe("sockeyed demo", () => {
  it("fills an empty database with a realistic SOC whose alerts the ingestion pipeline made", async () => {
    const { stderr } = await demo()
    // 3000 Wazuh alert documents, deduplicated into OPEN alerts by customer and title.
    const [logged] = await query<{ message: string }>(db.url, `select message from log_entries where event_type = 'demo'`)
    const match = /^demo data: (\d+) documents → (\d+) alerts, 60 cases$/.exec(logged!.message)
    expect(match).not.toBeNull()
    const [documents, alerts] = [Number(match![1]), Number(match![2])]
    expect(documents).toBe(3000)
    expect(stderr).toMatch(new RegExp(`demo data: (3000 documents → )?${alerts} alerts, 60 cases`))
    expect(await count("select count(*) as n from incident_management_alert")).toBe(alerts)
    expect(alerts).toBeGreaterThan(300)
    expect(alerts).toBeLessThan(documents)

    // The pipeline ran: one ledger row per Wazuh document in the local index, none failed, and
    // every alert has an asset pointing at a document of the index.
    expect(await count("select count(*) as n from sockeye_siem_documents where index_name like 'wazuh-alerts-4.x-%'")).toBe(documents)
    expect(await count("select count(*) as n from sockeye_ingested_documents")).toBe(documents)
    expect(await count("select count(*) as n from sockeye_ingest_failures")).toBe(0)
    expect(await count(`select count(*) as n from incident_management_alert a where not exists (
      select 1 from incident_management_asset s join sockeye_siem_documents d on d.index_name = s.index_name and d.doc_id = s.index_id
      where s.alert_linked = a.id)`)).toBe(0)
    // Some came through Graylog events, each written back with its alert id.
    const events = await count("select count(*) as n from sockeye_siem_documents where index_name like 'gl-events%'")
    expect(events).toBeGreaterThan(100)
    expect(await count(`select count(*) as n from sockeye_siem_documents e
      join sockeye_ingested_documents l on e.source->>'origin_context' = 'urn:graylog:message:es:' || l.index_name || ':' || l.doc_id
      where e.source->'fields'->>'COPILOT_ALERT_ID' = l.alert_id::text`)).toBe(events)
    // Agents resolved by host name; IoCs of every type, URLs included.
    expect(await count("select count(*) as n from incident_management_asset where agent_id is null and asset_name not like 'wazuh-%'")).toBe(0)
    const iocTypes = await query<{ type: string }>(db.url, "select distinct type from incident_management_ioc order by 1")
    expect(iocTypes.map((r) => r.type)).toEqual(["DOMAIN", "HASH", "IP", "URL"])
    expect(await count("select count(*) as n from incident_management_alert_to_ioc")).toBeGreaterThan(1000)

    expect(await count("select count(distinct status) as n from incident_management_alert")).toBe(3)
    expect(await count("select count(*) as n from incident_management_alert where assigned_to is not null")).toBeGreaterThan(alerts / 2)
    expect(await count("select count(*) as n from incident_management_alert where alert_creation_time < now() - interval '7 days'")).toBeGreaterThan(50)
    expect(await count("select count(*) as n from incident_management_comment")).toBeGreaterThan(100)
    expect(await count("select count(*) as n from incident_management_alert_to_tag")).toBeGreaterThan(alerts / 2)
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
    const before = await count("select count(*) as n from incident_management_alert")
    const { stdout } = await demo()
    expect(stdout).toContain("demo data not added")
    expect(await count("select count(*) as n from incident_management_alert")).toBe(before)
  })
})
