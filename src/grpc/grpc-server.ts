/**
 * Builds driber's gRPC server: `driber.v1.ImageSharing`, `grpc.health.v1.Health` and server
 * reflection, with message size limits from config. It never binds: `server.ts` owns ports and
 * shutdown, tests bind port 0.
 */
import * as grpc from '@grpc/grpc-js'
import { Server as TlsServer } from 'node:tls'
import { HealthImplementation, type ServingStatus } from 'grpc-health-check'
import type { Logger } from 'pino'
import type { CallAdmission } from '../auth/call-admission.js'
import { logTlsRefusals } from '../auth/tls-material.js'
import type { Config } from '../config.js'
import type { DriberCore } from '../core/driber-core.js'
import { addLazyReflection } from './add-lazy-reflection.js'
import { createCallInterceptor, type GrpcCallEvent } from './call-interceptor.js'
import { createImageSharingHandlers } from './image-sharing-handlers.js'
import { InFlightCalls } from './in-flight-calls.js'
import { imageSharingServiceName } from './proto-loader-options.js'
import { loadDriberProto } from './proto-package.js'
import { withStrictUtf8 } from './strict-utf8.js'
import { withUndecodableMarked } from './undecodable-requests.js'

export interface CreateGrpcServerOptions {
  readonly config: Config
  readonly core: DriberCore
  readonly logger: Logger
  /** Told about every finished ImageSharing call, and every call to an unknown method (metrics); must not throw. */
  readonly onCallDone?: (event: GrpcCallEvent) => void
  /** Told when an ImageSharing call starts (metrics' in-flight gauge); must not throw. */
  readonly onCallStart?: () => void
  /** Shedding, API keys and rate limits shared with HTTP; every ImageSharing (or unknown-method) call passes it before its body is read. */
  readonly admit?: CallAdmission
}

export interface GrpcServer {
  /** Not bound yet: `bindAsync` it (port 0 in tests), and shut it down with the HTTP server. */
  readonly server: grpc.Server
  /**
   * Health for `''` (the whole server) and `driber.v1.ImageSharing`: SERVING once the app is
   * ready, NOT_SERVING while starting (the initial state) and from the first moment of draining.
   */
  setServing(serving: boolean): void
  /** Whether health currently says SERVING. */
  readonly serving: boolean
  /**
   * Graceful stop: health NOT_SERVING and new ImageSharing calls refused (UNAVAILABLE,
   * `DRIBER_SHUTTING_DOWN`) at once; accepted calls get up to `drainMs` to finish; then
   * `tryShutdown`, and `forceShutdown` shortly after for whatever is still open (health Watch
   * streams; calls past the drain time). With `quietMs`, the port stays open (refusing) until at
   * least that long after the drain began, as HTTP's does, so late callers and health probes get
   * an answer rather than a refused connection. Safe to call twice.
   */
  drain(drainMs: number, quietMs?: number): Promise<void>
}

/** Service names health checking answers for. */
export const healthCheckedServices: readonly string[] = ['', imageSharingServiceName]

/** The overall budget of a call before the client's deadline is applied. */
export const callBudgetMs = (config: Config): number => config.deadlines.requestMs ?? config.deadlines.defaultRequestMs

/** After the last accepted call is answered, how long open streams (health Watch) get before being cut. */
const shutdownGraceMs = 250

/** Health and reflection: not intercepted (no auth, no completion line), like HTTP's probes. */
const openServicePrefixes = ['/grpc.health.v1.Health/', '/grpc.reflection.']

type HandlerLookup = (path: string) => unknown

/**
 * grpc-js answers a path no service has with UNIMPLEMENTED before any interceptor runs, so such
 * calls would skip auth, logs and metrics. Looking them up yields a stand-in handler instead: the
 * interceptor then admits the call (UNAUTHENTICATED without a key) and answers UNIMPLEMENTED
 * `DRIBER_ROUTE_NOT_FOUND` itself, counted under the method label `unknown`. `_retrieveHandler`
 * is grpc-js 1.14's private lookup; the tests of unknown methods fail if a new version renames it.
 */
const answerUnknownMethods = (server: grpc.Server): void => {
  const internals = server as unknown as { _retrieveHandler?: HandlerLookup }
  const lookup = internals._retrieveHandler?.bind(server)
  if (lookup === undefined) return
  internals._retrieveHandler = (path) =>
    lookup(path) ?? {
      type: 'unary',
      path,
      // The body is never read (the interceptor answers from the metadata), but grpc-js wants these.
      deserialize: (bytes: Buffer) => bytes,
      serialize: () => Buffer.alloc(0),
      func: (_call: unknown, callback: grpc.sendUnaryData<never>) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'No such gRPC method' }),
    }
}

/**
 * Logs failed TLS handshakes on a bound gRPC server (plaintext clients at `warn`, see
 * `logTlsRefusals`). grpc-js keeps its HTTP/2 servers in the private `http2Servers` map (1.14),
 * so this reads that; call it after `bindAsync` with TLS credentials.
 */
export const logGrpcTlsRefusals = (server: grpc.Server, logger: Logger): void => {
  const listeners = (server as unknown as { http2Servers?: Map<unknown, unknown> }).http2Servers
  for (const http2Server of listeners?.keys() ?? []) {
    if (http2Server instanceof TlsServer) logTlsRefusals(http2Server, logger, 'gRPC')
  }
}

/** Composes the gRPC server from the core; see `GrpcServer`. */
export const createGrpcServer = (options: CreateGrpcServerOptions): GrpcServer => {
  const { config } = options
  const proto = loadDriberProto()
  const imageSharingService = withStrictUtf8(withUndecodableMarked(proto.imageSharingService))
  const knownMethods = new Set(Object.values(imageSharingService).map((method) => method.path))
  const inFlight = new InFlightCalls()
  let draining = false
  const server = new grpc.Server({
    // grpc-js answers RESOURCE_EXHAUSTED itself when a request exceeds this; the interceptor logs and counts it.
    'grpc.max_receive_message_length': config.grpc.maxReceiveMessageBytes,
    'grpc.max_send_message_length': config.grpc.maxSendMessageBytes,
    // Channelz stays on although nothing reads it: with 'grpc.enable_channelz': 0, grpc-js 1.14
    // stops tracking sessions and forceShutdown no longer closes them (a health Watch then holds
    // the drain open for ever).
    interceptors: [
      createCallInterceptor({
        logger: options.logger,
        knownMethods,
        isOpenMethod: (path) => openServicePrefixes.some((prefix) => path.startsWith(prefix)),
        ...(options.admit === undefined ? {} : { admit: options.admit }),
        draining: () => draining,
        ...(options.onCallDone === undefined ? {} : { onCallDone: options.onCallDone }),
        ...(options.onCallStart === undefined ? {} : { onCallStart: options.onCallStart }),
      }),
    ],
  })
  answerUnknownMethods(server)

  server.addService(
    // Strings that were not UTF-8 on the wire, and bytes that are no message at all, are refused
    // by the call wrapper with INVALID_ARGUMENT (see strict-utf8.ts and undecodable-requests.ts).
    imageSharingService,
    createImageSharingHandlers({
      core: options.core,
      logger: options.logger,
      budgetMs: callBudgetMs(config),
      inFlight,
    }),
  )

  const initial: Record<string, ServingStatus> = Object.fromEntries(healthCheckedServices.map((name) => [name, 'NOT_SERVING' as const]))
  const health = new HealthImplementation(initial)
  health.addToServer(server)
  addLazyReflection(server, proto.packageDefinition)

  let serving = false
  const setServing = (next: boolean): void => {
    // Once draining, nothing turns health back on.
    serving = next && !draining
    for (const name of healthCheckedServices) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING')
  }
  let drained: Promise<void> | undefined
  const drain = (drainMs: number, quietMs = 0): Promise<void> => {
    drained ??= (async () => {
      draining = true
      setServing(false)
      const started = Date.now()
      const idle = await inFlight.idle(drainMs)
      if (!idle) options.logger.warn({ drainMs, inFlight: inFlight.count }, 'gRPC drain time is up; cutting the calls still open')
      const quietLeft = Math.min(started + quietMs, started + drainMs) - Date.now()
      if (idle && quietLeft > 0) await new Promise((resolve) => setTimeout(resolve, quietLeft))
      const graceful = new Promise<void>((resolve) => server.tryShutdown(() => resolve()))
      // Every accepted call has been answered; what may still hold a session open is a health
      // Watch or a reflection stream, which never end on their own. A moment lets responses
      // flush, then they are cut rather than holding the process for the rest of the budget.
      const grace = idle ? Math.min(shutdownGraceMs, Math.max(0, drainMs - (Date.now() - started))) : 0
      let timer: NodeJS.Timeout | undefined
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), grace)
      })
      const outcome = await Promise.race([graceful.then(() => 'closed' as const), expired])
      clearTimeout(timer)
      if (outcome === 'expired') server.forceShutdown()
      await graceful
    })()
    return drained
  }
  return {
    server,
    setServing,
    drain,
    get serving() {
      return serving
    },
  }
}
