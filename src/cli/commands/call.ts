/**
 * `driber call`: a client for people. Sends one request, written as the HTTP JSON body, to a
 * running driber over gRPC (the default) or HTTP and prints the JSON answer, so both transports
 * can be tried from a shell on a machine with no gRPC command-line tool.
 */
import { credentials as grpcCredentials, status as grpcStatus } from '@grpc/grpc-js'
import { readFile } from 'node:fs/promises'
import { text } from 'node:stream/consumers'
import { parseArgs } from 'node:util'
import { Agent } from 'undici'
import { loadConfig } from '../../config.js'
import type { DecideInput, DescribeInput, RetrieveInput, ShareInput } from '../../core/types.js'
import { DriberError } from '../../errors.js'
import { createDriberGrpcClient, type CallOptions, type DriberGrpcClient } from '../../grpc/grpc-client.js'

const operations = ['decide', 'rank', 'describe', 'retrieve', 'share', 'models'] as const
type Operation = (typeof operations)[number]

/** Body fields each operation accepts (the HTTP schemas'); anything else is refused up front, as HTTP would. */
const knownFields: Record<Operation, readonly string[]> = {
  decide: ['dialogue', 'speaker', 'participants', 'mode', 'model'],
  rank: ['dialogue', 'speaker', 'participants', 'model'],
  describe: ['dialogue', 'speaker', 'restrictions', 'n', 'model'],
  retrieve: ['descriptions', 'k', 'index', 'filter', 'ef'],
  share: ['dialogue', 'speaker', 'participants', 'k', 'model', 'restrictions', 'n', 'index'],
  models: [],
}

const usage = `usage: driber call <${operations.join('|')}> [--file request.json] [--grpc host:port | --http http://host:port]
                   [--deadline-ms N] [--api-key KEY | --api-key-file PATH] [--request-id ID]
                   [--tls] [--ca PATH] [--cert PATH --key PATH] [--server-name NAME]

  --file PATH        the request, as the HTTP JSON body (e.g. {"dialogue": [{"speaker": "A", "text": "..."}]});
                     "-" reads stdin. Not needed for "models".
  --grpc host:port   call over gRPC (default: the configured gRPC host and port, 127.0.0.1:50051)
  --http URL         call over HTTP instead, e.g. http://127.0.0.1:8080
  --deadline-ms N    give up after N milliseconds (the server stops the upstream calls too)
  --api-key KEY      sent as "authorization: Bearer KEY"; prefer --api-key-file to keep keys out of shell history
  --request-id ID    sent as x-request-id

TLS (gRPC: any of these turns it on; HTTP: use an https:// URL):
  --tls              speak TLS, trusting the system's certificate authorities
  --ca PATH          trust the CA certificates in this PEM file (e.g. the server's self-signed certificate)
  --cert PATH        client certificate (PEM) for servers that require one (mutual TLS); needs --key
  --key PATH         the client certificate's private key (PEM)
  --server-name NAME the name the server's certificate must carry, when the address is an IP or another name

"rank" is Decide in ranking mode ("mode": "rank" in the body does the same for "decide").
Prints the JSON answer; on failure prints the error code and message and exits 1.
`

export interface CommandIo {
  stdin: NodeJS.ReadableStream
  stdout: { write(chunk: string): unknown }
  stderr: { write(chunk: string): unknown }
}

const defaultIo: CommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }

class UsageError extends Error {}

interface Target {
  transport: 'grpc' | 'http'
  address: string
}

interface TlsOptions {
  ca: Buffer | undefined
  cert: Buffer | undefined
  key: Buffer | undefined
  serverName: string | undefined
}

interface Parsed {
  operation: Operation
  file: string | undefined
  target: Target
  /** Set for gRPC over TLS, and for HTTPS with any TLS option given. */
  tls: TlsOptions | undefined
  deadlineMs: number | undefined
  apiKey: string | undefined
  requestId: string | undefined
}

const defaultGrpcAddress = (): string => {
  try {
    const config = loadConfig()
    return `${config.grpc.host}:${config.grpc.port}`
  } catch {
    return '127.0.0.1:50051'
  }
}

const parse = async (argv: string[]): Promise<Parsed | 'help'> => {
  let values: Record<string, string | boolean | undefined>
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        file: { type: 'string', short: 'f' },
        grpc: { type: 'string' },
        http: { type: 'string' },
        'deadline-ms': { type: 'string' },
        'api-key': { type: 'string' },
        'api-key-file': { type: 'string' },
        'request-id': { type: 'string' },
        tls: { type: 'boolean' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'server-name': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  if (values.help === true) return 'help'
  const [name, ...extra] = positionals
  if (name === undefined) throw new UsageError('name an operation')
  if (!(operations as readonly string[]).includes(name)) throw new UsageError(`unknown operation "${name}"`)
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`)
  const operation = name as Operation

  const grpcAddress = values.grpc as string | undefined
  const httpAddress = values.http as string | undefined
  if (grpcAddress !== undefined && httpAddress !== undefined) throw new UsageError('give --grpc or --http, not both')
  let target: Target
  if (httpAddress !== undefined) {
    if (!/^https?:\/\/[^/]+/.test(httpAddress)) throw new UsageError('--http wants a URL such as http://127.0.0.1:8080')
    target = { transport: 'http', address: httpAddress.replace(/\/+$/, '') }
  } else {
    target = { transport: 'grpc', address: grpcAddress ?? defaultGrpcAddress() }
  }

  let deadlineMs: number | undefined
  const deadlineRaw = values['deadline-ms'] as string | undefined
  if (deadlineRaw !== undefined) {
    deadlineMs = Number(deadlineRaw)
    if (!Number.isInteger(deadlineMs) || deadlineMs <= 0) throw new UsageError('--deadline-ms wants a positive integer')
  }

  let apiKey = values['api-key'] as string | undefined
  const apiKeyFile = values['api-key-file'] as string | undefined
  if (apiKey !== undefined && apiKeyFile !== undefined) throw new UsageError('give --api-key or --api-key-file, not both')
  if (apiKeyFile !== undefined) apiKey = (await readFile(apiKeyFile, 'utf8')).trim()

  const file = values.file as string | undefined
  if (file === undefined && operation !== 'models') throw new UsageError(`"${operation}" needs --file`)
  return { operation, file, target, tls: await tlsOptions(values, target), deadlineMs, apiKey, requestId: values['request-id'] as string | undefined }
}

const readPem = async (file: string, what: string): Promise<Buffer> => {
  let pem: Buffer
  try {
    pem = await readFile(file)
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${file}: ${(error as Error).message}`)
  }
  if (!pem.toString('latin1').includes('-----BEGIN ')) throw new UsageError(`the ${what} ${file} is not a PEM file`)
  return pem
}

const tlsOptions = async (values: Record<string, string | boolean | undefined>, target: Target): Promise<TlsOptions | undefined> => {
  const caPath = values.ca as string | undefined
  const certPath = values.cert as string | undefined
  const keyPath = values.key as string | undefined
  const serverName = values['server-name'] as string | undefined
  const wanted = values.tls === true || caPath !== undefined || certPath !== undefined || keyPath !== undefined || serverName !== undefined
  if ((certPath === undefined) !== (keyPath === undefined)) throw new UsageError('--cert and --key go together')
  if (target.transport === 'http' && wanted && !target.address.startsWith('https://')) throw new UsageError('TLS options need an https:// URL with --http')
  if (!wanted) return undefined
  return {
    ca: caPath === undefined ? undefined : await readPem(caPath, 'CA file'),
    cert: certPath === undefined ? undefined : await readPem(certPath, 'client certificate'),
    key: keyPath === undefined ? undefined : await readPem(keyPath, 'client key'),
    serverName,
  }
}

const readBody = async (parsed: Parsed, io: CommandIo): Promise<Record<string, unknown>> => {
  if (parsed.operation === 'models' || parsed.file === undefined) return {}
  const source = parsed.file === '-' ? await text(io.stdin) : await readFile(parsed.file, 'utf8')
  let body: unknown
  try {
    body = JSON.parse(source)
  } catch (error) {
    throw new UsageError(`${parsed.file === '-' ? 'stdin' : parsed.file} is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UsageError('the request must be a JSON object')
  const unknown = Object.keys(body).filter((key) => !knownFields[parsed.operation].includes(key))
  if (unknown.length > 0) throw new UsageError(`"${parsed.operation}" takes no field ${unknown.map((key) => `"${key}"`).join(', ')} (accepted: ${knownFields[parsed.operation].join(', ')})`)
  return body as Record<string, unknown>
}

const callGrpc = async (parsed: Parsed, body: Record<string, unknown>): Promise<unknown> => {
  const { tls } = parsed
  const client: DriberGrpcClient = createDriberGrpcClient(parsed.target.address, {
    ...(parsed.apiKey === undefined ? {} : { apiKey: parsed.apiKey }),
    ...(tls === undefined ? {} : { credentials: grpcCredentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null) }),
    ...(tls?.serverName === undefined ? {} : { serverName: tls.serverName }),
  })
  const options: CallOptions = {}
  if (parsed.deadlineMs !== undefined) options.deadlineMs = parsed.deadlineMs
  if (parsed.requestId !== undefined) options.requestId = parsed.requestId
  // The body is the HTTP shape; the converters check enums, and the server checks everything else.
  const withDialogue = <T>(value: Record<string, unknown>): T => ({ ...value, dialogue: Array.isArray(value.dialogue) ? value.dialogue : [] }) as T
  try {
    switch (parsed.operation) {
      case 'decide': {
        const { mode, ...input } = body
        if (mode !== undefined && mode !== 'next' && mode !== 'rank') throw new DriberError('INVALID_ARGUMENT', { message: 'mode must be "next" or "rank"' })
        return await client.decide(withDialogue<DecideInput>(input), { ...options, mode: mode ?? 'next' })
      }
      case 'rank':
        return await client.rank(withDialogue<DecideInput>(body), options)
      case 'describe':
        return await client.describe(withDialogue<DescribeInput>(body), options)
      case 'retrieve':
        return await client.retrieve({ ...body, descriptions: Array.isArray(body.descriptions) ? body.descriptions : [] } as RetrieveInput, options)
      case 'share':
        return await client.share(withDialogue<ShareInput>(body), options)
      case 'models':
        return await client.listModels(options)
    }
  } finally {
    client.close()
  }
}

const callHttp = async (parsed: Parsed, body: Record<string, unknown>): Promise<unknown> => {
  const headers: Record<string, string> = {}
  if (parsed.apiKey !== undefined) headers.authorization = `Bearer ${parsed.apiKey}`
  if (parsed.requestId !== undefined) headers['x-request-id'] = parsed.requestId
  if (parsed.deadlineMs !== undefined) headers['x-request-timeout-ms'] = String(parsed.deadlineMs)
  const init: RequestInit = { headers }
  if (parsed.deadlineMs !== undefined) init.signal = AbortSignal.timeout(parsed.deadlineMs)
  let path: string
  if (parsed.operation === 'models') {
    path = '/v1/models'
    init.method = 'GET'
  } else {
    path = parsed.operation === 'rank' ? '/v1/decide' : `/v1/${parsed.operation}`
    init.method = 'POST'
    headers['content-type'] = 'application/json'
    init.body = JSON.stringify(parsed.operation === 'rank' ? { ...body, mode: 'rank' } : body)
  }
  const { tls } = parsed
  // HTTPS always goes through our own undici Agent: it leaves SNI out for an IP address, where
  // the fetch built into Node 20 sets it and prints a deprecation warning on every call.
  const dispatcher = !parsed.target.address.startsWith('https://')
    ? undefined
    : new Agent({
        connect: {
          ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls?.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls?.key === undefined ? {} : { key: tls.key }),
          ...(tls?.serverName === undefined ? {} : { servername: tls.serverName }),
        },
      })
  let response: Response
  try {
    // undici's Agent is what Node's fetch runs on; its `dispatcher` option is not in the DOM types.
    response = await fetch(`${parsed.target.address}${path}`, { ...init, ...(dispatcher === undefined ? {} : { dispatcher }) } as RequestInit)
  } catch (error) {
    await dispatcher?.close()
    if (error instanceof Error && error.name === 'TimeoutError') throw new DriberError('DEADLINE_EXCEEDED')
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
    const problem = tlsProblemOf(cause)
    if (problem !== undefined) throw new TlsError(`${parsed.target.address}: ${problem}`)
    throw new DriberError('UPSTREAM_UNAVAILABLE', { message: `Cannot reach ${parsed.target.address}: ${cause instanceof Error ? cause.message : String(cause)}` })
  }
  const answer: unknown = await response.json().catch(() => undefined)
  await dispatcher?.close()
  if (response.ok) return answer
  const error = (answer as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error
  throw new RemoteError(
    typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
    typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`,
    error?.details,
  )
}

/** The certificate or handshake failures of Node's TLS, by their `code`. */
const certificateCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

const tlsAdvice = 'trust the server with --ca, present a client certificate with --cert/--key, or name the certificate with --server-name'
/** OpenSSL's "wrong version number": what came back was not TLS at all. */
const notTls = 'the server does not speak TLS at this address (call it with http:// or without --tls/--ca)'

/** A sentence about a TLS failure (untrusted or misnamed certificate, failed handshake), or undefined for anything else. */
const tlsProblemOf = (error: unknown): string | undefined => {
  if (!(error instanceof Error)) return undefined
  const code = (error as NodeJS.ErrnoException).code
  if (code !== undefined && certificateCodes.has(code)) return `the server's TLS certificate was refused (${code}: ${error.message}); ${tlsAdvice}`
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(error.message)) return notTls
  if (code?.startsWith('ERR_SSL_') === true || /handshake|certificate/i.test(error.message)) {
    return `the TLS handshake failed (${code ?? 'TLS'}: ${error.message}); ${tlsAdvice}`
  }
  return undefined
}

/** A TLS failure on the way to the server: not the server's answer, so it has no catalog code. */
class TlsError extends Error {}

/** What the server said on failure (HTTP): its catalog code, message and details, verbatim. */
class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message)
  }
}

/** Prints `CODE: message` (and details) for a failure the server reported; other failures are local. */
const printError = (error: unknown, io: CommandIo): void => {
  if (error instanceof TlsError) {
    io.stderr.write(`driber call: TLS: ${error.message}\n`)
  } else if (error instanceof DriberError && error.details?.origin === 'grpc-status') {
    // grpc-js itself answered (unreachable server, oversize, the client's deadline): no catalog code was sent.
    const status = Number(error.details.grpc_status)
    // grpc-js reports a refused certificate as UNAVAILABLE with the TLS error's text.
    if (status === grpcStatus.UNAVAILABLE && /wrong version number/i.test(error.message)) {
      io.stderr.write(`driber call: TLS: ${notTls}\n`)
      return
    }
    if (status === grpcStatus.UNAVAILABLE && /certificate|handshake|self[- ]signed|SSL|altnames/i.test(error.message)) {
      io.stderr.write(`driber call: TLS: the TLS connection failed (${error.message.trim()}); ${tlsAdvice}\n`)
      return
    }
    const serverCode = error.details.server_code
    io.stderr.write(`${typeof serverCode === 'string' ? `${serverCode} (gRPC ${grpcStatus[status] ?? status})` : `gRPC ${grpcStatus[status] ?? status}`}: ${error.message}\n`)
  } else if (error instanceof RemoteError || error instanceof DriberError) {
    io.stderr.write(`${error.code}: ${error.message}\n`)
    if (error.details !== undefined) io.stderr.write(`${JSON.stringify(error.details, null, 2)}\n`)
  } else {
    io.stderr.write(`driber call: ${error instanceof Error ? error.message : String(error)}\n`)
  }
}

export const run = async (argv: string[], io: CommandIo = defaultIo): Promise<number> => {
  let parsed: Parsed
  let body: Record<string, unknown>
  try {
    const result = await parse(argv)
    if (result === 'help') {
      io.stdout.write(usage)
      return 0
    }
    parsed = result
    body = await readBody(parsed, io)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr.write(`driber call: ${error.message}\n${usage}`)
    return 2
  }
  try {
    const answer = parsed.target.transport === 'grpc' ? await callGrpc(parsed, body) : await callHttp(parsed, body)
    io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`)
    return 0
  } catch (error) {
    printError(error, io)
    return 1
  }
}
