import { codeOf, dataOf, ErrorCode, ProtocolError, type RpcError, type WireError } from "@sockeye/protocol"

const isRpcError = (u: unknown): u is RpcError =>
  typeof u === "object" && u !== null && "_tag" in u && "message" in u && typeof codeOf(u as RpcError) === "number"

/**
 * Any failure as it went on the wire: a daemon error keeps its code and data; a link that could
 * not be opened (no daemon, refused socket) is -32010 unavailable.
 */
export const wireOf = (error: unknown): WireError => {
  if (error instanceof ProtocolError) {
    return error.data === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, data: error.data }
  }
  if (isRpcError(error)) {
    const data = dataOf(error)
    return data ? { code: codeOf(error), message: error.message, data } : { code: codeOf(error), message: error.message }
  }
  return { code: ErrorCode.Unavailable, message: error instanceof Error ? error.message : String(error) }
}
