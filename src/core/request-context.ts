/**
 * What a core call needs to know about the request that carries it, independent of transport.
 */
import type { Logger } from 'pino'
import type { Attempt } from './types.js'

/** Mutable per-request accounting, so transports can report driber's own overhead (total minus upstream waits). */
export interface RequestTiming {
  upstreamSeconds: number
  /** Time spent in backoff before retries (absent: none yet); neither upstream time nor driber's own work. */
  retryWaitSeconds?: number
}

export interface RequestContext {
  /** Echoed to clients, logged on every line, forwarded to upstreams as `x-request-id`. */
  readonly requestId: string
  /** Aborts when the client goes away or the deadline passes; every upstream call listens to it. */
  readonly signal: AbortSignal
  /** Absolute deadline (epoch ms) for the whole operation. */
  readonly deadline: number
  readonly logger: Logger
  readonly timing: RequestTiming
  /**
   * Every model call of the request, across stages, as the stage runner records them. Transports
   * give it to the error when the request ends by its deadline or its client, because by then the
   * stage that made the calls has not answered (absent: nobody reads it).
   */
  readonly attempts?: Attempt[]
}
