import pg from "pg"

/**
 * A timestamptz sent as text (`column::text`) inside a JSON aggregate, parsed by the parser pg
 * uses for timestamptz result columns: the Date is the one a plain column would have given
 * (sub-millisecond digits dropped the same way, the session's time zone read the same way).
 * JSON's own rendering of a timestamp ('T', '+00:00') is another format, which that parser does
 * not read.
 */
export const timestampFromText: (text: string) => Date = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, "text")

/** A row read from such an aggregate: the timestamp fields `K` still text (null stays null). */
export type WithTextTimes<Row, K extends keyof Row> =
  Omit<Row, K> & { readonly [P in K]: null extends Row[P] ? string | null : string }

export const optionalTimestampFromText = (text: string | null): Date | null => (text === null ? null : timestampFromText(text))
