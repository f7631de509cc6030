/**
 * Shared HTTP plumbing for OpenAI-compatible upstreams: one keep-alive connection pool (an undici
 * `Pool`) per base URL origin and one SDK client per (base URL, key), both reference-counted so
 * the last model to close releases the sockets. The SDK's `fetch` is `leanFetch` (undici's pooled
 * `request`, see lean-fetch.ts). Models differ only in their idle timeout, which travels in their
 * per-request `fetchOptions`, so they still share connections.
 */
import OpenAI from 'openai'
import { Pool } from 'undici'
import { leanFetch, type LeanFetchOptions } from './lean-fetch.js'

export interface ClientLeaseOptions {
  baseUrl: string
  /** The key itself (already looked up), or undefined for a keyless local server. */
  apiKey: string | undefined
  /** Longest silence allowed for headers, and between body chunks. */
  idleTimeoutMs: number
}

/** What a model holds while it lives; `release()` once when the model closes. */
export interface ClientLease {
  readonly client: OpenAI
  /**
   * The SDK's per-request `fetchOptions` for this model: the origin's pool and the model's idle
   * timeout. Built once per lease: the SDK spreads it into every request.
   */
  readonly fetchOptions: LeanFetchOptions
  release(): Promise<void>
}

interface Counted<T> {
  value: T
  references: number
}

/** Keep-alive long enough to reuse sockets between requests, short enough not to outlive a load balancer's idle cut. */
const KEEP_ALIVE_MS = 30_000

export class OpenAIClientPool {
  readonly #pools = new Map<string, Counted<Pool>>()
  readonly #clients = new Map<string, Counted<OpenAI>>()

  acquire(options: ClientLeaseOptions): ClientLease {
    const origin = new URL(options.baseUrl).origin
    let pool = this.#pools.get(origin)
    if (pool === undefined) {
      pool = { value: new Pool(origin, { keepAliveTimeout: KEEP_ALIVE_MS, connections: null, pipelining: 1 }), references: 0 }
      this.#pools.set(origin, pool)
    }
    pool.references++

    // The key is part of the identity so two tenants of one server never share credentials; it is
    // only a map key in memory, never logged.
    const clientKey = `${options.baseUrl}\u0000${options.apiKey ?? ''}`
    let client = this.#clients.get(clientKey)
    if (client === undefined) {
      client = {
        value: new OpenAI({
          baseURL: options.baseUrl,
          // Keyless servers (Ollama, vLLM without --api-key) get no Authorization header at all.
          apiKey: options.apiKey ?? 'unused',
          ...(options.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
          organization: null,
          project: null,
          webhookSecret: null,
          // Our retry policy decides; SDK retries would multiply attempts and hide them from metrics.
          maxRetries: 0,
          logLevel: 'off',
          fetch: leanFetch as typeof globalThis.fetch,
        }),
        references: 0,
      }
      this.#clients.set(clientKey, client)
    }
    client.references++

    let released = false
    const heldPool = pool
    const heldClient = client
    return {
      client: client.value,
      fetchOptions: { dispatcher: pool.value, idleTimeoutMs: options.idleTimeoutMs },
      release: async () => {
        if (released) return
        released = true
        if (--heldClient.references === 0) this.#clients.delete(clientKey)
        if (--heldPool.references === 0) {
          this.#pools.delete(origin)
          await heldPool.value.close()
        }
      },
    }
  }

  /** Open pools, for tests and /readyz-style introspection. */
  get size(): { pools: number; clients: number } {
    return { pools: this.#pools.size, clients: this.#clients.size }
  }
}
