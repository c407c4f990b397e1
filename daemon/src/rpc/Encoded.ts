/**
 * A result already in its wire form: JSON text that the transports splice into the response
 * as it is. Hot read paths whose JSON PostgreSQL builds (alerts/list) answer with one, so the
 * daemon neither parses the rows nor walks a Schema nor stringifies the page; the type says which
 * result the text encodes, and tests decode it with the method's Schema.
 *
 * The text is kept as the pieces it was made of (the page's JSON from PostgreSQL between a few
 * bytes of envelope): the socket writes each piece, where concatenating them first copied the
 * page once more on the JavaScript heap.
 */
export class Encoded<out A> {
  declare readonly _A: () => A
  readonly parts: ReadonlyArray<string>
  constructor(...parts: ReadonlyArray<string>) {
    this.parts = parts
  }

  /** The whole text, for consumers that need it in one string (MCP, tests). */
  get json(): string {
    return this.parts.join("")
  }
}

/** The value a consumer that cannot splice text (MCP) works with. */
export const decodedValue = (value: unknown): unknown => value instanceof Encoded ? JSON.parse(value.json) : value
