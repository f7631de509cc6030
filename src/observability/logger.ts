/**
 * driber's pino logger: JSON lines by default, pretty only when `logging.pretty` asks for it, the
 * level from config, secrets redacted wherever they may appear, and dialogue text (user data)
 * kept out of the logs unless `logging.logDialogue` turns it on.
 *
 * The request id reaches every line through the child loggers fastify (and the gRPC adapter) make
 * per request; nothing here needs to know about transports.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino'
import type { Config } from '../config.js'

export type LoggingConfig = Config['logging']

/** What replaces a secret in a log line. */
export const SECRET_CENSOR = '[REDACTED]'
/** What replaces user text when `logging.logDialogue` is off. */
export const DIALOGUE_CENSOR = '[omitted: logging.logDialogue is off]'

/** Keys whose values are credentials, at any of the depths driber logs objects. */
const SECRET_KEYS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'apiKey', 'api_key', 'password', 'secret', 'token']

/** Keys whose values are, or contain, what users wrote (or what models answered about it). */
const DIALOGUE_KEYS = ['dialogue', 'turns', 'text', 'utterance', 'body', 'messages', 'content', 'prompt', 'descriptions', 'description', 'rationale', 'trigger', 'candidates']

/** Censored keys are found at the top level and up to this many objects (or arrays) deep (`req.headers.authorization`). */
const CENSOR_DEPTH = 3

/** Key -> what replaces its value. */
const censorsFor = (logDialogue: boolean): ReadonlyMap<string, string> => {
  const censors = new Map<string, string>()
  if (!logDialogue) for (const key of DIALOGUE_KEYS) censors.set(key, DIALOGUE_CENSOR)
  for (const key of SECRET_KEYS) censors.set(key, SECRET_CENSOR)
  return censors
}

/** Objects JSON would walk into (not Dates, Buffers or anything else with its own `toJSON`). */
const isWalkable = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== 'function' && !ArrayBuffer.isView(value)

/**
 * `value` with every censored key replaced, down to `depth` more levels. What needs no change is
 * returned as is (no copy), so a line without secrets or dialogue costs one walk and no
 * allocation; the caller's objects are never modified.
 *
 * Why not pino's `redact`: with wildcard paths it deep-clones every logged object, which measured
 * about 40 times the cost of the rest of a request's log line (see bench/README.md).
 */
const censorValue = (value: unknown, censors: ReadonlyMap<string, string>, depth: number): unknown => {
  if (!isWalkable(value)) return value
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    if (depth > 0) {
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index]
        const censored = censorValue(item, censors, depth - 1)
        if (censored !== item) {
          copy ??= value.slice()
          copy[index] = censored
        }
      }
    }
    return copy ?? value
  }
  let copy: Record<string, unknown> | undefined
  for (const key of Object.keys(value)) {
    const item = value[key]
    const censor = censors.get(key)
    const censored = censor !== undefined ? censor : depth > 0 ? censorValue(item, censors, depth - 1) : item
    if (censored !== item) {
      copy ??= { ...value }
      copy[key] = censored
    }
  }
  return copy ?? value
}

/** URL without its query string: queries may carry tokens, and route templates are what matter. */
const withoutQuery = (url: string | undefined): string | undefined => {
  if (url === undefined) return undefined
  const index = url.indexOf('?')
  return index === -1 ? url : url.slice(0, index)
}

interface RequestLike {
  method?: string
  url?: string
  id?: string
  ip?: string
  routeOptions?: { url?: string }
  socket?: { remoteAddress?: string }
}

/** The pino options driber runs with; exported so tests and tools can build loggers the same way. */
export const createLoggerOptions = (logging: LoggingConfig): LoggerOptions => {
  const censors = censorsFor(logging.logDialogue)
  const serializeError = pino.stdSerializers.err
  const options: LoggerOptions = {
    name: 'driber',
    level: logging.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      // "level":"info" reads better than 30 in every log system we feed.
      level: (label) => ({ level: label }),
      // Runs before pino's serializers, so errors are serialised here first (the err serializer
      // leaves plain objects alone) and censored like the rest; `req` is skipped: its serializer
      // keeps method and path only, and a live request object is not worth walking.
      log: (object) => {
        let line = object
        for (const key of ['err', 'error']) {
          const value = line[key]
          if (value instanceof Error) line = { ...line, [key]: serializeError(value) }
        }
        const request = line.req
        if (request === undefined) return censorValue(line, censors, CENSOR_DEPTH) as Record<string, unknown>
        const { req: _request, ...rest } = line
        return { ...(censorValue(rest, censors, CENSOR_DEPTH) as Record<string, unknown>), req: request }
      },
    },
    serializers: {
      // Method and path only: never headers (credentials) or bodies (dialogue).
      req: (request: RequestLike) => ({
        method: request.method,
        url: withoutQuery(request.url),
        route: request.routeOptions?.url,
        remoteAddress: request.ip ?? request.socket?.remoteAddress,
      }),
      err: pino.stdSerializers.err,
      error: pino.stdSerializers.err,
    },
  }
  if (logging.pretty) {
    options.transport = { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard', singleLine: false } }
  }
  return options
}

/**
 * The process logger. Pass `destination` to capture lines (tests); pretty output ignores it, since
 * the pino-pretty transport writes to stdout from its own worker.
 */
export const createLogger = (logging: LoggingConfig, destination?: DestinationStream): Logger => {
  const options = createLoggerOptions(logging)
  const logger = options.transport !== undefined || destination === undefined ? pino(options) : pino(options, destination)
  return censorChildBindings(logger, censorsFor(logging.logDialogue))
}

/**
 * Child logger bindings (request ids, components) get the same censoring as log objects. pino
 * applies `formatters.bindings` to the root's bindings only, so `child` itself is wrapped; every
 * child inherits the wrapper (pino children are made with `Object.create(parent)`).
 */
const censorChildBindings = (logger: Logger, censors: ReadonlyMap<string, string>): Logger => {
  const child = logger.child
  logger.child = function (this: Logger, bindings: Parameters<Logger['child']>[0], childOptions?: Parameters<Logger['child']>[1]) {
    return child.call(this, censorValue(bindings, censors, CENSOR_DEPTH) as typeof bindings, childOptions)
  } as Logger['child']
  return logger
}
