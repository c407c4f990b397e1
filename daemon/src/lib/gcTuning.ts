import * as v8 from "node:v8"

/**
 * Turns off V8's allocation-site pretenuring. Once enough objects from one allocation site survive
 * a young-generation GC, V8 allocates that site's objects straight into the old generation. A
 * request's objects die with the request, yet under steady load the sites that serve every
 * request (pg's row handling, Effect's fibers) got pretenured, and an old object, dead or not,
 * keeps what it points to alive through the next scavenge: the young rows, page JSON and closures
 * of finished requests were copied and promoted too. Measured over the alerts bench at 1M alerts:
 * 1.5 MB copied per scavenge, pauses of 4–6 ms on average and up to 20 ms, a large part of the
 * daemon's p99; with pretenuring off 0.24 MB and 2.5 ms (daemon/bench/RESULTS.md). V8 reads
 * the flag at every GC, so setting it at start-up is enough.
 */
export const tuneGc = () => {
  v8.setFlagsFromString("--no-allocation-site-pretenuring")
}
