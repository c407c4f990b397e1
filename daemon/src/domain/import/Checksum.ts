import { createHash } from "node:crypto"

const MASK = (1n << 64n) - 1n

/**
 * An order-free checksum of rows: the sum, modulo 2^64, of each row's 64-bit MD5 prefix. The
 * source streams in key order and the target in heap order; a sum does not care.
 */
export class Checksum {
  count = 0
  private sum = 0n

  add(canonical: ReadonlyArray<string | null>) {
    this.count++
    this.sum = (this.sum + createHash("md5").update(JSON.stringify(canonical)).digest().readBigUInt64BE(0)) & MASK
  }

  get hex() {
    return this.sum.toString(16).padStart(16, "0")
  }
}
