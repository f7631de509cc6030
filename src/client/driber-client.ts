/**
 * The typed TypeScript client of driber's HTTP API: `createDriberClient({baseUrl, apiKey})` gives
 * one method per operation, with request and answer types generated from the OpenAPI document
 * (`generated/driber-api.ts`, by `npm run generate`) and calls made by openapi-fetch. Every call
 * sends a request id (yours or a fresh one) and an optional deadline, and every failure is a
 * `DriberApiError` carrying the catalog code, so callers branch on codes, never on messages.
 *
 * It imports nothing from the service, only the generated types and openapi-fetch, so it can be
 * copied into another code base as it is.
 */
import createClient from 'openapi-fetch'
import type { components, operations, paths } from './generated/driber-api.js'

type JsonBody<Operation> = Operation extends { requestBody: { content: { 'application/json': infer Body } } } ? Body : never
type JsonAnswer<Operation> = Operation extends { responses: { 200: { content: { 'application/json': infer Answer } } } } ? Answer : never

type DecideAnswer = JsonAnswer<operations['decide']>

/** Decide in `next` mode: should the next turn share an image? */
export type DecideRequest = Omit<JsonBody<operations['decide']>, 'mode'>
export type DecideResponse = Extract<DecideAnswer, { share: boolean }>
/** Decide in `rank` mode: after which turns would an image fit? (`speaker` has no meaning there.) */
export type RankRequest = Omit<JsonBody<operations['decide']>, 'mode' | 'speaker'>
export type RankResponse = Extract<DecideAnswer, { candidates: unknown }>
export type DescribeRequest = JsonBody<operations['describe']>
export type DescribeResponse = JsonAnswer<operations['describe']>
export type RetrieveRequest = JsonBody<operations['retrieve']>
export type RetrieveResponse = JsonAnswer<operations['retrieve']>
export type ShareRequest = JsonBody<operations['share']>
export type ShareResponse = JsonAnswer<operations['share']>
export type ModelsResponse = JsonAnswer<operations['listModels']>
export type ErrorBody = components['schemas']['ErrorBody']
/** The service's error codes (README, "Errors"); a newer service may send codes this client does not know yet. */
export type DriberErrorCode = ErrorBody['error']['code']

/** Codes of failures that happen before any answer arrives (no HTTP status). */
export type ClientErrorCode = 'DRIBER_NETWORK_ERROR' | 'DRIBER_CANCELLED' | 'DRIBER_DEADLINE_EXCEEDED' | 'DRIBER_INVALID_RESPONSE'

export class DriberApiError extends Error {
  override readonly name = 'DriberApiError'
  /** The catalog code (`DRIBER_*`), or a client-side code when no answer came. */
  readonly code: DriberErrorCode | ClientErrorCode | (string & {})
  /** HTTP status; 0 when no answer came (network failure, cancelled, client-side deadline). */
  readonly status: number
  readonly details: Record<string, unknown> | undefined
  /** The id of the request, as sent (and echoed by the service): the key to its log line. */
  readonly requestId: string
  /** From `Retry-After` on 429 and 503 answers, in milliseconds. */
  readonly retryAfterMs: number | undefined

  constructor(init: { code: string; message: string; status: number; requestId: string; details?: Record<string, unknown>; retryAfterMs?: number; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.code = init.code
    this.status = init.status
    this.details = init.details
    this.requestId = init.requestId
    this.retryAfterMs = init.retryAfterMs
  }
}

export interface DriberClientOptions {
  /** Where the service is, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  baseUrl: string
  /** Sent as `Authorization: Bearer <apiKey>` when the service has auth on. */
  apiKey?: string
  /** A deadline for every call unless the call sets its own (`x-request-timeout-ms`). */
  timeoutMs?: number
  /** Another fetch (tests, proxies, instrumentation); defaults to the global one. */
  fetch?: (request: Request) => Promise<Response>
}

export interface CallOptions {
  /** Sent as `x-request-id`; a random UUID when absent. Must be 1-128 characters of [A-Za-z0-9._:-]. */
  requestId?: string
  /**
   * The deadline in milliseconds, sent as `x-request-timeout-ms`: the service stops the work and
   * answers 504 `DRIBER_DEADLINE_EXCEEDED` when it passes. The client also gives up one second
   * later, in case the answer never arrives.
   */
  timeoutMs?: number
  /** Cancels the call (the service sees the disconnect and stops the work). */
  signal?: AbortSignal
}

export interface DriberClient {
  decide(request: DecideRequest, options?: CallOptions): Promise<DecideResponse>
  rank(request: RankRequest, options?: CallOptions): Promise<RankResponse>
  describe(request: DescribeRequest, options?: CallOptions): Promise<DescribeResponse>
  retrieve(request: RetrieveRequest, options?: CallOptions): Promise<RetrieveResponse>
  share(request: ShareRequest, options?: CallOptions): Promise<ShareResponse>
  models(options?: CallOptions): Promise<ModelsResponse>
}

/** Time the client waits past the service's own deadline before giving up on the answer. */
const CLIENT_GRACE_MS = 1_000

const retryAfter = (response: Response): number | undefined => {
  const value = response.headers.get('retry-after')
  if (value === null) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return seconds * 1000
  const date = Date.parse(value)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined
}

const isErrorBody = (value: unknown): value is ErrorBody =>
  typeof value === 'object' && value !== null && typeof (value as ErrorBody).error?.code === 'string' && typeof (value as ErrorBody).error?.message === 'string'

export const createDriberClient = (options: DriberClientOptions): DriberClient => {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  })

  /** Runs one call: headers, deadline, cancellation, and every failure as a DriberApiError. */
  const call = async <Answer>(
    callOptions: CallOptions | undefined,
    send: (init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<{ data?: Answer; error?: unknown; response: Response }>,
  ): Promise<Answer> => {
    const requestId = callOptions?.requestId ?? crypto.randomUUID()
    const timeoutMs = callOptions?.timeoutMs ?? options.timeoutMs
    const headers: Record<string, string> = { 'x-request-id': requestId }
    if (options.apiKey !== undefined && options.apiKey !== '') headers.authorization = `Bearer ${options.apiKey}`
    if (timeoutMs !== undefined) headers['x-request-timeout-ms'] = String(timeoutMs)
    const signals: AbortSignal[] = []
    if (callOptions?.signal !== undefined) signals.push(callOptions.signal)
    const backstop = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs + CLIENT_GRACE_MS)
    if (backstop !== undefined) signals.push(backstop)
    const signal = signals.length === 0 ? new AbortController().signal : AbortSignal.any(signals)

    let result: { data?: Answer; error?: unknown; response: Response }
    try {
      result = await send({ headers, signal })
    } catch (error) {
      const timedOut = backstop?.aborted === true && callOptions?.signal?.aborted !== true
      const cancelled = callOptions?.signal?.aborted === true
      throw new DriberApiError({
        code: timedOut ? 'DRIBER_DEADLINE_EXCEEDED' : cancelled ? 'DRIBER_CANCELLED' : 'DRIBER_NETWORK_ERROR',
        message: timedOut ? `No answer within ${timeoutMs} ms` : cancelled ? 'The call was cancelled' : `The service could not be reached: ${(error as Error).message}`,
        status: 0,
        requestId,
        cause: error,
      })
    }
    const { response } = result
    const answeredId = response.headers.get('x-request-id') ?? requestId
    if (response.ok && result.data !== undefined) return result.data
    const retryAfterMs = retryAfter(response)
    if (isErrorBody(result.error)) {
      throw new DriberApiError({
        code: result.error.error.code,
        message: result.error.error.message,
        status: response.status,
        requestId: answeredId,
        ...(result.error.error.details === undefined ? {} : { details: result.error.error.details }),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      })
    }
    // A proxy's HTML page or an empty body: not the service's contract.
    throw new DriberApiError({
      code: 'DRIBER_INVALID_RESPONSE',
      message: `HTTP ${response.status} without a driber answer`,
      status: response.status,
      requestId: answeredId,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    })
  }

  return {
    decide: (request, callOptions) =>
      call(callOptions, (init) => client.POST('/v1/decide', { body: { ...request, mode: 'next' }, ...init })) as Promise<DecideResponse>,
    rank: (request, callOptions) =>
      call(callOptions, (init) => client.POST('/v1/decide', { body: { ...request, mode: 'rank' }, ...init })) as Promise<RankResponse>,
    describe: (request, callOptions) => call(callOptions, (init) => client.POST('/v1/describe', { body: request, ...init })),
    retrieve: (request, callOptions) => call(callOptions, (init) => client.POST('/v1/retrieve', { body: request, ...init })),
    share: (request, callOptions) => call(callOptions, (init) => client.POST('/v1/share', { body: request, ...init })),
    models: (callOptions) => call(callOptions, (init) => client.GET('/v1/models', init)),
  }
}
