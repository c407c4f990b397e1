import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Conflict, NotFound, type Customer } from "@sockeye/protocol"
import { customerVisible } from "../Access.js"
import { audit } from "../Audit.js"
import { CurrentPrincipal, type Principal } from "../Principal.js"
import { mapSqlErrors } from "./sqlErrors.js"
import { retryingTransaction } from "../../db/Transaction.js"

/** The editable fields as the wire names them; undefined leaves a column alone, null clears it. */
export interface CustomerInput {
  readonly customerName?: string | undefined
  readonly parentCustomerCode?: string | null | undefined
  readonly contactFirstName?: string | null | undefined
  readonly contactLastName?: string | null | undefined
  readonly phone?: string | null | undefined
  readonly addressLine1?: string | null | undefined
  readonly addressLine2?: string | null | undefined
  readonly city?: string | null | undefined
  readonly state?: string | null | undefined
  readonly postalCode?: string | null | undefined
  readonly country?: string | null | undefined
  readonly customerType?: string | null | undefined
}

// Wire field -> column. Only these are ever written, so the column names are constants.
const columnOf: Readonly<Record<keyof CustomerInput, string>> = {
  customerName: "customer_name",
  parentCustomerCode: "parent_customer_code",
  contactFirstName: "contact_first_name",
  contactLastName: "contact_last_name",
  phone: "phone",
  addressLine1: "address_line1",
  addressLine2: "address_line2",
  city: "city",
  state: "state",
  postalCode: "postal_code",
  country: "country",
  customerType: "customer_type"
}

const columnsOf = (input: CustomerInput): Record<string, string | null> => {
  const columns: Record<string, string | null> = {}
  for (const [field, column] of Object.entries(columnOf)) {
    const value = input[field as keyof CustomerInput]
    if (value !== undefined) columns[column] = value
  }
  return columns
}

const selectColumns = (sql: SqlClient.SqlClient) => sql`
  c.id, c.customer_code, c.customer_name, c.parent_customer_code, c.contact_first_name, c.contact_last_name,
  c.phone, c.address_line1, c.address_line2, c.city, c.state, c.postal_code, c.country, c.customer_type,
  c.logo_file, c.created_at`

/** Customers the principal may see: the same customer rule as alerts and cases. */
const visible = (sql: SqlClient.SqlClient, principal: Principal) =>
  principal.system ? sql`true` : customerVisible(sql, principal.user.id, sql`c.customer_code`)

const notFound = (code: string) => new NotFound({ message: `customer ${code} not found` })

export const list = Effect.fn("Customers.list")(function*() {
  const sql = yield* SqlClient.SqlClient
  const principal = yield* CurrentPrincipal
  return yield* sql<Customer>`
    select ${selectColumns(sql)} from customers c where ${visible(sql, principal)} order by c.customer_code`
    .pipe(Effect.orDie)
})

export const get = Effect.fn("Customers.get")(function*(code: string) {
  const sql = yield* SqlClient.SqlClient
  const principal = yield* CurrentPrincipal
  const rows = yield* sql<Customer>`
    select ${selectColumns(sql)} from customers c where c.customer_code = ${code} and ${visible(sql, principal)}`
    .pipe(Effect.orDie)
  // Invisible and missing answer alike, so a customer_user cannot probe for other codes.
  if (rows.length === 0) return yield* notFound(code)
  return rows[0]!
})

export const create = Effect.fn("Customers.create")(function*(code: string, input: CustomerInput & { readonly customerName: string }) {
  const sql = yield* SqlClient.SqlClient
  return yield* retryingTransaction(sql, Effect.gen(function*() {
    const rows = yield* sql<Customer>`
      insert into customers as c ${sql.insert({ customer_code: code, ...columnsOf(input) })}
      returning ${selectColumns(sql)}`
    const customer = rows[0]!
    yield* audit("customers/create", `created customer ${code} (id ${customer.id})`)
    return customer
  })).pipe(mapSqlErrors("customers/create", {
    ix_customers_customer_code: () => new Conflict({ message: `customer ${code} exists` })
  }))
})

export const update = Effect.fn("Customers.update")(function*(code: string, input: CustomerInput) {
  const sql = yield* SqlClient.SqlClient
  const columns = columnsOf(input)
  return yield* retryingTransaction(sql, Effect.gen(function*() {
    const rows = Object.keys(columns).length > 0
      ? yield* sql<Customer>`
          update customers c set ${sql.update(columns)} where c.customer_code = ${code} returning ${selectColumns(sql)}`
      : yield* sql<Customer>`select ${selectColumns(sql)} from customers c where c.customer_code = ${code}`
    if (rows.length === 0) return yield* notFound(code)
    yield* audit("customers/update", `updated customer ${code}: ${Object.keys(columns).join(", ") || "no changes"}`)
    return rows[0]!
  })).pipe(mapSqlErrors("customers/update"))
})
