import { beforeAll, describe, expect, it } from "vitest"
import type { DaemonClient } from "@sockeye/client"
import { Users, type Customer } from "@sockeye/protocol"
import { query } from "../../fixtures/Postgres.js"
import { ADMIN_PASSWORD } from "../../fixtures/Daemon.js"
import { connectAs, seedCustomer, seedUser } from "../../fixtures/Seed.js"
import { auditSince, lastAuditId, rawAs, rawError, rejection, useDaemon } from "./harness.js"

const { harness: h, track } = useDaemon("customers")

const blank = {
  parentCustomerCode: null, contactFirstName: null, contactLastName: null, phone: null, addressLine1: null,
  addressLine2: null, city: null, state: null, postalCode: null, country: null, customerType: null, logoFile: null
}
const created: Record<string, Date> = {}
const seeded = (code: string): Customer => ({ id: ids[code]!, customerCode: code, customerName: `${code} Inc`, ...blank, createdAt: created[code]! })

const ids: Record<string, number> = {}
const as: Record<string, DaemonClient> = {}
beforeAll(async () => {
  for (const code of ["ACME", "BETA", "GAMMA"]) {
    ids[code] = await seedCustomer(h.url, code, `${code} Inc`)
    created[code] = (await query(h.url, "select created_at from customers where id = $1", [ids[code]]))[0].created_at
  }
  await seedUser(h.url, { username: "ann", role: "analyst" })
  await seedUser(h.url, { username: "sched", role: "scheduler" })
  const both = await seedUser(h.url, { username: "both", role: "customer_user" })
  await seedUser(h.url, { username: "none", role: "customer_user" })
  await h.admin.call(Users.CustomerAccessSet, { userId: both, customerCodes: ["ACME", "GAMMA"] })
  for (const name of ["ann", "sched", "both", "none"]) as[name] = track(await connectAs(h.daemon, name))
})

describe("customers/list", () => {
  it("admin and analyst see every customer, ordered by code", async () => {
    const all = ["ACME", "BETA", "GAMMA"].map(seeded)
    expect(await h.admin.call(Users.CustomersList, {})).toEqual(all)
    expect(await as.ann!.call(Users.CustomersList, {})).toEqual(all)
  })

  it("a customer_user sees only its codes; with none, and as scheduler, nothing", async () => {
    expect(await as.both!.call(Users.CustomersList, {})).toEqual([seeded("ACME"), seeded("GAMMA")])
    expect(await as.none!.call(Users.CustomersList, {})).toEqual([])
    expect(await as.sched!.call(Users.CustomersList, {})).toEqual([])
  })
})

describe("customers/get", () => {
  it("returns a visible customer", async () => {
    expect(await h.admin.call(Users.CustomersGet, { customerCode: "BETA" })).toEqual(seeded("BETA"))
    expect(await as.both!.call(Users.CustomersGet, { customerCode: "GAMMA" })).toEqual(seeded("GAMMA"))
  })

  it("answers an invisible customer exactly like a missing one", async () => {
    const hidden = await rejection(as.both!.call(Users.CustomersGet, { customerCode: "BETA" }), -32004)
    const missing = await rejection(as.both!.call(Users.CustomersGet, { customerCode: "NOPE" }), -32004)
    expect(hidden.message).toBe("customer BETA not found")
    expect(missing.message).toBe("customer NOPE not found")
    expect((await rejection(as.sched!.call(Users.CustomersGet, { customerCode: "ACME" }), -32004)).message).toBe("customer ACME not found")
    expect((await rejection(h.admin.call(Users.CustomersGet, { customerCode: "NOPE" }), -32004)).message).toBe("customer NOPE not found")
  })
})

describe("customers/create", () => {
  it("creates a customer with every field and audits it", async () => {
    const before = await lastAuditId(h.url)
    const fields = {
      customerName: "Delta Ltd", parentCustomerCode: "ACME", contactFirstName: "Dee", contactLastName: "Elta",
      phone: "+1 555", addressLine1: "1 Road", addressLine2: "Unit 2", city: "Town", state: "ST", postalCode: "12345",
      country: "NZ", customerType: "msp"
    }
    const customer = await h.admin.call(Users.CustomersCreate, { customerCode: "DELTA", ...fields })
    expect(customer).toEqual({ id: expect.any(Number), customerCode: "DELTA", ...fields, logoFile: null, createdAt: expect.any(Date) })
    expect(await h.admin.call(Users.CustomersGet, { customerCode: "DELTA" })).toEqual(customer)
    expect((await auditSince(h.url, before)).map((r) => [r.route, r.message, r.userId]))
      .toEqual([["customers/create", `created customer DELTA (id ${customer.id})`, h.adminId]])
  })

  it("leaves omitted fields null", async () => {
    const customer = await h.admin.call(Users.CustomersCreate, { customerCode: "EPS", customerName: "Eps" })
    expect(customer).toEqual({ id: expect.any(Number), customerCode: "EPS", customerName: "Eps", ...blank, createdAt: expect.any(Date) })
  })

  it("refuses a duplicate code with -32009 and writes nothing", async () => {
    const before = await lastAuditId(h.url)
    const error = await rejection(h.admin.call(Users.CustomersCreate, { customerCode: "ACME", customerName: "Again" }), -32009)
    expect(error.message).toBe("customer ACME exists")
    expect(await query(h.url, "select customer_name from customers where customer_code = 'ACME'")).toEqual([{ customer_name: "ACME Inc" }])
    expect(await auditSince(h.url, before)).toEqual([])
  })

  it("stores SQL metacharacters literally", async () => {
    const name = `Robert'); drop table customers;--`
    const code = `x'"\\%_;`
    const customer = await h.admin.call(Users.CustomersCreate, { customerCode: code, customerName: name, city: "$1 ? :a" })
    expect(customer).toMatchObject({ customerCode: code, customerName: name, city: "$1 ? :a" })
    expect(await query(h.url, "select customer_name, city from customers where customer_code = $1", [code]))
      .toEqual([{ customer_name: name, city: "$1 ? :a" }])
    expect(await h.admin.call(Users.CustomersGet, { customerCode: code })).toEqual(customer)
  })

  it("is refused (-32003) to analyst and customer_user", async () => {
    for (const name of ["ann", "both"]) {
      await rejection(as[name]!.call(Users.CustomersCreate, { customerCode: `BY-${name}`, customerName: "x" }), -32003)
    }
    expect(await query(h.url, "select id from customers where customer_code like 'BY-%'")).toEqual([])
  })
})

describe("customers/update", () => {
  it("changes only the fields given; null clears one", async () => {
    await h.admin.call(Users.CustomersCreate, { customerCode: "UPD", customerName: "Upd", city: "Old", phone: "1" })
    const before = await lastAuditId(h.url)
    const updated = await h.admin.call(Users.CustomersUpdate, { customerCode: "UPD", city: "New", phone: null })
    expect(updated).toMatchObject({ customerCode: "UPD", customerName: "Upd", city: "New", phone: null, country: null })
    expect(await h.admin.call(Users.CustomersGet, { customerCode: "UPD" })).toEqual(updated)
    const renamed = await h.admin.call(Users.CustomersUpdate, { customerCode: "UPD", customerName: "Renamed" })
    expect(renamed).toEqual({ ...updated, customerName: "Renamed" })
    expect(await h.admin.call(Users.CustomersUpdate, { customerCode: "UPD" })).toEqual(renamed)
    expect((await auditSince(h.url, before)).map((r) => [r.route, r.message])).toEqual([
      ["customers/update", "updated customer UPD: phone, city"],
      ["customers/update", "updated customer UPD: customer_name"],
      ["customers/update", "updated customer UPD: no changes"]
    ])
  })

  it("answers NotFound for a missing code", async () => {
    expect((await rejection(h.admin.call(Users.CustomersUpdate, { customerCode: "NOPE", city: "x" }), -32004)).message)
      .toBe("customer NOPE not found")
    expect((await rejection(h.admin.call(Users.CustomersUpdate, { customerCode: "NOPE" }), -32004)).message)
      .toBe("customer NOPE not found")
  })

  it("is refused (-32003) to analyst and customer_user", async () => {
    for (const name of ["ann", "both"]) {
      await rejection(as[name]!.call(Users.CustomersUpdate, { customerCode: "ACME", customerName: "Hacked" }), -32003)
    }
    expect((await h.admin.call(Users.CustomersGet, { customerCode: "ACME" })).customerName).toBe("ACME Inc")
  })
})

describe("bad input", () => {
  it("answers -32602 with the offending path and changes nothing", async () => {
    const conn = track(await rawAs(h.daemon, "admin", ADMIN_PASSWORD))
    const snapshot = () => query(h.url, "select * from customers order by id")
    const before = await snapshot()
    const cases: Array<[string, unknown, Array<string | number>]> = [
      ["customers/get", {}, ["customerCode"]],
      ["customers/get", { customerCode: 7 }, ["customerCode"]],
      ["customers/get", { customerCode: "" }, ["customerCode"]],
      ["customers/create", { customerCode: "NEW" }, ["customerName"]],
      ["customers/create", { customerCode: "", customerName: "x" }, ["customerCode"]],
      ["customers/create", { customerCode: "x".repeat(51), customerName: "x" }, ["customerCode"]],
      ["customers/create", { customerCode: "NEW", customerName: "x".repeat(51) }, ["customerName"]],
      ["customers/create", { customerCode: "NEW", customerName: "" }, ["customerName"]],
      ["customers/create", { customerCode: "NEW", customerName: "x", postalCode: "1".repeat(16) }, ["postalCode"]],
      ["customers/create", { customerCode: "NEW", customerName: "x", parentCustomerCode: "P".repeat(12) }, ["parentCustomerCode"]],
      ["customers/create", { customerCode: "NEW", customerName: "x", phone: 5 }, ["phone"]],
      ["customers/create", { customerCode: "NEW", customerName: "x", logoFile: "a.png" }, ["logoFile"]],
      ["customers/create", { customerCode: "NEW", customerName: "nul\u0000byte" }, ["customerName"]],
      ["customers/update", { customerCode: "ACME", customerName: null }, ["customerName"]],
      ["customers/update", { customerCode: "ACME", city: ["x"] }, ["city"]],
      ["customers/update", { customerCode: "ACME", id: 3 }, ["id"]],
      ["customers/update", { customerCode: "ACME", country: "nul\u0000" }, ["country"]],
      ["customers/list", ["ACME"], []],
      ["customers/get", ["ACME"], []]
    ]
    for (const [method, params, path] of cases) {
      const error = await rawError(conn, method, params)
      expect(error.code, `${method} ${JSON.stringify(params)}`).toBe(-32602)
      expect(error.data.issues.map((i: { path: unknown }) => i.path), `${method} ${JSON.stringify(params)}`).toContainEqual(path)
    }
    expect(await snapshot()).toEqual(before)
  })
})
