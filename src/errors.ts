/**
 * The one error catalog. Every failure that leaves driber, over HTTP or gRPC, is a
 * `DriberError` built from an entry here, so the stable code, the HTTP status, the
 * gRPC status and whether a client may retry are decided once and agree everywhere.
 *
 * Codes are part of the public contract: never rename one, only add.
 */

/** gRPC status codes (numeric values from google/rpc/code.proto); kept here so core code needs no gRPC import. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus]

export interface ErrorSpec {
  /** Stable, documented, `DRIBER_*`. */
  readonly code: string
  /** Default message; callers may give a more specific one. */
  readonly message: string
  readonly httpStatus: number
  readonly grpcStatus: GrpcStatusCode
  /** Whether the same request may succeed if sent again later (drives our retry policy and clients'). */
  readonly retryable: boolean
  /** Whether the message may be shown to clients. 5xx internals are hidden. */
  readonly exposeMessage: boolean
}

const spec = (
  code: string,
  httpStatus: number,
  grpcStatus: GrpcStatusCode,
  retryable: boolean,
  message: string,
  exposeMessage = true,
): ErrorSpec => ({ code, httpStatus, grpcStatus, retryable, message, exposeMessage })

export const ErrorCatalog = {
  // Client mistakes: never retried, never reach a model.
  INVALID_ARGUMENT: spec('DRIBER_INVALID_ARGUMENT', 400, GrpcStatus.INVALID_ARGUMENT, false, 'The request is invalid'),
  INVALID_JSON: spec('DRIBER_INVALID_JSON', 400, GrpcStatus.INVALID_ARGUMENT, false, 'The request body is not valid JSON'),
  DIALOGUE_TOO_LONG: spec('DRIBER_DIALOGUE_TOO_LONG', 400, GrpcStatus.INVALID_ARGUMENT, false, 'The dialogue exceeds a configured limit'),
  PAYLOAD_TOO_LARGE: spec('DRIBER_PAYLOAD_TOO_LARGE', 413, GrpcStatus.RESOURCE_EXHAUSTED, false, 'The request is larger than the configured maximum'),
  UNSUPPORTED_MEDIA_TYPE: spec('DRIBER_UNSUPPORTED_MEDIA_TYPE', 415, GrpcStatus.INVALID_ARGUMENT, false, 'The request body must be application/json'),
  UNKNOWN_MODEL: spec('DRIBER_UNKNOWN_MODEL', 404, GrpcStatus.NOT_FOUND, false, 'No model has that id, alias or scale'),
  UNKNOWN_INDEX: spec('DRIBER_UNKNOWN_INDEX', 404, GrpcStatus.NOT_FOUND, false, 'No image index has that name'),
  ROUTE_NOT_FOUND: spec('DRIBER_ROUTE_NOT_FOUND', 404, GrpcStatus.UNIMPLEMENTED, false, 'No such endpoint'),
  METHOD_NOT_ALLOWED: spec('DRIBER_METHOD_NOT_ALLOWED', 405, GrpcStatus.UNIMPLEMENTED, false, 'Method not allowed on this endpoint'),

  // Who may call.
  UNAUTHENTICATED: spec('DRIBER_UNAUTHENTICATED', 401, GrpcStatus.UNAUTHENTICATED, false, 'A valid API key is required'),
  PERMISSION_DENIED: spec('DRIBER_PERMISSION_DENIED', 403, GrpcStatus.PERMISSION_DENIED, false, 'This key may not call this operation'),
  RATE_LIMITED: spec('DRIBER_RATE_LIMITED', 429, GrpcStatus.RESOURCE_EXHAUSTED, true, 'Too many requests for this key'),

  // driber itself is saturated or stopping.
  OVERLOADED: spec('DRIBER_OVERLOADED', 429, GrpcStatus.RESOURCE_EXHAUSTED, true, 'The model is at its concurrency limit; retry later'),
  UNDER_PRESSURE: spec('DRIBER_UNDER_PRESSURE', 503, GrpcStatus.UNAVAILABLE, true, 'The service is under load; retry later'),
  SHUTTING_DOWN: spec('DRIBER_SHUTTING_DOWN', 503, GrpcStatus.UNAVAILABLE, true, 'The service is shutting down; retry on another instance'),
  DEADLINE_EXCEEDED: spec('DRIBER_DEADLINE_EXCEEDED', 504, GrpcStatus.DEADLINE_EXCEEDED, true, 'The request deadline passed before an answer was ready'),
  CANCELLED: spec('DRIBER_CANCELLED', 499, GrpcStatus.CANCELLED, false, 'The client cancelled the request'),

  // Upstream (model or embedding backend) failures, converted at the provider boundary.
  UPSTREAM_RATE_LIMITED: spec('DRIBER_UPSTREAM_RATE_LIMITED', 429, GrpcStatus.RESOURCE_EXHAUSTED, true, 'The model backend is rate limiting requests'),
  UPSTREAM_UNAVAILABLE: spec('DRIBER_UPSTREAM_UNAVAILABLE', 503, GrpcStatus.UNAVAILABLE, true, 'The model backend is unavailable'),
  UPSTREAM_TIMEOUT: spec('DRIBER_UPSTREAM_TIMEOUT', 504, GrpcStatus.DEADLINE_EXCEEDED, true, 'The model backend did not answer in time'),
  UPSTREAM_REJECTED: spec('DRIBER_UPSTREAM_REJECTED', 502, GrpcStatus.FAILED_PRECONDITION, false, 'The model backend rejected the request'),
  UPSTREAM_AUTH: spec('DRIBER_UPSTREAM_AUTH', 502, GrpcStatus.FAILED_PRECONDITION, false, 'The model backend refused our credentials'),
  CIRCUIT_OPEN: spec('DRIBER_CIRCUIT_OPEN', 503, GrpcStatus.UNAVAILABLE, true, 'Every model for this stage is failing; retry later'),
  PARSE_FAILURE: spec('DRIBER_PARSE_FAILURE', 502, GrpcStatus.INTERNAL, false, 'No model produced a valid answer'),

  // Retrieval.
  INDEX_UNAVAILABLE: spec('DRIBER_INDEX_UNAVAILABLE', 503, GrpcStatus.FAILED_PRECONDITION, false, 'The image index is not available'),
  EMBEDDER_UNAVAILABLE: spec('DRIBER_EMBEDDER_UNAVAILABLE', 503, GrpcStatus.FAILED_PRECONDITION, false, 'No embedder is configured for this index'),
  INDEX_MISMATCH: spec('DRIBER_INDEX_MISMATCH', 500, GrpcStatus.FAILED_PRECONDITION, false, 'The index was built with another embedder'),
  INDEX_CORRUPT: spec('DRIBER_INDEX_CORRUPT', 500, GrpcStatus.DATA_LOSS, false, 'The index files are corrupt or truncated'),
  IMAGE_NOT_FOUND: spec('DRIBER_IMAGE_NOT_FOUND', 404, GrpcStatus.NOT_FOUND, false, 'The index has no local image file with that id'),

  // Start-up: never sent to a client, but typed so the CLI and server print them clearly.
  CONFIG_INVALID: spec('DRIBER_CONFIG_INVALID', 500, GrpcStatus.FAILED_PRECONDITION, false, 'The configuration is invalid'),
  REGISTRY_INVALID: spec('DRIBER_REGISTRY_INVALID', 500, GrpcStatus.FAILED_PRECONDITION, false, 'The model registry is invalid'),

  INTERNAL: spec('DRIBER_INTERNAL', 500, GrpcStatus.INTERNAL, false, 'Internal error', false),
} as const satisfies Record<string, ErrorSpec>

export type ErrorKind = keyof typeof ErrorCatalog
export type ErrorCode = (typeof ErrorCatalog)[ErrorKind]['code']

export interface DriberErrorOptions {
  message?: string
  /** Structured, client-safe detail (field paths, the list of known models, a parse-failure reason ...). */
  details?: Record<string, unknown>
  cause?: unknown
  /** Hint for clients and for our own retry policy (from an upstream `Retry-After`, or our queue). */
  retryAfterMs?: number
}

export class DriberError extends Error {
  readonly kind: ErrorKind
  readonly code: ErrorCode
  readonly httpStatus: number
  readonly grpcStatus: GrpcStatusCode
  readonly retryable: boolean
  readonly exposeMessage: boolean
  readonly details: Record<string, unknown> | undefined
  readonly retryAfterMs: number | undefined

  constructor(kind: ErrorKind, options: DriberErrorOptions = {}) {
    const entry: ErrorSpec = ErrorCatalog[kind]
    super(options.message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DriberError'
    this.kind = kind
    this.code = entry.code as ErrorCode
    this.httpStatus = entry.httpStatus
    this.grpcStatus = entry.grpcStatus
    this.retryable = entry.retryable
    this.exposeMessage = entry.exposeMessage
    this.details = options.details
    this.retryAfterMs = options.retryAfterMs
  }

  /** The body every transport sends: `{error: {code, message, details?}}`; hidden messages for 5xx internals. */
  toBody(): { error: { code: string; message: string; details?: Record<string, unknown> } } {
    const message = this.exposeMessage ? this.message : ErrorCatalog[this.kind].message
    return this.details === undefined
      ? { error: { code: this.code, message } }
      : { error: { code: this.code, message, details: this.details } }
  }
}

export const isDriberError = (value: unknown): value is DriberError => value instanceof DriberError

/** Anything thrown that is not ours becomes INTERNAL, keeping the original as `cause` for logs only. */
export const toDriberError = (error: unknown): DriberError =>
  isDriberError(error) ? error : new DriberError('INTERNAL', { cause: error })

/** Look an entry up by its public code (used by clients of the catalog, e.g. the gRPC client and tests). */
export const specByCode = (code: string): ErrorSpec | undefined =>
  Object.values(ErrorCatalog).find((entry: ErrorSpec) => entry.code === code)
