import type { Effect } from "effect"
import type { Method, ParamsOf, ResultOf, RpcError } from "@sockeye/protocol"
import type { CurrentPrincipal } from "../domain/Principal.js"
import type { Tokens } from "../domain/auth/Tokens.js"
import type { SchemaCatalog } from "../domain/schema/SchemaCatalog.js"
import type { MigrationsService } from "../domain/schema/MigrationsService.js"
import type { Alerts } from "../domain/alerts/Alerts.js"
import type { Cases } from "../domain/cases/Cases.js"
import type { Users } from "../domain/users/Users.js"
import type { Tags } from "../domain/tags/Tags.js"
import type { SiemService } from "../domain/siem/Siem.js"
import type { Ingest } from "../domain/ingest/Ingest.js"
import type { Jobs } from "../domain/jobs/Jobs.js"
import type { RequestProgress } from "./Progress.js"
import type { Encoded } from "./Encoded.js"
import type { Files } from "../domain/files/Files.js"
import type { Uploads } from "../domain/files/Uploads.js"
import type { Artifacts } from "../domain/files/Artifacts.js"

/** What a handler may use; the router provides exactly these. */
export type HandlerServices = CurrentPrincipal | Tokens | SchemaCatalog | MigrationsService | Alerts | Cases | Users | Tags
  | SiemService | Ingest | Jobs | RequestProgress | Files | Uploads | Artifacts

/** One method's implementation: typed params in, typed result (or its wire JSON) out; the router does the wire. */
export interface Handler {
  readonly method: Method
  readonly run: (params: any) => Effect.Effect<unknown, RpcError, HandlerServices>
}

export const handle = <M extends Method>(
  method: M,
  run: (params: ParamsOf<M>) => Effect.Effect<ResultOf<M> | Encoded<ResultOf<M>>, RpcError, HandlerServices>
): Handler => ({ method, run })
