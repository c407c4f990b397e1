import pg from "pg"

/**
 * A timestamptz sent as text (`column::text`) inside a JSON aggregate, parsed by the parser pg
 * uses for timestamptz result columns: the Date is the one a plain column would have given
 * (sub-millisecond digits dropped the same way, the session's time zone read the same way).
 * JSON's own rendering of a timestamp ('T', '+00:00') is another format, which that parser does
 * not read.
 */
export const timestampFromText: (text: string) => Date = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, "text")
