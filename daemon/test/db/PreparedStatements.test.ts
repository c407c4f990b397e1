import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PREPARED_PER_CONNECTION, PreparingClient } from "../../src/db/PreparedStatements.js"
import { createTestDatabase } from "../fixtures/Postgres.js"

let db: Awaited<ReturnType<typeof createTestDatabase>>
let client: PreparingClient

const run = (text: string, values: Array<unknown>) =>
  new Promise<Array<Record<string, unknown>>>((resolve, reject) =>
    client.query(text, values, (error: Error | null, result: { rows: Array<Record<string, unknown>> }) => error ? reject(error) : resolve(result.rows)))
/** The statements this connection holds prepared, as PostgreSQL lists them. */
const prepared = async () =>
  (await client.query("select name, statement from pg_prepared_statements order by name")).rows as Array<{ name: string; statement: string }>

beforeAll(async () => {
  db = await createTestDatabase("prepared")
  client = new PreparingClient({ connectionString: db.url })
  await client.connect()
})
afterAll(async () => {
  await client?.end()
  await db?.drop()
})

describe("PreparingClient", () => {
  it("prepares a parameterized text on its second run and reuses it, with the right results each time", async () => {
    const text = "select $1::int + 1 as n"
    expect(await run(text, [1])).toEqual([{ n: 2 }])
    expect(await prepared()).toEqual([])
    expect(await run(text, [2])).toEqual([{ n: 3 }])
    expect((await prepared()).map((p) => p.statement)).toEqual([text])
    expect(await run(text, [41])).toEqual([{ n: 42 }])
    expect((await prepared()).length).toBe(1)
  })

  it("prepares the promise form of query too (the bench's floor uses it)", async () => {
    const text = "select $1::text || '!' as s"
    for (const v of ["a", "b", "c"]) expect((await client.query(text, [v])).rows).toEqual([{ s: `${v}!` }])
    expect((await prepared()).map((p) => p.statement)).toContain(text)
    // The prepared promise form rejects with PostgreSQL's error, and the connection goes on.
    const typed = "select $1::int as n"
    await client.query(typed, [1])
    await expect(client.query(typed, ["one"])).rejects.toMatchObject({ code: "22P02" })
    expect((await client.query(typed, [2])).rows).toEqual([{ n: 2 }])
  })

  it("leaves statements without parameters unnamed, and multi-statement scripts still run", async () => {
    await client.query("deallocate all")
    const before = (await prepared()).length
    for (let i = 0; i < 3; i++) await client.query("select 1; select 2")
    expect((await prepared()).length).toBe(before)
  })

  it("keeps at most PREPARED_PER_CONNECTION statements, deallocating the least recently used", async () => {
    const fresh = new PreparingClient({ connectionString: db.url })
    await fresh.connect()
    try {
      const texts = Array.from({ length: PREPARED_PER_CONNECTION + 10 }, (_, i) => `select $1::int * ${i + 1} as n`)
      const runOn = (text: string, v: number) =>
        new Promise<unknown>((resolve, reject) => fresh.query(text, [v], (e: Error | null, r: { rows: unknown }) => e ? reject(e) : resolve(r.rows)))
      for (const text of texts) {
        await runOn(text, 1)
        expect(await runOn(text, 2)).toEqual([{ n: 2 * (texts.indexOf(text) + 1) }])
      }
      const held = (await fresh.query("select statement from pg_prepared_statements")).rows.map((r: { statement: string }) => r.statement)
      expect(held.length).toBe(PREPARED_PER_CONNECTION)
      expect(held).not.toContain(texts[0])
      expect(held).toContain(texts[texts.length - 1])
      // An evicted text is prepared again under a new name when it repeats.
      await runOn(texts[0]!, 3)
      expect(await runOn(texts[0]!, 3)).toEqual([{ n: 3 }])
    } finally {
      await fresh.end()
    }
  })

  it("recovers when a table's columns change under a prepared statement", async () => {
    await client.query("create table shape (id int primary key, a text)")
    await client.query("insert into shape values (1, 'x')")
    const text = "select * from shape where id = $1"
    await run(text, [1])
    expect(await run(text, [1])).toEqual([{ id: 1, a: "x" }])
    await client.query("alter table shape add column b text default 'y'")
    // PostgreSQL refuses the cached plan once (0A000); the client forgets it and prepares anew.
    await expect(run(text, [1])).rejects.toThrow(/cached plan must not change result type/)
    await run(text, [1])
    expect(await run(text, [1])).toEqual([{ id: 1, a: "x", b: "y" }])
  })
})
