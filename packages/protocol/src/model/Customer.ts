import { Schema } from "effect"
import { Id, Timestamp } from "./common.js"
import { CustomerCode } from "./Incident.js"

const optionalText = (max: number) => Schema.optional(Schema.NullOr(Schema.String.pipe(Schema.maxLength(max))))

/** The editable columns of `customers`, camelCased. */
export const CustomerFields = {
  customerName: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(50)),
  parentCustomerCode: optionalText(11),
  contactFirstName: optionalText(50),
  contactLastName: optionalText(50),
  phone: optionalText(50),
  addressLine1: optionalText(1024),
  addressLine2: optionalText(1024),
  city: optionalText(50),
  state: optionalText(50),
  postalCode: optionalText(15),
  country: optionalText(50),
  customerType: optionalText(50)
}

export const Customer = Schema.Struct({
  id: Id,
  customerCode: Schema.String,
  customerName: Schema.String,
  parentCustomerCode: Schema.NullOr(Schema.String),
  contactFirstName: Schema.NullOr(Schema.String),
  contactLastName: Schema.NullOr(Schema.String),
  phone: Schema.NullOr(Schema.String),
  addressLine1: Schema.NullOr(Schema.String),
  addressLine2: Schema.NullOr(Schema.String),
  city: Schema.NullOr(Schema.String),
  state: Schema.NullOr(Schema.String),
  postalCode: Schema.NullOr(Schema.String),
  country: Schema.NullOr(Schema.String),
  customerType: Schema.NullOr(Schema.String),
  logoFile: Schema.NullOr(Schema.String),
  createdAt: Timestamp
}).annotations({ identifier: "Customer" })
export type Customer = typeof Customer.Type

export { CustomerCode }
