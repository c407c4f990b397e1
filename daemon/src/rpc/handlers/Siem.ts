import { Effect } from "effect"
import { Siem } from "@sockeye/protocol"
import { SiemService } from "../../domain/siem/Siem.js"
import { handle } from "../Handler.js"

export const siemHandlers = [
  handle(Siem.SiemGet, (p) => Effect.flatMap(SiemService, (s) => s.get(p))),
  handle(Siem.SiemSearch, (p) => Effect.flatMap(SiemService, (s) => s.search(p))),
  handle(Siem.AlertsEvent, (p) => Effect.flatMap(SiemService, (s) => s.event(p)))
]
