import bcrypt from "bcryptjs"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"

const ROUNDS = 12

/** bcrypt, so CoPilot's passlib `$2b$` hashes verify unchanged. */
export const hash = (password: string) => Effect.promise(() => bcrypt.hash(password, ROUNDS))

export const verify = (password: string, digest: string) =>
  Effect.promise(() => bcrypt.compare(password, digest).catch(() => false))

/** A password a person can copy: 24 characters from an unambiguous alphabet. */
export const generate = (): string => {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
  return Array.from(randomBytes(24), (b) => alphabet[b % alphabet.length]).join("")
}
