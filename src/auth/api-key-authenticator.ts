/**
 * Checks a presented API key against the configured digests. The presented key is hashed once and
 * compared with every configured digest using `timingSafeEqual` (equal-length SHA-256 digests), with
 * no early exit, so the time taken says nothing about which key, or how much of one, matched.
 */
import { timingSafeEqual } from 'node:crypto'
import { apiKeyDigest, digestFromHash } from './api-key-hash.js'

/** A configured key: the id is what logs, metrics and rate limits see; never the key itself. */
export interface ApiKeyRecord {
  id: string
  hash: string
  rate?: { max: number; windowMs: number } | undefined
}

/** Who a request is, once its key checked out. */
export interface ApiKeyIdentity {
  keyId: string
  rate: { max: number; windowMs: number } | undefined
}

export interface ApiKeyAuthenticator {
  /** The identity of `key`, or undefined when it matches no configured key (or is absent). */
  authenticate(key: string | undefined): ApiKeyIdentity | undefined
  readonly keyCount: number
}

/** Keys longer than this are refused before hashing: no configured key is, and hashing costs. */
const MAX_PRESENTED_KEY_LENGTH = 512

export const createApiKeyAuthenticator = (keys: readonly ApiKeyRecord[]): ApiKeyAuthenticator => {
  const entries = keys.map((record) => ({
    digest: digestFromHash(record.hash),
    identity: { keyId: record.id, rate: record.rate } satisfies ApiKeyIdentity,
  }))
  return {
    keyCount: entries.length,
    authenticate(key) {
      if (key === undefined || key.length === 0 || key.length > MAX_PRESENTED_KEY_LENGTH) return undefined
      const presented = apiKeyDigest(key)
      let match: ApiKeyIdentity | undefined
      for (const entry of entries) {
        // Every entry is compared even after a match: the loop's length does not depend on the key.
        if (timingSafeEqual(presented, entry.digest) && match === undefined) match = entry.identity
      }
      return match
    },
  }
}

/**
 * The token of an `Authorization: Bearer <token>` value (scheme case-insensitive, per RFC 6750),
 * or undefined for any other shape.
 */
export const bearerToken = (header: string | string[] | undefined): string | undefined => {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined) return undefined
  const match = /^bearer +([\x21-\x7e]+) *$/i.exec(value)
  return match?.[1]
}
