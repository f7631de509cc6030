/**
 * Shared HTTP plumbing for OpenAI-compatible upstreams: one keep-alive connection pool (an undici
 * `Agent`) per base URL origin and one SDK client per (base URL, key), both reference-counted so
 * the last model to close releases the sockets. Models differ only in their idle timeout, which is
 * set per request by a thin interceptor over the shared agent, so they still share connections.
 */
import OpenAI from 'openai'
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici'

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
  /** The shared agent with this model's idle timeouts applied. */
  readonly dispatcher: Dispatcher
  release(): Promise<void>
}

interface Counted<T> {
  value: T
  references: number
}

/** Keep-alive long enough to reuse sockets between requests, short enough not to outlive a load balancer's idle cut. */
const KEEP_ALIVE_MS = 30_000

export class OpenAIClientPool {
  readonly #agents = new Map<string, Counted<Agent>>()
  readonly #clients = new Map<string, Counted<OpenAI>>()

  acquire(options: ClientLeaseOptions): ClientLease {
    const origin = new URL(options.baseUrl).origin
    let agent = this.#agents.get(origin)
    if (agent === undefined) {
      agent = { value: new Agent({ keepAliveTimeout: KEEP_ALIVE_MS, connections: null, pipelining: 1 }), references: 0 }
      this.#agents.set(origin, agent)
    }
    agent.references++

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
          // undici's own fetch, so the dispatcher below is the same undici version that runs it.
          fetch: undiciFetch as unknown as typeof globalThis.fetch,
          fetchOptions: { dispatcher: agent.value } as Record<string, unknown>,
        }),
        references: 0,
      }
      this.#clients.set(clientKey, client)
    }
    client.references++

    const idle = options.idleTimeoutMs
    const dispatcher = agent.value.compose(
      (dispatch) => (dispatchOptions, handler) => dispatch({ ...dispatchOptions, headersTimeout: idle, bodyTimeout: idle }, handler),
    )
    let released = false
    const heldAgent = agent
    const heldClient = client
    return {
      client: client.value,
      dispatcher,
      release: async () => {
        if (released) return
        released = true
        if (--heldClient.references === 0) this.#clients.delete(clientKey)
        if (--heldAgent.references === 0) {
          this.#agents.delete(origin)
          await heldAgent.value.close()
        }
      },
    }
  }

  /** Open pools, for tests and /readyz-style introspection. */
  get size(): { agents: number; clients: number } {
    return { agents: this.#agents.size, clients: this.#clients.size }
  }
}
