/**
 * A result already in its wire form: JSON text that the transports splice into the response
 * as it is. Hot read paths whose JSON PostgreSQL builds (alerts/list) answer with one, so the
 * daemon neither parses the rows nor walks a Schema nor stringifies the page; the type says which
 * result the text encodes, and tests decode it with the method's Schema.
 */
export class Encoded<out A> {
  declare readonly _A: () => A
  constructor(readonly json: string) {}
}

/** The value a consumer that cannot splice text (MCP) works with. */
export const decodedValue = (value: unknown): unknown => value instanceof Encoded ? JSON.parse(value.json) : value
