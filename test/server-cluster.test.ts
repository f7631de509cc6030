/**
 * Several workers (`DRIBER_WORKERS`): the processes share the HTTP and gRPC ports, the primary's
 * metrics port counts every worker's requests, and SIGTERM drains them all and exits 0.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { Agent, request } from 'undici'
import { stringify } from 'yaml'
import { projectRoot } from '../src/config.js'
import { createDriberGrpcClient } from '../src/grpc/grpc-client.js'
import { startFakeUpstream } from './support/fake-upstream.js'
import { freePort } from './support/free-port.js'
import { beachDialogue, TEST_KEY_VALUE, TEST_KEY_VARIABLE, testRegistry } from './helper.js'

/** Sum of a metric's samples whose line contains every fragment. */
const sampleSum = (exposition: string, name: string, fragments: string[]): number =>
  exposition
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && fragments.every((fragment) => line.includes(fragment)))
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/).at(-1)), 0)

t.test('two workers share the ports; the metrics port aggregates both; SIGTERM exits 0', async (t) => {
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-cluster-test-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()]
  const registryFile = path.join(directory, 'registry.yaml')
  writeFileSync(registryFile, stringify(testRegistry(upstream.baseUrl)))
  const configFile = path.join(directory, 'config.yaml')
  writeFileSync(
    configFile,
    stringify({
      workers: 2,
      http: { host: '127.0.0.1', port: httpPort, docs: false },
      grpc: { host: '127.0.0.1', port: grpcPort },
      metrics: { port: metricsPort },
      registryPath: registryFile,
      deadlines: { drainMs: 5_000 },
      pressure: { enabled: false },
      rateLimit: { enabled: false },
      retrieval: { indexes: [] },
    }),
  )
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'server.ts')], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', DRIBER_CONFIG: configFile, [TEST_KEY_VARIABLE]: TEST_KEY_VALUE },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const exit = once(child, 'exit').then(([code]) => code as number | null)
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.resume()
  // Each worker logs its own "driber is serving" line.
  const deadline = Date.now() + 90_000
  while ((stdout.match(/"driber is serving"/g) ?? []).length < 2) {
    if (child.exitCode !== null) throw new Error(`the cluster exited early (${child.exitCode})`)
    if (Date.now() > deadline) throw new Error('two workers did not start within 90 s')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const pids = new Set([...stdout.matchAll(/"pid":(\d+)[^\n]*"driber is serving"/g)].map((match) => match[1]))
  t.equal(pids.size, 2, 'two processes serve')

  // A connection stays with the worker that accepted it: one connection per request spreads them.
  const requests = 10
  for (let index = 0; index < requests; index++) {
    const agent = new Agent({ connections: 1 })
    const response = await request(`http://127.0.0.1:${httpPort}/v1/decide`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dialogue: beachDialogue }),
    })
    t.equal(response.statusCode, 200, `HTTP decide ${index} answered`)
    await response.body.text()
    await agent.close()
  }
  const grpc = createDriberGrpcClient(`127.0.0.1:${grpcPort}`)
  t.teardown(() => grpc.close())
  const answer = await grpc.decide({ dialogue: beachDialogue })
  t.equal((answer as { model: string }).model, 'model-a', 'gRPC is served on the shared port')

  const scrape = await request(`http://127.0.0.1:${metricsPort}/metrics`)
  t.equal(scrape.statusCode, 200)
  const exposition = await scrape.body.text()
  t.equal(
    sampleSum(exposition, 'http_server_request_duration_seconds_count', ['route="/v1/decide"', '="200"']),
    requests,
    'the aggregate counts every HTTP decide, whichever worker served it',
  )
  t.equal(sampleSum(exposition, 'grpc_server_handled_total', ['method="Decide"']), 1, 'and the gRPC call')
  t.match(exposition, /driber_build_info\{[^}]*\} 1\n/, 'build info stays 1 across workers')

  child.kill('SIGTERM')
  t.equal(await exit, 0, 'every worker drained and the primary exited 0')
})
