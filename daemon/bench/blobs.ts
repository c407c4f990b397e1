/**
 * File transfer through the daemon (chunked base64 over the unix socket with @sockeye/client's
 * uploadFile / downloadFile) against the bare minio client talking to the same s3rver (the
 * floor: one PUT / GET of the whole object). s3rver stands in for MinIO, which cannot run here;
 * objects stay under the minio client's 64 MiB part size because s3rver has no multipart upload.
 * The filesystem store is measured too, beside a plain file copy as its floor.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"
import S3rver from "s3rver"
import { connect, downloadFile, uploadFile, type DaemonClient } from "@sockeye/client"
import type { BenchContext, BenchModule, Table } from "./index.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const DAEMON = path.resolve(here, "../../bin/sockeyed.js")
const MB = 1024 * 1024
const SIZES = [5 * MB, 50 * MB]
const ROUNDS = 3

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const mbps = (bytes: number, ms: number) => bytes / MB / (ms / 1000)
const fmt = (n: number) => n.toFixed(1)
const timed = async (body: () => Promise<unknown>) => {
  const start = performance.now()
  await body()
  return performance.now() - start
}

const startDaemon = (context: BenchContext, dir: string, env: Record<string, string>) =>
  new Promise<{ child: ChildProcess; socketPath: string }>((resolve, reject) => {
    const socketPath = path.join(dir, "s.sock")
    const child = spawn(process.execPath, [DAEMON, "--socket", socketPath], {
      env: { ...process.env, SOCKEYE_DATABASE_URL: context.databaseUrl, SOCKEYE_ADMIN_PASSWORD: context.adminPassword, ...env },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let log = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8")
      if (log.includes("listening on unix socket")) resolve({ child, socketPath })
    })
    child.once("exit", (code) => reject(new Error(`daemon exited with ${code}:\n${log}`)))
    context.defer(() => new Promise<void>((done) => {
      if (child.exitCode !== null) return done()
      child.once("exit", () => done())
      child.kill("SIGTERM")
    }))
  })

const randomFile = (dir: string, size: number) => {
  const file = path.join(dir, `in-${size}.bin`)
  fs.writeFileSync(file, size === 0 ? Buffer.alloc(0) : randomBytes(size))
  return file
}

interface Figures { up: number; down: number; floorUp: number; floorDown: number }

const measureDaemon = async (client: DaemonClient, caseId: number, file: string, size: number, dir: string) => {
  const ups: Array<number> = []
  const downs: Array<number> = []
  for (let round = 0; round < ROUNDS; round++) {
    let fileId = 0
    ups.push(await timed(async () => { fileId = (await uploadFile(client, { caseId }, file, { fileName: `bench-${size}.bin`, replace: true })).id }))
    const out = path.join(dir, "out.bin")
    downs.push(await timed(() => downloadFile(client, { fileId }, out)))
    fs.rmSync(out)
  }
  return { up: mbps(size, median(ups)), down: mbps(size, median(downs)) }
}

const run = async (context: BenchContext): Promise<ReadonlyArray<Table>> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sockeye-bench-blobs-"))
  context.defer(() => fs.rmSync(dir, { recursive: true, force: true }))
  const s3dir = path.join(dir, "s3rver")
  const server = new S3rver({ port: 0, address: "127.0.0.1", directory: s3dir, silent: true })
  const { port } = await server.run()
  context.defer(() => server.close())
  const Minio = await import("minio")
  const minio = new Minio.Client({ endPoint: "127.0.0.1", port, useSSL: false, accessKey: "S3RVER", secretKey: "S3RVER", region: "us-east-1" })

  const db = new pg.Client({ connectionString: context.databaseUrl })
  await db.connect()
  const rows: Array<Array<string>> = []
  const stores = [
    { name: "s3 (s3rver)", env: { SOCKEYE_BLOBS: "s3", SOCKEYE_S3_ENDPOINT: `http://127.0.0.1:${port}`, SOCKEYE_S3_ACCESS_KEY: "S3RVER", SOCKEYE_S3_SECRET_KEY: "S3RVER" } },
    { name: "fs", env: { SOCKEYE_BLOBS: "fs", SOCKEYE_BLOBS_DIR: path.join(dir, "blobs") } }
  ]
  for (const store of stores) {
    const daemonDir = fs.mkdtempSync(path.join(dir, "d-"))
    const daemon = await startDaemon(context, daemonDir, store.env)
    const client = await connect({ kind: "socket", path: daemon.socketPath }, {
      clientInfo: { name: "bench" }, credentials: { username: "admin", password: context.adminPassword }
    })
    context.defer(() => client.close())
    const caseId = (await db.query<{ id: number }>(
      "insert into incident_management_case (case_name, case_description, case_creation_time, case_status) values ('bench', '', now(), 'OPEN') returning id"
    )).rows[0]!.id
    for (const size of SIZES) {
      const file = randomFile(dir, size)
      const daemonFigures = await measureDaemon(client, caseId, file, size, dir)
      const floorUps: Array<number> = []
      const floorDowns: Array<number> = []
      for (let round = 0; round < ROUNDS; round++) {
        if (store.name === "fs") {
          const copy = path.join(dir, "copy.bin")
          floorUps.push(await timed(async () => {
            const bytes = await fs.promises.readFile(file)
            createHash("sha256").update(bytes).digest("hex")
            await fs.promises.writeFile(copy, bytes)
          }))
          floorDowns.push(await timed(() => fs.promises.readFile(copy)))
        } else {
          floorUps.push(await timed(async () => {
            const bytes = await fs.promises.readFile(file)
            await minio.putObject("copilot-cases", `floor/${size}.bin`, bytes, size)
          }))
          floorDowns.push(await timed(async () => {
            const parts: Array<Buffer> = []
            for await (const part of await minio.getObject("copilot-cases", `floor/${size}.bin`)) parts.push(part as Buffer)
            await fs.promises.writeFile(path.join(dir, "floor-out.bin"), Buffer.concat(parts))
          }))
        }
      }
      const figures: Figures = { ...daemonFigures, floorUp: mbps(size, median(floorUps)), floorDown: mbps(size, median(floorDowns)) }
      context.log(`blobs ${store.name} ${size / MB} MB: up ${fmt(figures.up)} MB/s (floor ${fmt(figures.floorUp)}), down ${fmt(figures.down)} MB/s (floor ${fmt(figures.floorDown)})`)
      rows.push([
        store.name, `${size / MB}`,
        fmt(figures.up), fmt(figures.floorUp), `${(figures.floorUp / figures.up).toFixed(1)}x`,
        fmt(figures.down), fmt(figures.floorDown), `${(figures.floorDown / figures.down).toFixed(1)}x`
      ])
      fs.rmSync(file)
    }
    await client.close()
  }
  await db.end()
  return [{
    title: "blobs: case file upload and download over the unix socket",
    header: ["store", "MB", "daemon up MB/s", "floor up MB/s", "floor/daemon up", "daemon down MB/s", "floor down MB/s", "floor/daemon down"],
    rows,
    notes: [
      `Median of ${ROUNDS} rounds. Daemon: @sockeye/client uploadFile (hash the file, 4 MiB base64 chunks, commit) and downloadFile (4 MiB chunks, hash check) over the unix socket.`,
      "Floor for s3: the bare minio client's one PUT / GET of the whole object against the same s3rver. Floor for fs: read + sha256 + write of the file / read of it."
    ]
  }]
}

export const blobs: BenchModule = {
  name: "blobs",
  description: "case file upload/download MB/s through the daemon vs the bare minio client against s3rver",
  run
}
