/**
 * What a graceful HTTP drain needs to know about the requests a fastify instance has received:
 * how many are still unanswered, when the last one arrived, and how many are pending on each
 * connection.
 *
 * Closing the listener the moment a drain begins loses work: connections still in the kernel's
 * accept queue and requests already sent on keep-alive connections are reset without an answer.
 * So the listener stays open while draining (new requests get 503 `DRIBER_SHUTTING_DOWN`), and
 * closes only once nothing is in flight and no request has arrived for a quiet moment.
 *
 * Answers sent while draining carry `Connection: close` so clients stop reusing the connection,
 * except when more requests are already pending on it (HTTP/1.1 pipelining): Node drops whatever
 * is queued behind a `Connection: close` answer, so only the last pending answer may carry it
 * (Node parses a pipelined request only once the one before it has been handled, hence the
 * event-loop turn `create-http-app.ts` waits before deciding).
 */
import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyRequest } from 'fastify'

export interface HttpDrain {
  /** Requests received and not yet answered (or abandoned by their client). */
  readonly inFlight: number
  /** True when no other request is pending on this request's connection (its answer may close it). */
  isLastOnConnection(request: FastifyRequest): boolean
  /**
   * Resolves true once no request is in flight and none has arrived (probes aside) for `quietMs`
   * since this was called or since the last arrival; false when `deadline` (epoch ms) comes first.
   */
  settled(quietMs: number, deadline: number): Promise<boolean>
}

export interface HttpDrainOptions {
  /** Requests on these paths (health probes) do not keep the listener open: they arrive for ever. */
  readonly quietPaths: ReadonlySet<string>
}

/** Registers the bookkeeping hook on `app` (call it before any hook that may answer early). */
export const trackHttpDrain = (app: FastifyInstance, options: HttpDrainOptions): HttpDrain => {
  let inFlight = 0
  let lastArrival = 0
  let wakeOnIdle: Array<() => void> = []
  const pendingBySocket = new WeakMap<Socket, number>()

  app.addHook('onRequest', (request, reply, done) => {
    inFlight++
    if (!options.quietPaths.has(request.url.split('?')[0] ?? '')) lastArrival = Date.now()
    const socket = request.raw.socket
    pendingBySocket.set(socket, (pendingBySocket.get(socket) ?? 0) + 1)
    // 'close' fires once per response, whether it was sent or its connection went away first.
    reply.raw.once('close', () => {
      pendingBySocket.set(socket, Math.max(0, (pendingBySocket.get(socket) ?? 1) - 1))
      inFlight = Math.max(0, inFlight - 1)
      if (inFlight === 0) for (const wake of wakeOnIdle.splice(0)) wake()
    })
    done()
  })

  const idleOrDeadline = (deadline: number): Promise<void> =>
    new Promise((resolve) => {
      if (inFlight === 0) return resolve()
      const wake = (): void => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        wakeOnIdle = wakeOnIdle.filter((waiter) => waiter !== wake)
        resolve()
      }, Math.max(0, deadline - Date.now()))
      wakeOnIdle.push(wake)
    })

  return {
    get inFlight() {
      return inFlight
    },
    isLastOnConnection: (request) => (pendingBySocket.get(request.raw.socket) ?? 0) <= 1,
    async settled(quietMs, deadline) {
      // The quiet moment counts from the drain's start at the earliest: connections may be queued
      // in the kernel, and load balancers take a moment to stop sending, even to an idle instance.
      lastArrival = Math.max(lastArrival, Date.now())
      for (;;) {
        await idleOrDeadline(deadline)
        const now = Date.now()
        if (inFlight > 0) return false
        const quietUntil = lastArrival + quietMs
        if (quietUntil <= now) return true
        if (now >= deadline) return false
        await new Promise((resolve) => setTimeout(resolve, Math.min(quietUntil, deadline) - now))
      }
    },
  }
}
