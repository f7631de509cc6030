/**
 * Everything both transports need to decide whether to serve a call, built once per app from the
 * config: the access policy, the key authenticator, the shared rate limiter and the TLS material.
 * `app.ts` builds one and hands it to the HTTP plugins and the gRPC call interceptor.
 */
import type { Config } from '../config.js'
import { resolveAccessPolicy, type AccessPolicy } from './access-policy.js'
import { createApiKeyAuthenticator, type ApiKeyAuthenticator, type ApiKeyIdentity } from './api-key-authenticator.js'
import { RateLimiter, type RateLimit } from './rate-limiter.js'
import { loadTlsMaterial, type TlsMaterial } from './tls-material.js'

export interface Security {
  readonly policy: AccessPolicy
  readonly authenticator: ApiKeyAuthenticator
  readonly rateLimiter: RateLimiter
  /** Whether calls are rate limited: `rateLimit.enabled`, or when unset, whether auth is on. */
  readonly rateLimitEnabled: boolean
  /** The allowance of a caller (its key's own rate, else the default), or undefined when rate limiting is off. */
  rateLimitFor(identity: ApiKeyIdentity | undefined): RateLimit | undefined
  /** PEM material when TLS is configured, for both servers. */
  readonly tls: TlsMaterial | undefined
  /** Retry-After for load-shedding refusals. */
  readonly pressureRetryAfterMs: number
}

/** Builds the security bundle; reads the keys file and TLS files, so it throws CONFIG_INVALID early. */
export const createSecurity = (config: Config): Security => {
  const policy = resolveAccessPolicy(config)
  const defaultRate: RateLimit = { max: config.rateLimit.max, windowMs: config.rateLimit.windowMs }
  const rateLimitEnabled = config.rateLimit.enabled ?? policy.enabled
  return {
    policy,
    authenticator: createApiKeyAuthenticator(policy.keys),
    rateLimiter: new RateLimiter({ maxTrackedCallers: config.rateLimit.maxTrackedCallers }),
    rateLimitEnabled,
    rateLimitFor: (identity) => (rateLimitEnabled ? (identity?.rate ?? defaultRate) : undefined),
    tls: loadTlsMaterial(config.tls),
    pressureRetryAfterMs: config.pressure.retryAfterSeconds * 1000,
  }
}
