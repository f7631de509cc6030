/**
 * The one place an error becomes an HTTP response. Route handlers never catch: whatever they
 * throw, and whatever fastify rejects before a handler runs (bad JSON, unknown fields, a body too
 * large, an unknown route), arrives here and leaves as `{error: {code, message, details?}}` with
 * the catalog's status. Bodies never carry a stack trace; internal errors are logged with theirs.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DriberError, isDriberError } from '../errors.js'

/** Fastify's own error codes, mapped onto the catalog. */
const fastifyCodes: Record<string, (error: FastifyError) => DriberError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => new DriberError('INVALID_JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new DriberError('INVALID_JSON', { message: 'The request body is empty; send a JSON object' }),
  FST_ERR_CTP_BODY_TOO_LARGE: () => new DriberError('PAYLOAD_TOO_LARGE'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new DriberError('UNSUPPORTED_MEDIA_TYPE'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new DriberError('INVALID_ARGUMENT', { message: 'The body length does not match Content-Length' }),
  FST_ERR_CTP_INVALID_CONTENT_TYPE: () => new DriberError('UNSUPPORTED_MEDIA_TYPE'),
}

interface ValidationIssue {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

/** `/dialogue/3/text` -> `dialogue[3].text`, the field notation the core uses too. */
const fieldFromPointer = (pointer: string, extra?: string): string => {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (extra !== undefined) parts.push(extra)
  return parts.reduce((field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : field === '' ? part : `${field}.${part}`), '')
}

const fromValidation = (issues: ValidationIssue[], context: string | undefined): DriberError => {
  const issue = issues[0]
  if (issue === undefined) return new DriberError('INVALID_ARGUMENT')
  const unknown = issue.keyword === 'additionalProperties' ? String(issue.params.additionalProperty) : undefined
  const missing = issue.keyword === 'required' ? String(issue.params.missingProperty) : undefined
  const field = fieldFromPointer(issue.instancePath, unknown ?? missing)
  const reason = unknown !== undefined ? 'unknown field' : missing !== undefined ? 'required field missing' : (issue.message ?? 'invalid')
  const where = field === '' ? (context ?? 'body') : field
  return new DriberError('INVALID_ARGUMENT', {
    message: `Invalid request: ${where}: ${reason}`,
    details: { field: where, reason, location: context ?? 'body', keyword: issue.keyword },
  })
}

/** Converts anything thrown on the HTTP path into a catalog error. */
export const toHttpError = (error: unknown): DriberError => {
  if (isDriberError(error)) return error
  const fastifyError = error as Partial<FastifyError> & { validation?: ValidationIssue[]; validationContext?: string }
  if (Array.isArray(fastifyError.validation)) return fromValidation(fastifyError.validation, fastifyError.validationContext)
  const mapped = typeof fastifyError.code === 'string' ? fastifyCodes[fastifyError.code] : undefined
  if (mapped !== undefined) return mapped(fastifyError as FastifyError)
  // Other client errors fastify raises itself (malformed headers and the like) keep their 4xx meaning.
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    if (fastifyError.statusCode === 413) return new DriberError('PAYLOAD_TOO_LARGE')
    if (fastifyError.statusCode === 415) return new DriberError('UNSUPPORTED_MEDIA_TYPE')
    return new DriberError('INVALID_ARGUMENT', { message: 'The request is malformed' })
  }
  return new DriberError('INTERNAL', { cause: error })
}

export const sendError = (error: DriberError, reply: FastifyReply): FastifyReply => {
  if (error.retryAfterMs !== undefined && (error.httpStatus === 429 || error.httpStatus === 503)) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))))
  }
  return reply.status(error.httpStatus).type('application/json; charset=utf-8').send(error.toBody())
}

/**
 * The core's verdict on a body the route schema refused: the catalog error the core would throw for
 * it (so HTTP and gRPC report the same bad input with the same message and reason), or undefined
 * when the core would accept it (the schema caught something only HTTP judges: an unknown field, a
 * JSON type).
 */
export type InputExplainer = (route: string, body: Record<string, unknown>) => DriberError | undefined

export interface ErrorHandlingOptions {
  explainInput?: InputExplainer
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

const explained = (error: unknown, request: FastifyRequest, explain: InputExplainer | undefined): DriberError | undefined => {
  const validation = (error as { validation?: unknown; validationContext?: unknown }).validation
  const context = (error as { validationContext?: unknown }).validationContext
  if (explain === undefined || !Array.isArray(validation) || (context !== undefined && context !== 'body')) return undefined
  const route = request.routeOptions.url
  if (route === undefined || !isRecord(request.body)) return undefined
  return explain(route, request.body)
}

const errorHandler = (explain: InputExplainer | undefined) => (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
  const driberError = explained(error, request, explain) ?? toHttpError(error)
  if (driberError.kind === 'INTERNAL') {
    // The original error (with its stack) goes to the log only.
    request.log.error({ err: driberError.cause ?? error }, 'internal error')
  } else if (driberError.httpStatus >= 500) {
    request.log.warn({ code: driberError.code, details: driberError.details }, driberError.message)
  } else {
    request.log.info({ code: driberError.code }, driberError.message)
  }
  return sendError(driberError, reply)
}

/** Unknown paths are 404 `DRIBER_ROUTE_NOT_FOUND`; a known path with the wrong method is 405 with `Allow`. */
const notFoundHandler = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
  const path = request.url.split('?')[0] ?? request.url
  const allowed = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((method) =>
    request.server.hasRoute({ url: path, method }),
  )
  if (allowed.length > 0) {
    reply.header('allow', allowed.join(', '))
    return sendError(new DriberError('METHOD_NOT_ALLOWED', { details: { method: request.method, allowed } }), reply)
  }
  return sendError(new DriberError('ROUTE_NOT_FOUND', { details: { method: request.method, path: path.slice(0, 256) } }), reply)
}

/** Installs the error and not-found handlers on `app` (call on the root instance); `explainInput` lets the core word input errors. */
export const registerErrorHandling = (app: FastifyInstance, options: ErrorHandlingOptions = {}): void => {
  app.setErrorHandler(errorHandler(options.explainInput))
  app.setNotFoundHandler(notFoundHandler)
}
