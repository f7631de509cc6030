/**
 * The process as operators run it: start-up from config and registry files, SIGTERM draining the
 * request in flight and exiting 0, and start-up errors printed as a catalog code with exit 1.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { stringify } from 'yaml'
import { projectRoot } from '../src/config.js'
import { startFakeUpstream } from './support/fake-upstream.js'
import { beachDialogue, TEST_GALLERY, TEST_KEY_VALUE, TEST_KEY_VARIABLE, testRegistry } from './helper.js'

const serverEntry = path.join(projectRoot, 'src', 'server.ts')

interface Started {
  child: ChildProcessWithoutNullStreams
  stdout: string[]
  stderr: () => string
  exit: Promise<number | null>
}

const startProcess = (t: Test, env: Record<string, string>): Started => {
  const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
  })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const stdout: string[] = []
  let stderr = ''
  let pending = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    stdout.push(...lines)
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exit = once(child, 'exit').then(([code]) => code as number | null)
  return { child, stdout, stderr: () => stderr, exit }
}

/** Resolves with the first JSON log line whose `msg` matches. */
const waitForLog = async (started: Started, message: string): Promise<Record<string, unknown>> => {
  for (;;) {
    for (const line of started.stdout) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>
        if (entry.msg === message) return entry
      } catch {
        // Not a log line.
      }
    }
    if (started.child.exitCode !== null) throw new Error(`server exited early: ${started.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const workDirectory = (t: Test): string => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-server-test-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  return directory
}

/** Starts the server process against a fresh fake upstream; resolves once it serves. */
const startServing = async (t: Test, drainMs: number) => {
  const upstream = await startFakeUpstream()
  t.teardown(() => upstream.close())
  const directory = workDirectory(t)
  const registryFile = path.join(directory, 'registry.yaml')
  writeFileSync(registryFile, stringify(testRegistry(upstream.baseUrl)))
  const configFile = path.join(directory, 'config.yaml')
  writeFileSync(
    configFile,
    stringify({
      http: { host: '127.0.0.1', port: 0 },
      grpc: { host: '127.0.0.1', port: 0 },
      registryPath: registryFile,
      deadlines: { drainMs },
      // Start-up under tsx stalls the event loop; shedding would refuse the requests these tests need.
      pressure: { enabled: false },
      retrieval: { defaultIndex: 'test', indexes: [{ name: 'test', path: TEST_GALLERY, embedder: 'fake-embed', backend: 'memory' }] },
    }),
  )
  const started = startProcess(t, { DRIBER_CONFIG: configFile, DRIBER_LOG_LEVEL: 'info', [TEST_KEY_VARIABLE]: TEST_KEY_VALUE })
  const serving = await waitForLog(started, 'driber is serving')
  return { upstream, started, url: String(serving.http) }
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
  const started = startProcess(t, { DRIBER_REGISTRY: registryFile, DRIBER_HTTP_PORT: '0', DRIBER_GRPC_PORT: '0' })
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
  const started = startProcess(t, { DRIBER_HTTP_PORT: 'eighty' })
  t.equal(await started.exit, 1)
  t.match(started.stderr(), /DRIBER_CONFIG_INVALID.*DRIBER_HTTP_PORT/)
})
