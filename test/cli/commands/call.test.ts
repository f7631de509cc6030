/**
 * `driber call` against a gRPC server with a scripted core and against a recording HTTP server:
 * what it sends, what it prints and its exit codes. The end-to-end run against the real app is
 * in test/integration/grpc-cli.test.ts.
 */
import * as grpc from '@grpc/grpc-js'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import pino from 'pino'
import t, { type Test } from 'tap'
import { grpcServerCredentials, loadTlsMaterial } from '../../../src/auth/tls-material.js'
import { run } from '../../../src/cli/commands/call.js'
import { testConfig } from '../../../src/config.js'
import type { DriberCore } from '../../../src/core/driber-core.js'
import type { DecideInput, DecideNextResult, RetrieveInput } from '../../../src/core/types.js'
import { DriberError } from '../../../src/errors.js'
import { createGrpcServer } from '../../../src/grpc/grpc-server.js'
import { makeSelfSignedCertificate, opensslMissing } from '../../support/self-signed-certificate.js'

const decision: DecideNextResult = {
  share: false,
  speaker: 'Ana',
  confidence: 0.2,
  intents: [],
  trigger: null,
  rationale: 'small talk',
  model: 'stub',
  attempts: [{ model: 'stub', outcome: 'ok', duration_ms: 2 }],
  usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
}

const io = (stdinText = '') => {
  const out: string[] = []
  const err: string[] = []
  const stdin = new PassThrough()
  stdin.end(stdinText)
  return { io: { stdin, stdout: { write: (chunk: string) => out.push(chunk) }, stderr: { write: (chunk: string) => err.push(chunk) } }, out, err }
}

const requestFile = (t: Test, body: unknown): string => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-call-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const file = path.join(directory, 'request.json')
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body))
  return file
}

const startGrpc = async (t: Test, core: Partial<DriberCore>): Promise<string> => {
  const { server } = createGrpcServer({ config: testConfig(), core: core as DriberCore, logger: pino({ level: 'silent' }) })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  t.teardown(() => server.forceShutdown())
  return `127.0.0.1:${port}`
}

t.test('decide over gRPC prints the HTTP-shaped answer and sends key, id and mode', async (t) => {
  const seen: Array<{ input: DecideInput; requestId: string; mode: string }> = []
  const address = await startGrpc(t, {
    decide: async (input, context) => {
      seen.push({ input, requestId: context.requestId, mode: 'next' })
      return decision
    },
    rank: async (input, context) => {
      seen.push({ input, requestId: context.requestId, mode: 'rank' })
      return { candidates: [{ turn: 0, utterance: 'hi', speaker: 'Ana', confidence: 0.5, rationale: 'r' }], model: 'stub', attempts: [], usage: decision.usage }
    },
  })
  const file = requestFile(t, { dialogue: [{ speaker: 'Ana', text: 'hi' }], speaker: 'Ana' })
  const first = io()
  t.equal(await run(['decide', '--file', file, '--grpc', address, '--request-id', 'cli-1', '--deadline-ms', '5000'], first.io), 0)
  t.same(JSON.parse(first.out.join('')), decision)
  t.same(seen[0], { input: { dialogue: [{ speaker: 'Ana', text: 'hi' }], speaker: 'Ana' }, requestId: 'cli-1', mode: 'next' })

  const ranked = io(JSON.stringify({ dialogue: [{ speaker: 'Ana', text: 'hi' }], mode: 'rank' }))
  t.equal(await run(['decide', '--file', '-', '--grpc', address], ranked.io), 0, 'mode "rank" in the body, request on stdin')
  t.equal(JSON.parse(ranked.out.join('')).candidates[0].utterance, 'hi')
  t.equal(seen[1]?.mode, 'rank')

  const rank = io()
  t.equal(await run(['rank', '--file', file, '--grpc', address], rank.io), 0)
  t.equal(seen[2]?.mode, 'rank')
})

t.test("retrieve over gRPC sends HTTP's optional fields, filter and ef included", async (t) => {
  const seen: RetrieveInput[] = []
  const address = await startGrpc(t, {
    retrieve: async (input) => {
      seen.push(input)
      return { results: [], index: input.index ?? 'default' }
    },
  })
  const body = { descriptions: ['a dog'], k: 2, index: 'pets', filter: { labels: 'dog' }, ef: 96 }
  const captured = io()
  t.equal(await run(['retrieve', '--file', requestFile(t, body), '--grpc', address], captured.io), 0, captured.err.join(''))
  t.same(seen, [body])
  t.same(JSON.parse(captured.out.join('')), { results: [], index: 'pets' })
})

t.test('a server error prints its catalog code and exits 1', async (t) => {
  const address = await startGrpc(t, {
    describe: async () => {
      throw new DriberError('UNKNOWN_MODEL', { message: 'No model "huge"', details: { known: ['small'] } })
    },
  })
  const file = requestFile(t, { dialogue: [{ speaker: 'Ana', text: 'hi' }], model: 'huge' })
  const captured = io()
  t.equal(await run(['describe', '--file', file, '--grpc', address], captured.io), 1)
  t.match(captured.err.join(''), /^DRIBER_UNKNOWN_MODEL: No model "huge"\n/)
  t.match(captured.err.join(''), /"small"/)
  t.same(captured.out, [])
})

t.test('usage mistakes exit 2 before anything is sent', async (t) => {
  const file = requestFile(t, { dialogue: [], colour: 'red' })
  const cases: Array<[string[], RegExp]> = [
    [[], /name an operation/],
    [['paint'], /unknown operation "paint"/],
    [['decide'], /needs --file/],
    [['decide', '--file', file, '--grpc', 'a:1', '--http', 'http://b'], /not both/],
    [['decide', '--file', file, '--deadline-ms', '0'], /positive integer/],
    [['decide', '--file', file, '--grpc', '127.0.0.1:1'], /takes no field "colour"/],
    [['retrieve', '--file', requestFile(t, '{not json')], /is not JSON/],
    [['models', '--http', 'ftp://x'], /wants a URL/],
  ]
  for (const [argv, message] of cases) {
    const captured = io()
    t.equal(await run(argv, captured.io), 2, argv.join(' '))
    t.match(captured.err.join(''), message)
  }
  const help = io()
  t.equal(await run(['--help'], help.io), 0)
  t.match(help.out.join(''), /usage: driber call/)
})

t.test('over HTTP: the right route, headers and body; errors print the body code', async (t) => {
  const received: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = []
  let answer: { status: number; body: unknown } = { status: 200, body: decision }
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    request.on('end', () => {
      received.push({ method: request.method, url: request.url, headers: request.headers, body })
      response.writeHead(answer.status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(answer.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const file = requestFile(t, { dialogue: [{ speaker: 'Ana', text: 'hi' }] })

  const decided = io()
  t.equal(await run(['rank', '--file', file, '--http', `${base}/`, '--api-key', 'k-123', '--deadline-ms', '3000'], decided.io), 0)
  t.same(JSON.parse(decided.out.join('')), decision)
  t.equal(received[0]?.method, 'POST')
  t.equal(received[0]?.url, '/v1/decide')
  t.same(JSON.parse(received[0]!.body), { dialogue: [{ speaker: 'Ana', text: 'hi' }], mode: 'rank' })
  t.equal(received[0]?.headers.authorization, 'Bearer k-123')
  t.equal(received[0]?.headers['x-request-timeout-ms'], '3000')

  answer = { status: 404, body: { error: { code: 'DRIBER_UNKNOWN_MODEL', message: 'nope' } } }
  const failed = io()
  t.equal(await run(['models', '--http', base], failed.io), 1)
  t.equal(received[1]?.method, 'GET')
  t.equal(received[1]?.url, '/v1/models')
  t.equal(failed.err.join(''), 'DRIBER_UNKNOWN_MODEL: nope\n')
})

t.test('an unreachable server is a clear failure, not a crash', async (t) => {
  const captured = io()
  t.equal(await run(['models', '--grpc', '127.0.0.1:1', '--deadline-ms', '2000'], captured.io), 1)
  t.match(captured.err.join(''), /^gRPC UNAVAILABLE: /)
})

t.test('gRPC over TLS: --ca trusts the server, --cert/--key answer its demand for a client certificate, --server-name names it', { skip: opensslMissing() }, async (t) => {
  const certificate = makeSelfSignedCertificate()
  t.teardown(certificate.remove)
  // The self-signed certificate is its own CA: it signs the client certificate (the same one) too.
  const material = loadTlsMaterial({ certPath: certificate.certPath, keyPath: certificate.keyPath, caPath: certificate.certPath, requireClientCert: true })
  const { server } = createGrpcServer({ config: testConfig(), core: { listModels: () => ({ models: [], embedders: [], aliases: {}, routes: {} }) } as unknown as DriberCore, logger: pino({ level: 'silent' }) })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpcServerCredentials(material), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  t.teardown(() => server.forceShutdown())
  const address = `127.0.0.1:${port}`
  const tls = ['--ca', certificate.certPath, '--server-name', 'localhost']

  const served = io()
  t.equal(await run(['models', '--grpc', address, ...tls, '--cert', certificate.certPath, '--key', certificate.keyPath, '--deadline-ms', '10000'], served.io), 0, served.err.join(''))
  t.match(JSON.parse(served.out.join('')), { models: [], embedders: [] })

  const untrusted = io()
  t.equal(await run(['models', '--grpc', address, '--tls', '--deadline-ms', '10000'], untrusted.io), 1)
  t.match(untrusted.err.join(''), /^driber call: TLS: .*--ca/, 'an untrusted certificate is reported as a TLS problem')

  const halfPair = io()
  t.equal(await run(['models', '--grpc', address, ...tls, '--cert', certificate.certPath], halfPair.io), 2)
  t.match(halfPair.err.join(''), /--cert and --key go together/)
})

t.test('HTTPS: an untrusted certificate is reported as a TLS problem, not as the server being down; --ca fixes it', { skip: opensslMissing() }, async (t) => {
  const certificate = makeSelfSignedCertificate()
  t.teardown(certificate.remove)
  const server = createHttpsServer({ cert: readFileSync(certificate.certPath), key: readFileSync(certificate.keyPath) }, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`

  const refused = io()
  t.equal(await run(['models', '--http', url], refused.io), 1)
  t.match(refused.err.join(''), /^driber call: TLS: .*certificate was refused \(DEPTH_ZERO_SELF_SIGNED_CERT/)
  t.notMatch(refused.err.join(''), /UPSTREAM_UNAVAILABLE/)

  const trusted = io()
  t.equal(await run(['models', '--http', url, '--ca', certificate.certPath], trusted.io), 0, trusted.err.join(''))
  t.same(JSON.parse(trusted.out.join('')), { data: [] })

  const plain = io()
  t.equal(await run(['models', '--http', url.replace('https:', 'http:'), '--ca', certificate.certPath], plain.io), 2)
  t.match(plain.err.join(''), /need an https:\/\/ URL/)
})
