/**
 * The process as operators run it: start-up from config and registry files, SIGTERM draining the
 * request in flight and exiting 0, and start-up errors printed as a catalog code with exit 1.
 */
import * as grpc from '@grpc/grpc-js'
import { writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import t, { type Test } from 'tap'
import { stringify } from 'yaml'
import { startFakeUpstream } from './support/fake-upstream.js'
import { createProtoClient } from './support/proto-client.js'
import { startServerProcess, waitForLog, workDirectory, type ServerProcess } from './support/server-process.js'
import { beachDialogue, TEST_GALLERY, TEST_KEY_VALUE, TEST_KEY_VARIABLE, testRegistry } from './helper.js'

/** Starts the server process against a fresh fake upstream; resolves once it serves. */
const startServing = async (t: Test, drainMs: number, options: { drainQuietMs?: number; roomy?: boolean } = {}) => {
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const directory = workDirectory(t)
  const registryFile = path.join(directory, 'registry.yaml')
  const registry = testRegistry(upstream.baseUrl)
  // Room for every request at once when a test is about draining, not about shedding.
  const models = options.roomy === true ? registry.models.map((model) => ({ ...model, timeout_ms: 20_000, max_concurrency: 1024, max_queue: 1024 })) : registry.models
  writeFileSync(registryFile, stringify({ ...registry, models }))
  const configFile = path.join(directory, 'config.yaml')
  writeFileSync(
    configFile,
    stringify({
      http: { host: '127.0.0.1', port: 0 },
      grpc: { host: '127.0.0.1', port: 0 },
      registryPath: registryFile,
      deadlines: { drainMs, ...(options.drainQuietMs === undefined ? {} : { drainQuietMs: options.drainQuietMs }) },
      ...(options.roomy === true ? { rateLimit: { enabled: false } } : {}),
      // Start-up under tsx stalls the event loop; shedding would refuse the requests these tests need.
      pressure: { enabled: false },
      retrieval: { defaultIndex: 'test', indexes: [{ name: 'test', path: TEST_GALLERY, embedder: 'fake-embed', backend: 'memory' }] },
    }),
  )
  const started = startServerProcess(t, { DRIBER_CONFIG: configFile, DRIBER_LOG_LEVEL: 'info', [TEST_KEY_VARIABLE]: TEST_KEY_VALUE })
  const serving = await waitForLog(started, 'driber is serving')
  return { upstream, started, url: String(serving.http), grpcAddress: String(serving.grpc) }
}

const decideRequest = (url: string): Promise<Response> =>
  fetch(`${url}/v1/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dialogue: beachDialogue }) })

t.test('SIGTERM: readiness drops, the request in flight is answered, the process exits 0', async (t) => {
  const { upstream, started, url } = await startServing(t, 5000)
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal((await fetch(`${url}/readyz`)).status, 200)

  upstream.script({ kind: 'default', delayMs: 400 })
  const before = upstream.requestCount
  const inFlight = decideRequest(url)
  // If the request is answered without reaching the upstream, fail here instead of waiting forever.
  const reached = await Promise.race([upstream.waitForRequests(before + 1).then(() => true), inFlight.then(() => false)])
  t.ok(reached, 'the request reached the upstream before SIGTERM')
  started.child.kill('SIGTERM')
  const response = await inFlight
  t.equal(response.status, 200, 'the request accepted before SIGTERM got its answer')
  t.equal(((await response.json()) as { model: string }).model, 'model-a')
  t.equal(await started.exit, 0)
  t.ok(started.stdout.some((line) => line.includes('driber stopped')))
  t.notMatch(started.stdout.join('\n'), TEST_KEY_VALUE, 'the key never reaches the logs')
})

t.test('a second signal exits at once, without waiting for the drain', async (t) => {
  const { upstream, started, url } = await startServing(t, 60_000)
  upstream.setResponder(() => ({ kind: 'hang' }))
  const before = upstream.requestCount
  const inFlight = decideRequest(url).then(
    (response) => response.status,
    () => 'connection closed',
  )
  await upstream.waitForRequests(before + 1)
  started.child.kill('SIGTERM')
  await waitForLog(started, 'shutting down: draining in-flight requests')
  started.child.kill('SIGTERM')
  // Well before the 60 s drain: the second signal ends the process.
  t.equal(await started.exit, 1)
  t.equal(await inFlight, 'connection closed')
})

t.test('a bad registry: the catalog code and the problems on stderr, no stack, exit 1', async (t) => {
  const directory = workDirectory(t)
  const registryFile = path.join(directory, 'registry.yaml')
  writeFileSync(registryFile, 'version: 1\nmodels:\n  - id: m\n    provider: openai\n    scale: huge\nroutes: {decide: [m], describe: [m]}\n')
  const started = startServerProcess(t, { DRIBER_REGISTRY: registryFile, DRIBER_HTTP_PORT: '0', DRIBER_GRPC_PORT: '0' })
  t.equal(await started.exit, 1)
  const stderr = started.stderr()
  t.match(stderr, /DRIBER_REGISTRY_INVALID/)
  t.match(stderr, /scale/)
  const problemLines = stderr.split('\n').filter((line) => line.trim().startsWith('- '))
  t.ok(problemLines.length > 0, 'the problems are listed')
  t.same(problemLines, [...new Set(problemLines)], 'each problem printed once')
  t.notMatch(stderr, /\n\s+at /, 'no stack trace for a catalog error')
})

t.test('a bad environment variable: DRIBER_CONFIG_INVALID, exit 1', async (t) => {
  const started = startServerProcess(t, { DRIBER_HTTP_PORT: 'eighty' })
  t.equal(await started.exit, 1)
  t.match(started.stderr(), /DRIBER_CONFIG_INVALID.*DRIBER_HTTP_PORT/)
})

const decideBody = JSON.stringify({ dialogue: beachDialogue })

/** An HTTP outcome: `200`, `503 DRIBER_SHUTTING_DOWN`, any other status with its code, or the transport error. */
const httpOutcome = (url: string, agent: http.Agent | false, requestId: string): Promise<string> =>
  new Promise((resolve) => {
    const headers = { 'content-type': 'application/json', 'x-request-id': requestId }
    const request = http.request(`${url}/v1/decide`, { method: 'POST', agent, headers }, (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
      response.on('end', () => {
        if (response.statusCode === 200) return resolve('200')
        let code = 'no code'
        try {
          code = (JSON.parse(text) as { error: { code: string } }).error.code
        } catch {
          // Not our error body; the status alone says enough.
        }
        resolve(`${response.statusCode} ${code}${response.statusCode === 503 && response.headers['retry-after'] === undefined ? ' without Retry-After' : ''}`)
      })
      response.on('error', (error: NodeJS.ErrnoException) => resolve(`lost: ${error.code ?? error.message}`))
    })
    request.on('error', (error: NodeJS.ErrnoException) => resolve(`lost: ${error.code ?? error.message}`))
    request.end(decideBody)
  })

/** Three requests pipelined in one write on one connection; resolves with the statuses answered, in order. */
const pipelinedOutcomes = (url: string, requestId: string): Promise<string[]> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url)
    const socket = net.connect(Number(port), hostname)
    const one = `POST /v1/decide HTTP/1.1\r\nhost: ${hostname}\r\nx-request-id: ${requestId}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(decideBody)}\r\n\r\n${decideBody}`
    let text = ''
    const statuses = (): string[] => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1] ?? '')
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk
      // Three answers in: done (the connection may stay open in keep-alive until the drain ends).
      if (statuses().length === 3) socket.destroy()
    })
    socket.on('connect', () => socket.write(one.repeat(3)))
    socket.on('error', () => {})
    socket.on('close', () => {
      const refusal = text.includes('DRIBER_SHUTTING_DOWN') ? ' DRIBER_SHUTTING_DOWN' : ''
      const answered = statuses().map((status) => (status === '503' ? `503${refusal}` : status))
      resolve([...answered, ...Array.from({ length: 3 - answered.length }, () => 'lost: no answer')])
    })
  })

/** A gRPC outcome: `OK`, or the status name with the driber code. */
const grpcOutcome = (client: ReturnType<typeof createProtoClient>, requestId = 'grpc'): Promise<string> =>
  client.call('Decide', { dialogue: beachDialogue }, { metadata: { 'x-request-id': requestId } }).then(
    () => 'OK',
    (error: grpc.ServiceError) => `${grpc.status[error.code]} ${String(error.metadata?.get('driber-error-code')[0] ?? 'no code')}`,
  )

t.test('SIGTERM under load: every request sent (keep-alive, one per connection, pipelined, gRPC) ends in an answer; probes read not-ready', async (t) => {
  const RUNS = 3
  for (let run = 1; run <= RUNS; run++) {
    await t.test(`run ${run} of ${RUNS}`, async (t) => {
      // A quiet window well above the probe round trip below, so the listener is certainly still open for it.
      const { upstream, started, url, grpcAddress } = await startServing(t, 20_000, { drainQuietMs: 3_000, roomy: true })
      upstream.setResponder((request) => (request.path.endsWith('/chat/completions') ? { kind: 'default', delayMs: 1_500 } : undefined))
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 16 })
      t.teardown(() => keepAlive.destroy())
      const client = createProtoClient(grpcAddress)
      t.teardown(() => client.close())

      const outcomes = Promise.all([
        ...Array.from({ length: 150 }, (_, index) => httpOutcome(url, keepAlive, `keep-${index}`).then((outcome) => `keep-alive ${outcome}`)),
        ...Array.from({ length: 60 }, (_, index) => httpOutcome(url, false, `own-${index}`).then((outcome) => `own connection ${outcome}`)),
        ...Array.from({ length: 10 }, (_, index) => pipelinedOutcomes(url, `pipe-${index}`).then((statuses) => statuses.map((status) => `pipelined ${status}`).join('|'))),
        ...Array.from({ length: 100 }, (_, index) => grpcOutcome(client, `grpc-${index}`).then((outcome) => `grpc ${outcome}`)),
      ]).then((all) => all.flatMap((outcome) => outcome.split('|')))
      // Mid-flight: requests of every kind are at the upstream (their ids are forwarded), many more are queued or still arriving.
      const reached = (prefix: string): boolean => upstream.chatRequests.some((request) => String(request.headers['x-request-id']).startsWith(prefix))
      while (!['keep-', 'own-', 'pipe-', 'grpc-'].every(reached)) await new Promise((resolve) => setTimeout(resolve, 20))
      started.child.kill('SIGTERM')
      await waitForLog(started, 'shutting down: draining in-flight requests')

      const probe = await fetch(`${url}/readyz`)
      t.equal(probe.status, 503, '/readyz answers not-ready while draining (the listener is still open)')
      t.match(await probe.json(), { status: 'not_ready', draining: true })
      const late = await fetch(`${url}/v1/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: decideBody })
      t.equal(late.status, 503)
      t.ok(late.headers.get('retry-after'), 'the refusal says when to retry')
      t.equal(late.headers.get('connection'), 'close', 'the refusal closes its connection')
      t.match(await late.json(), { error: { code: 'DRIBER_SHUTTING_DOWN' } })
      const lateClient = createProtoClient(grpcAddress)
      t.teardown(() => lateClient.close())
      t.equal(await grpcOutcome(lateClient), 'UNAVAILABLE DRIBER_SHUTTING_DOWN', 'a new gRPC connection is refused with the code, not at the socket')

      const all = await outcomes
      t.equal(all.length, 150 + 60 + 30 + 100)
      const answered = new Set(['200', '503 DRIBER_SHUTTING_DOWN', 'OK', 'UNAVAILABLE DRIBER_SHUTTING_DOWN'])
      const counts = new Map<string, number>()
      for (const outcome of all) counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
      t.same(
        all.filter((outcome) => !answered.has(outcome.slice(outcome.indexOf(' ') + 1).replace(/^connection /, ''))),
        [],
        `every request ended in its answer or the refusal (${[...counts].map(([outcome, count]) => `${outcome}: ${count}`).join(', ')})`,
      )
      for (const kind of ['keep-alive 200', 'own connection 200', 'pipelined 200', 'grpc OK']) {
        t.ok((counts.get(kind) ?? 0) > 0, `requests accepted before the signal were answered (${kind})`)
      }
      t.equal(await started.exit, 0)
    })
  }
})
