import { connectorError } from "../connectorErrors.js"
import type { SiemError } from "../../connectors/siem/SiemIndex.js"

/** A SiemError on the wire; a refused request points at the query, the one param the index judges. */
export const toRpcError = (error: SiemError) => connectorError(error, ["query"])
