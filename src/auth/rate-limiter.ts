/**
 * One per-caller request counter shared by both transports, so a caller's HTTP and gRPC calls draw
 * from the same allowance. Fixed windows, counted in memory, expired lazily (no timers); at most
 * `maxTrackedCallers` windows are held and the oldest are dropped beyond that, so a flood of
 * distinct callers cannot grow memory without bound. The HTTP side plugs this store into
 * `@fastify/rate-limit`; the gRPC side calls `consume` directly.
 *
 * Per process: behind a load balancer with N replicas a caller gets up to N times the limit.
 */

export interface RateLimit {
  max: number
  windowMs: number
}

export interface RateDecision {
  allowed: boolean
  /** Calls counted in the current window, this one included. */
  current: number
  limit: number
  remaining: number
  /** Time until the window resets (what `Retry-After` reports when refused). */
  resetMs: number
}

interface Window {
  count: number
  startedAt: number
}

/** The shape `@fastify/rate-limit` expects of a `store` constructor's instances. */
export interface FastifyRateLimitStore {
  incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number, max: number): void
  read(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number, max: number): void
  child(routeOptions: unknown): FastifyRateLimitStore
}

export interface RateLimiterOptions {
  maxTrackedCallers: number
  /** Injected clock for tests. */
  now?: () => number
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>()
  private readonly maxTrackedCallers: number
  private readonly now: () => number

  constructor(options: RateLimiterOptions) {
    this.maxTrackedCallers = options.maxTrackedCallers
    this.now = options.now ?? Date.now
  }

  /** Callers with a live or stale window held in memory (bounded by `maxTrackedCallers`). */
  get trackedCallers(): number {
    return this.windows.size
  }

  /** Counts one call for `key` in a window of `windowMs`; returns the count and the time left in the window. */
  hit(key: string, windowMs: number): { current: number; ttlMs: number } {
    const now = this.now()
    let window = this.windows.get(key)
    if (window === undefined || window.startedAt + windowMs <= now) {
      window = { count: 0, startedAt: now }
      // Re-inserting keeps the Map in window-start order, so the first entries are the oldest.
      this.windows.delete(key)
      this.windows.set(key, window)
      this.evict()
    }
    window.count += 1
    return { current: window.count, ttlMs: window.startedAt + windowMs - now }
  }

  /** The current count without counting a call. */
  peek(key: string, windowMs: number): { current: number; ttlMs: number } {
    const now = this.now()
    const window = this.windows.get(key)
    if (window === undefined || window.startedAt + windowMs <= now) return { current: 0, ttlMs: 0 }
    return { current: window.count, ttlMs: window.startedAt + windowMs - now }
  }

  /** Counts one call and says whether it is within `limit`. */
  consume(key: string, limit: RateLimit): RateDecision {
    const { current, ttlMs } = this.hit(key, limit.windowMs)
    return {
      allowed: current <= limit.max,
      current,
      limit: limit.max,
      remaining: Math.max(0, limit.max - current),
      resetMs: ttlMs,
    }
  }

  /** A `store` constructor for `@fastify/rate-limit` backed by this limiter (every route shares it). */
  fastifyStore(): new (options: unknown) => FastifyRateLimitStore {
    const limiter = this
    return class SharedRateLimitStore implements FastifyRateLimitStore {
      incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
        const { current, ttlMs } = limiter.hit(key, timeWindow)
        callback(null, { current, ttl: ttlMs })
      }
      read(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
        const { current, ttlMs } = limiter.peek(key, timeWindow)
        callback(null, { current, ttl: ttlMs })
      }
      child(): FastifyRateLimitStore {
        return this
      }
    }
  }

  private evict(): void {
    if (this.windows.size <= this.maxTrackedCallers) return
    for (const key of this.windows.keys()) {
      if (this.windows.size <= this.maxTrackedCallers) break
      this.windows.delete(key)
    }
  }
}

/** The limiter key of a caller: its API key id when authenticated, else its client address. */
export const callerKey = (identity: { keyId: string } | undefined, clientAddress: string | undefined): string =>
  identity !== undefined ? `key:${identity.keyId}` : `ip:${normaliseAddress(clientAddress ?? 'unknown')}`

/** `::ffff:10.0.0.1` and `10.0.0.1` are one caller; so are `[::1]` and `::1`. */
export const normaliseAddress = (address: string): string => {
  const trimmed = address.trim().toLowerCase().replace(/^\[|\]$/g, '')
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice('::ffff:'.length) : trimmed
}
