import { Either, Option, Schema, SchemaAST as AST } from "effect"

/**
 * A decoder for the daemon's answers that gives what `Schema.decodeUnknownSync` gives, at a
 * fraction of its cost. Effect's decoder builds an Either per value and keeps context for its
 * error messages: for a page of 50 alert summaries that is about 240 µs and 500 KB of garbage,
 * enough to put a GC of the client inside 3–4% of its calls. Answers are nearly always valid, so
 * this decodes them on a path compiled once per schema from its AST that allocates only the
 * output, and hands anything it does not accept, or a schema shape it does not know, to Effect's
 * decoder, which then answers exactly as it always did (the value, or its precise ParseError).
 * Refinements, transformations and declarations run Effect's own functions, so their rules are
 * written once. test/compiledDecoder.test.ts checks it against Effect's decoder for every schema
 * of the protocol.
 */
type Fast = (input: unknown) => unknown

/** The compiled path's "not accepted": every such value goes to Effect's decoder. */
const REJECT: unique symbol = Symbol("reject")

const options: AST.ParseOptions = {}

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** A synchronous ParseResult's value, or REJECT (a failure or an asynchronous effect). */
const rightOf = (result: unknown): unknown =>
  Either.isEither(result) && Either.isRight(result) ? result.right : REJECT

const compileStruct = (ast: AST.TypeLiteral): Fast | undefined => {
  if (ast.indexSignatures.length > 0) {
    if (ast.propertySignatures.length > 0 || ast.indexSignatures.length > 1) return undefined
    const signature = ast.indexSignatures[0]!
    if (signature.parameter._tag !== "StringKeyword") return undefined
    const value = compile(signature.type)
    if (!value) return undefined
    return (input) => {
      if (!isPlainObject(input)) return REJECT
      const output: Record<string, unknown> = {}
      for (const key of Object.keys(input)) {
        const decoded = value(input[key])
        if (decoded === REJECT) return REJECT
        output[key] = decoded
      }
      return output
    }
  }
  if (ast.propertySignatures.length === 0) return undefined
  const fields: Array<Fast> = []
  const lines: Array<string> = []
  for (const [i, signature] of ast.propertySignatures.entries()) {
    const field = compile(signature.type)
    if (!field || typeof signature.name !== "string") return undefined
    fields.push(field)
    const key = JSON.stringify(signature.name)
    const decode = `v = fields[${i}](input[${key}]); if (v === REJECT) return REJECT; output[${key}] = v`
    lines.push(signature.isOptional
      ? `if (hasOwn.call(input, ${key})) { ${decode} }`
      : `if (!hasOwn.call(input, ${key})) return REJECT; ${decode}`)
  }
  // Generated so that every key is a constant property store: V8 then gives each struct one
  // hidden class and inline caches, where a loop storing output[name] ran three times slower.
  const body = `return (input) => {
    if (!isPlainObject(input)) return REJECT
    const output = {}
    let v
    ${lines.join("\n    ")}
    return output
  }`
  return new Function("fields", "REJECT", "isPlainObject", "hasOwn", body)(fields, REJECT, isPlainObject, Object.prototype.hasOwnProperty) as Fast
}

const compileArray = (ast: AST.TupleType): Fast | undefined => {
  if (ast.elements.length > 0 || ast.rest.length !== 1) return undefined
  const item = compile(ast.rest[0]!.type)
  if (!item) return undefined
  return (input) => {
    if (!Array.isArray(input)) return REJECT
    const output = new Array<unknown>(input.length)
    for (let i = 0; i < input.length; i++) {
      const decoded = item(input[i])
      if (decoded === REJECT) return REJECT
      output[i] = decoded
    }
    return output
  }
}

const compileUnion = (ast: AST.Union): Fast | undefined => {
  const members: Array<Fast> = []
  for (const type of ast.types) {
    const member = compile(type)
    if (!member) return undefined
    members.push(member)
  }
  return (input) => {
    for (const member of members) {
      const decoded = member(input)
      if (decoded !== REJECT) return decoded
    }
    return REJECT
  }
}

const compileRefinement = (ast: AST.Refinement): Fast | undefined => {
  const from = compile(ast.from)
  if (!from) return undefined
  return (input) => {
    const value = from(input)
    return value === REJECT || Option.isSome(ast.filter(value, options, ast)) ? REJECT : value
  }
}

const compileTransformation = (ast: AST.Transformation): Fast | undefined => {
  if (!AST.isFinalTransformation(ast.transformation)) return undefined
  const transform = ast.transformation.decode
  const from = compile(ast.from)
  const to = compile(ast.to)
  if (!from || !to) return undefined
  return (input) => {
    const value = from(input)
    if (value === REJECT) return REJECT
    const transformed = rightOf(transform(value, options, ast, input))
    return transformed === REJECT ? REJECT : to(transformed)
  }
}

const compileDeclaration = (ast: AST.Declaration): Fast | undefined => {
  if (ast.typeParameters.length > 0) return undefined
  const decode = ast.decodeUnknown()
  return (input) => rightOf(decode(input, options, ast))
}

const typeOf = (type: "string" | "number" | "boolean"): Fast => (input) => typeof input === type ? input : REJECT

const compileUncached = (ast: AST.AST): Fast | undefined => {
  switch (ast._tag) {
    case "StringKeyword": return typeOf("string")
    case "NumberKeyword": return typeOf("number")
    case "BooleanKeyword": return typeOf("boolean")
    case "UndefinedKeyword": return (input) => input === undefined ? input : REJECT
    case "NeverKeyword": return () => REJECT
    case "UnknownKeyword":
    case "AnyKeyword": return (input) => input
    case "Enums": {
      const values = ast.enums.map(([, value]) => value)
      return (input) => values.includes(input as string | number) ? input : REJECT
    }
    case "Literal": {
      const literal = ast.literal
      return (input) => input === literal ? input : REJECT
    }
    case "TypeLiteral": return compileStruct(ast)
    case "TupleType": return compileArray(ast)
    case "Union": return compileUnion(ast)
    case "Refinement": return compileRefinement(ast)
    case "Transformation": return compileTransformation(ast)
    case "Declaration": return compileDeclaration(ast)
    default: return undefined
  }
}

/** null: a shape this path does not compile (Suspend, tuples, template literals …), decoded by Effect alone. */
const compiled = new WeakMap<AST.AST, Fast | null>()

const compile = (ast: AST.AST): Fast | undefined => {
  const known = compiled.get(ast)
  if (known !== undefined) return known ?? undefined
  const fast = compileUncached(ast)
  compiled.set(ast, fast ?? null)
  return fast
}

/** The compiled path where there is one, and `slow` for what it does not accept. */
const fastThenSlow = <B>(ast: AST.AST, slow: (input: unknown) => B, wrap: (value: unknown) => B): (input: unknown) => B => {
  const fast = compile(ast)
  if (!fast) return slow
  return (input) => {
    const decoded = fast(input)
    return decoded === REJECT ? slow(input) : wrap(decoded)
  }
}

const decoders = new WeakMap<AST.AST, (input: unknown) => unknown>()

/** `Schema.decodeUnknownSync(schema)`, with the same answers, through the compiled path when it can. */
export const decoderFor = <A, I>(schema: Schema.Schema<A, I, never>): (input: unknown) => A => {
  let decoder = decoders.get(schema.ast)
  if (!decoder) {
    decoder = fastThenSlow(schema.ast, Schema.decodeUnknownSync(schema), (value) => value)
    decoders.set(schema.ast, decoder)
  }
  return decoder as (input: unknown) => A
}

/** `Schema.decodeUnknownOption(schema)`, through the compiled path when it can. */
export const optionDecoderFor = <A, I>(schema: Schema.Schema<A, I, never>): (input: unknown) => Option.Option<A> =>
  fastThenSlow(schema.ast, Schema.decodeUnknownOption(schema), (value) => Option.some(value as A))

/** Whether `decoderFor` has a compiled path for this schema (tests check the hot answers have one). */
export const isCompiled = (schema: Schema.Schema.Any): boolean => compile(schema.ast) !== undefined
