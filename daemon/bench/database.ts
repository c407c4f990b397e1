import { Effect, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import * as Embedded from "../src/db/EmbeddedPostgres.js"

/** The database the benchmarks run against, and how to give it back. */
export interface BenchDatabase {
  readonly url: string
  /** Where it came from, for the report. */
  readonly source: string
  /** `select version()`. */
  readonly serverVersion: string
  readonly close: () => Promise<void>
}

const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

const queryOnce = async (url: string, text: string): Promise<Array<Record<string, unknown>>> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text)).rows as Array<Record<string, unknown>>
  } finally {
    await client.end()
  }
}

const serverVersion = async (url: string) => String((await queryOnce(url, "show server_version"))[0]?.["server_version"] ?? "?")

/** A fresh database on the server of an admin URL; dropped on close. */
const onServer = async (adminUrl: string): Promise<BenchDatabase> => {
  const name = `sockeye_bench_${randomBytes(5).toString("hex")}`
  const version = await serverVersion(adminUrl)
  await queryOnce(adminUrl, `create database ${name}`)
  return {
    url: withDatabase(adminUrl, name),
    source: `database ${name} on SOCKEYE_TEST_DATABASE_URL's server`,
    serverVersion: version,
    close: async () => { await queryOnce(adminUrl, `drop database if exists ${name} with (force)`) }
  }
}

/** An embedded cluster under a fresh 0755 dir in /tmp (reachable by the postgres user when root). */
const embedded = async (): Promise<BenchDatabase> => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-bench-pg-"))
  fs.chmodSync(home, 0o755)
  const cleanup = () => fs.rmSync(home, { recursive: true, force: true })
  let cluster
  try {
    cluster = await Effect.runPromise(Embedded.acquire(home))
  } catch (error) {
    cleanup()
    throw error
  }
  const started = cluster
  const url = Redacted.value(started.url)
  const close = async () => {
    await Effect.runPromise(Embedded.release(started))
    cleanup()
  }
  try {
    return { url, source: `embedded cluster in ${home}`, serverVersion: await serverVersion(url), close }
  } catch (error) {
    await close()
    throw error
  }
}

/**
 * SOCKEYE_BENCH_DATABASE_URL as given (left as it is); else a fresh database on
 * SOCKEYE_TEST_DATABASE_URL's server; else an embedded cluster of our own.
 */
export const openDatabase = async (): Promise<BenchDatabase> => {
  const given = process.env["SOCKEYE_BENCH_DATABASE_URL"]
  if (given) {
    return { url: given, source: "SOCKEYE_BENCH_DATABASE_URL", serverVersion: await serverVersion(given), close: async () => {} }
  }
  const test = process.env["SOCKEYE_TEST_DATABASE_URL"]
  if (test) return onServer(test)
  return embedded()
}
