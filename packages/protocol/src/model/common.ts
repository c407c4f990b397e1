import { Schema } from "effect"

/** A row id: a positive integer. */
export const Id = Schema.Int.pipe(Schema.positive()).annotations({ identifier: "Id", description: "a row id" })

/** A UTC instant; on the wire an ISO-8601 string. */
export const Timestamp = Schema.Date.annotations({
  identifier: "Timestamp",
  description: "an ISO-8601 date-time in UTC",
  jsonSchema: { type: "string", format: "date-time" }
})

/** Params of a method that takes none: an empty object (any key is refused; an empty Struct would let keys through). */
export const NoParams = Schema.Record({ key: Schema.String, value: Schema.Never }).annotations({ identifier: "NoParams" })

/** A non-empty string of bounded length, for names and free text typed by people. */
export const boundedString = (max: number) => Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max))
