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

/** pino redact paths: the key at the top level and one, two or three objects deep (`req.headers.authorization`). */
const pathsFor = (keys: readonly string[]): string[] =>
  keys.flatMap((key) => {
    const accessor = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `["${key}"]`
    const top = accessor.startsWith('.') ? key : accessor
    return [top, `*${accessor}`, `*.*${accessor}`, `*.*.*${accessor}`]
  })

const secretKeySet = new Set(SECRET_KEYS.map((key) => key.toLowerCase()))

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
  const paths = pathsFor(SECRET_KEYS)
  if (!logging.logDialogue) paths.push(...pathsFor(DIALOGUE_KEYS))
  const options: LoggerOptions = {
    name: 'driber',
    level: logging.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      // "level":"info" reads better than 30 in every log system we feed.
      level: (label) => ({ level: label }),
    },
    redact: {
      paths,
      censor: (_value: unknown, path: string[]) => {
        const key = path[path.length - 1] ?? ''
        return secretKeySet.has(key.toLowerCase()) ? SECRET_CENSOR : DIALOGUE_CENSOR
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
  if (options.transport !== undefined || destination === undefined) return pino(options)
  return pino(options, destination)
}
