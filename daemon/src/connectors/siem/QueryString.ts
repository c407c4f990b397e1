import { Either } from "effect"

/**
 * The query-string subset the local index understands (the OpenSearch layer hands the text to
 * the indexer, which knows the whole Lucene syntax). Fields are dotted paths into the document
 * and every field compares like a `keyword`, as the Wazuh template maps strings:
 *
 *   field:value        equal (case-sensitive); `10` also matches the number 10, `true` the boolean
 *   field:"a phrase"   equal to the phrase
 *   field:val*         starts with `val` (strings)
 *   field:*            the field exists, as `_exists_:field`
 *   field:>=n  >n  <n  <=n   numeric comparison (numbers and numeric strings)
 *   word  "a phrase"   full text: some string value contains it, case-insensitively (`word*` too)
 *   * and *:*          every document
 *   AND  OR  NOT  ( )  with NOT > AND > OR; adjacent clauses are AND-ed (default_operator AND)
 *   \x                 escapes one character: in a value (`path:C\:\\Windows`) or a field (`threat\ Name`)
 *
 * `_id` and `_index` compare the document id and index name. Anything else (ranges `[a TO b]`,
 * fuzzy `~`, boosts `^`, regular expressions, `?` or inner `*` wildcards, `+`/`-`/`!`/`&&`/`||`,
 * field groups `f:(a b)`, wildcard field names) is refused with the reason and the position.
 */
export type QueryNode =
  | { readonly kind: "all" }
  | { readonly kind: "and"; readonly nodes: ReadonlyArray<QueryNode> }
  | { readonly kind: "or"; readonly nodes: ReadonlyArray<QueryNode> }
  | { readonly kind: "not"; readonly node: QueryNode }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "term"; readonly field: string; readonly value: string }
  | { readonly kind: "prefix"; readonly field: string; readonly prefix: string }
  | { readonly kind: "compare"; readonly field: string; readonly op: ">" | ">=" | "<" | "<="; readonly value: number }
  | { readonly kind: "exists"; readonly field: string }

/** As OpenSearch's indices.query.bool.max_clause_count default. */
export const MAX_CLAUSES = 1024
const MAX_DEPTH = 32

interface Char { readonly ch: string; readonly escaped: boolean }
type Token =
  | { readonly t: "(" | ")"; readonly pos: number }
  | { readonly t: "op"; readonly op: "AND" | "OR" | "NOT"; readonly pos: number }
  | { readonly t: "clause"; readonly node: QueryNode; readonly pos: number }

class Refused {
  constructor(readonly reason: string, readonly pos: number) {}
}
const refuse = (reason: string, pos: number): never => { throw new Refused(reason, pos) }

const FIELD = /^[A-Za-z0-9_@][\w@.\-]*$/
const NUMBER = /^-?\d+(\.\d+)?$/
const text = (chars: ReadonlyArray<Char>) => chars.map((c) => c.ch).join("")
const findBare = (chars: ReadonlyArray<Char>, ch: string, from = 0) => chars.findIndex((c, i) => i >= from && !c.escaped && c.ch === ch)

/** Rejects value syntax outside the subset; `pos` is where the value starts. */
const checkValue = (chars: ReadonlyArray<Char>, pos: number) => {
  const first = chars[0]
  if (first && !first.escaped && (first.ch === "[" || first.ch === "{")) refuse("ranges [a TO b] are not supported: use field:>=a AND field:<b", pos)
  if (first && !first.escaped && first.ch === "/") refuse("regular expressions /…/ are not supported", pos)
  chars.forEach((c, i) => {
    if (c.escaped) return
    if (c.ch === "~") refuse("fuzzy and proximity searches (~) are not supported", pos + i)
    if (c.ch === "^") refuse("boosts (^) are not supported", pos + i)
    if (c.ch === "?" || (c.ch === "*" && i !== chars.length - 1)) refuse("wildcards are supported only at the end of a value (val*)", pos + i)
    if ("[]{}".includes(c.ch)) refuse(`'${c.ch}' must be escaped (\\${c.ch}) or quoted`, pos + i)
  })
}

const checkField = (field: string, pos: number) => {
  if (field.includes("*")) refuse("wildcard field names are not supported", pos)
  if (!FIELD.test(field) || field.split(".").includes("")) refuse(`${JSON.stringify(field)} is not a field name (letters, digits, _ @ . -)`, pos)
  return field
}

/** Escaped characters (a space: `threat\ Name`) belong to a key; an escaped dot would need keys with dots. */
const fieldName = (chars: ReadonlyArray<Char>, pos: number) => {
  if (chars.some((c) => c.escaped && c.ch === ".")) refuse("field names with escaped dots are not supported", pos)
  checkField(chars.map((c) => (c.escaped ? "a" : c.ch)).join(""), pos)
  return text(chars)
}

/** A word without a field: full text, or every document. */
const bareClause = (chars: ReadonlyArray<Char>, pos: number): QueryNode => {
  const raw = text(chars)
  if (raw === "*" && !chars[0]!.escaped) return { kind: "all" }
  const first = chars[0]!
  if (!first.escaped && (first.ch === "+" || first.ch === "-")) refuse("the + and - prefixes are not supported: use AND and NOT", pos)
  if (!first.escaped && first.ch === "!") refuse("use NOT instead of !", pos)
  checkValue(chars, pos)
  const last = chars[chars.length - 1]!
  // A trailing * adds nothing to a contains-search.
  return { kind: "text", text: !last.escaped && last.ch === "*" ? raw.slice(0, -1) : raw }
}

/** `field:value` in its forms; `value` holds the characters after the colon. */
const fieldClause = (fieldChars: ReadonlyArray<Char>, value: ReadonlyArray<Char>, pos: number, valuePos: number): QueryNode => {
  if (text(fieldChars) === "*" && text(value) === "*") return { kind: "all" }
  const field = fieldName(fieldChars, pos)
  if (value.length === 0) return refuse(`${field}: needs a value`, valuePos)
  if (field === "_exists_") return { kind: "exists", field: fieldName(value, valuePos) }
  const first = value[0]!
  if (!first.escaped && (first.ch === ">" || first.ch === "<")) {
    const inclusive = value[1]?.ch === "=" && !value[1].escaped
    const op = first.ch === ">" ? (inclusive ? ">=" : ">") : (inclusive ? "<=" : "<")
    const number = text(value.slice(op.length))
    if (!NUMBER.test(number)) refuse(`${field}:${op} takes a number (for times, use from and to)`, valuePos + op.length)
    return { kind: "compare", field, op, value: Number(number) }
  }
  const colon = findBare(value, ":")
  if (colon >= 0) refuse("a second ':' in field:value: quote the value or escape it (\\:)", valuePos + colon)
  if (value.length === 1 && !first.escaped && first.ch === "*") return { kind: "exists", field }
  checkValue(value, valuePos)
  const last = value[value.length - 1]!
  if (!last.escaped && last.ch === "*") return { kind: "prefix", field, prefix: text(value.slice(0, -1)) }
  return { kind: "term", field, value: text(value) }
}

const tokenize = (query: string): ReadonlyArray<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  const phrase = (start: number): string => {
    let out = ""
    for (i = start + 1; i < query.length; i++) {
      if (query[i] === "\\" && i + 1 < query.length) out += query[++i]
      else if (query[i] === "\"") {
        i++
        if (query[i] === "~") refuse("proximity searches (\"…\"~n) are not supported", i)
        if (query[i] === "^") refuse("boosts (^) are not supported", i)
        return out
      } else out += query[i]
    }
    return refuse("unterminated phrase", start)
  }
  while (i < query.length) {
    const ch = query[i]!
    if (/\s/.test(ch)) { i++; continue }
    if (ch === "(" || ch === ")") { tokens.push({ t: ch, pos: i++ }); continue }
    const start = i
    if (ch === "\"") { tokens.push({ t: "clause", node: { kind: "text", text: phrase(i) }, pos: start }); continue }
    const chars: Array<Char> = []
    while (i < query.length && !/[\s()"]/.test(query[i]!)) {
      if (query[i] === "\\") {
        if (i + 1 >= query.length) refuse("a trailing \\ escapes nothing", i)
        chars.push({ ch: query[i + 1]!, escaped: true })
        i += 2
      } else chars.push({ ch: query[i++]!, escaped: false })
    }
    const raw = text(chars)
    const plain = chars.every((c) => !c.escaped)
    if (plain && (raw === "AND" || raw === "OR" || raw === "NOT")) { tokens.push({ t: "op", op: raw, pos: start }); continue }
    if (plain && (raw === "&&" || raw === "||")) refuse(`use ${raw === "&&" ? "AND" : "OR"} instead of ${raw}`, start)
    const colon = findBare(chars, ":")
    const endsWithColon = colon === chars.length - 1
    if (colon < 0 && query[i] === "\"") refuse("unexpected \" inside a word: quote the whole value", i)
    if (colon < 0) { tokens.push({ t: "clause", node: bareClause(chars, start), pos: start }); continue }
    const fieldChars = chars.slice(0, colon)
    if (endsWithColon && query[i] === "(") refuse("field:(…) groups are not supported: write field:a OR field:b", i)
    if (endsWithColon && query[i] === "\"") {
      const fieldAt = start
      const valuePos = i
      const value = phrase(i)
      if (text(fieldChars) === "_exists_") refuse("_exists_ takes a field name, not a phrase", valuePos)
      tokens.push({ t: "clause", node: { kind: "term", field: fieldName(fieldChars, fieldAt), value }, pos: fieldAt })
      continue
    }
    if (colon < chars.length - 1 && query[i] === "\"") refuse("unexpected \" inside a value: quote the whole value", i)
    tokens.push({ t: "clause", node: fieldClause(fieldChars, chars.slice(colon + 1), start, start + colon + 1), pos: start })
  }
  return tokens
}

/** Parses `query` into a tree, or says what is unsupported and where (1-based character). */
export const parseQuery = (query: string): Either.Either<QueryNode, string> => {
  try {
    const tokens = tokenize(query)
    if (tokens.length === 0) return Either.right({ kind: "all" })
    let at = 0
    let clauses = 0
    const peek = () => tokens[at]
    const end = query.length

    const primary = (depth: number): QueryNode => {
      const token = tokens[at]
      if (!token) return refuse("the query ends where a clause was expected", end)
      if (token.t === "clause") {
        at++
        if (++clauses > MAX_CLAUSES) refuse(`more than ${MAX_CLAUSES} clauses`, token.pos)
        return token.node
      }
      if (token.t === "(") {
        if (depth >= MAX_DEPTH) refuse(`parentheses nest deeper than ${MAX_DEPTH}`, token.pos)
        at++
        if (peek()?.t === ")") refuse("empty parentheses", token.pos)
        const inner = or(depth + 1)
        if (peek()?.t !== ")") refuse("missing ) for this (", token.pos)
        at++
        return inner
      }
      return refuse(token.t === "op" ? `${token.op} needs a clause before it` : "unexpected )", token.pos)
    }
    const not = (depth: number): QueryNode => {
      const token = peek()
      if (token?.t === "op" && token.op === "NOT") {
        at++
        if (depth >= MAX_DEPTH) refuse(`NOT nests deeper than ${MAX_DEPTH}`, token.pos)
        return { kind: "not", node: not(depth + 1) }
      }
      return primary(depth)
    }
    const and = (depth: number): QueryNode => {
      const nodes = [not(depth)]
      for (;;) {
        const token = peek()
        if (token?.t === "op" && token.op === "AND") at++
        else if (!(token && (token.t === "clause" || token.t === "(" || (token.t === "op" && token.op === "NOT")))) break
        nodes.push(not(depth))
      }
      return nodes.length === 1 ? nodes[0]! : { kind: "and", nodes }
    }
    const or = (depth: number): QueryNode => {
      const nodes = [and(depth)]
      for (let token = peek(); token?.t === "op" && token.op === "OR"; token = peek()) {
        at++
        nodes.push(and(depth))
      }
      return nodes.length === 1 ? nodes[0]! : { kind: "or", nodes }
    }

    const tree = or(0)
    const rest = peek()
    if (rest) refuse(rest.t === ")" ? "unexpected )" : "unexpected input", rest.pos)
    return Either.right(tree)
  } catch (error) {
    if (error instanceof Refused) return Either.left(`${error.reason} (at character ${error.pos + 1})`)
    throw error
  }
}
