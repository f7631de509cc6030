/**
 * API keys are stored only as digests. driber issues random keys of 256 bits, so a fast
 * cryptographic hash is enough: a slow password hash (scrypt, argon2) protects low-entropy secrets
 * people choose, and would instead hand every unauthenticated caller a cheap way to burn CPU.
 *
 * Stored form: `sha256:<64 lowercase hex>`.
 */
import { createHash, randomBytes } from 'node:crypto'

export const API_KEY_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/
/** Source text of the pattern, for the config schema. */
export const API_KEY_HASH_PATTERN_SOURCE = '^sha256:[0-9a-f]{64}$'

/** Keys shorter than this are refused by the hashing command: they could be guessed. */
export const MIN_API_KEY_LENGTH = 24

/** The SHA-256 digest of a presented key, as raw bytes (what verification compares). */
export const apiKeyDigest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest()

/** The stored form of a key: `sha256:<hex>`. */
export const hashApiKey = (key: string): string => `sha256:${apiKeyDigest(key).toString('hex')}`

/** The raw digest inside a stored hash; throws on anything that is not `sha256:<64 hex>`. */
export const digestFromHash = (hash: string): Buffer => {
  if (!API_KEY_HASH_PATTERN.test(hash)) throw new Error('An API key hash must look like sha256:<64 lowercase hex digits>')
  return Buffer.from(hash.slice('sha256:'.length), 'hex')
}

/** A new random key: `drb_` and 43 base64url characters (256 bits). */
export const generateApiKey = (): string => `drb_${randomBytes(32).toString('base64url')}`
