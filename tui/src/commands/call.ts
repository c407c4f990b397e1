import { connect, type DaemonClient } from "@sockeye/client"
import { credentialsOf, targetOf, UsageError, type ConnectionFlags } from "../connection.js"
import { wireOf } from "../errors.js"
import { readAll, type Io } from "../io.js"

export interface CallArgs {
  readonly method: string | undefined
  /** The params as JSON; "-" reads them from stdin; none means {}. */
  readonly params: string | undefined
  readonly compact: boolean
  /** --dry-run: adds `dryRun: true`, so a mutation answers what it would change. */
  readonly dryRun: boolean
  readonly flags: ConnectionFlags
  readonly clientInfo: { readonly name: string; readonly version: string }
}

const parseParams = (text: string): object => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`params are not valid JSON: ${(error as Error).message}`)
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError("params must be a JSON object, e.g. '{\"limit\": 5}'")
  }
  return value
}

/**
 * `sockeye call METHOD [JSON]`: the result as JSON on stdout (exit 0), or the error as
 * `{code, message, data}` on stderr (exit 1). The params go to the daemon as given: it checks them.
 */
export const call = async (args: CallArgs, io: Io): Promise<number> => {
  if (!args.method) throw new UsageError("call needs a METHOD, e.g. sockeye call alerts/list '{\"limit\": 5}'")
  const given = parseParams(args.params === "-" ? await readAll(io.stdin) : args.params ?? "{}")
  const params = args.dryRun ? { ...given, dryRun: true } : given
  const onBehalfOf = args.flags.onBehalfOf ?? io.env["SOCKEYE_ON_BEHALF_OF"]
  const target = targetOf(args.flags, io.env)
  const credentials = credentialsOf(args.flags, io.env)
  let client: DaemonClient | undefined
  try {
    client = await connect(target, {
      clientInfo: args.clientInfo, reconnect: false, ...(credentials ? { credentials } : {}), ...(onBehalfOf ? { onBehalfOf } : {})
    })
    const result = await client.raw(args.method, params)
    io.stdout(`${JSON.stringify(result, null, args.compact ? undefined : 2)}\n`)
    return 0
  } catch (error) {
    io.stderr(`${JSON.stringify(wireOf(error))}\n`)
    return 1
  } finally {
    await client?.close()
  }
}
