/**
 * The built artefact as users run it: `node dist/server.js` (what `npm start`, the container and
 * the `driber serve` path execute) and `node dist/cli/main.js` (the `driber` bin), built by
 * `npm run build` (`npm test` builds before tap runs). The rest of the suite runs `src/` through
 * tsx, so this is where the bundle's module-relative paths are proven: the shipped gallery and
 * embedded data, the proto files (gRPC and reflection), Swagger UI's assets, the playground's
 * files and the lazily imported embedded tier.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/config.js'
import { checkHealth, reflect } from '../support/grpc-standard-clients.js'
import { createProtoClient } from '../support/proto-client.js'
import { startServerProcess, waitForLog } from '../support/server-process.js'

const serverBundle = path.join(projectRoot, 'dist', 'server.js')
const cliBundle = path.join(projectRoot, 'dist', 'cli', 'main.js')

/** Newest modification time under a folder (the sources the bundle is built from). */
const newestMtime = (directory: string): number =>
  Math.max(
    ...readdirSync(directory, { withFileTypes: true }).map((entry) => {
      const full = path.join(directory, entry.name)
      return entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs
    }),
  )

// Fails, never skips: a missing or stale bundle would let a broken `npm start` through unseen.
const built = existsSync(serverBundle) && existsSync(cliBundle)
t.ok(built, 'dist/server.js and dist/cli/main.js exist (run `npm run build`; `npm test` does)')
if (built) t.ok(statSync(serverBundle).mtimeMs >= newestMtime(path.join(projectRoot, 'src')), 'dist/ is newer than src/ (run `npm run build`)')

const decidePuppy = {
  dialogue: [
    { speaker: 'Ana', text: 'I adopted a golden retriever puppy yesterday!' },
    { speaker: 'Ben', text: 'No way! Can I see him?' },
  ],
  speaker: 'Ana',
}
const sharePuppy = { ...decidePuppy, k: 3 }

t.test('node dist/server.js: the default config serves HTTP, gRPC, docs, playground and metrics, and exits 0 on SIGTERM', async (t) => {
  // The default config and registry (embedded tier, no key, the shipped gallery) on ephemeral ports.
  const started = startServerProcess(t, { DRIBER_HOST: '127.0.0.1', DRIBER_HTTP_PORT: '0', DRIBER_GRPC_HOST: '127.0.0.1', DRIBER_GRPC_PORT: '0', DRIBER_LOG_LEVEL: 'info' }, [serverBundle])
  const serving = await waitForLog(started, 'driber is serving')
  const url = String(serving.http)
  const grpcAddress = String(serving.grpc)

  t.equal((await fetch(`${url}/readyz`)).status, 200, '/readyz')

  const decide = await fetch(`${url}/v1/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(decidePuppy) })
  t.equal(decide.status, 200, 'Decide over HTTP')
  const decision = (await decide.json()) as { share: boolean; model: string }
  t.equal(decision.model, 'driber-lite', 'answered by the embedded tier, loaded lazily from its chunk')
  t.equal(decision.share, true)

  const share = await fetch(`${url}/v1/share`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sharePuppy) })
  t.equal(share.status, 200, 'Share over HTTP')
  const shared = (await share.json()) as { results: Array<{ id: string; url: string }>; descriptions: Array<{ text: string }> }
  t.equal(shared.results.length, 3, 'three images from the shipped gallery (data/ resolved from dist/)')
  t.match(shared.results[0]?.id, /^photochat-/)
  t.match(shared.descriptions[0]?.text, /dog|puppy|retriever/i, 'the description reads the dialogue (embedded lexicon and NLP model found)')

  const bad = await fetch(`${url}/v1/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"dialogue": []}' })
  t.equal(bad.status, 400, 'bad input gets a typed error')
  t.match(((await bad.json()) as { error: { code: string } }).error.code, /^DRIBER_/)

  t.equal(await checkHealth(grpcAddress, ''), 'SERVING', 'gRPC health')
  const client = createProtoClient(grpcAddress)
  try {
    const { response } = await client.call('Decide', decidePuppy)
    t.equal(response.next?.share, true, 'gRPC Decide')
    t.equal(response.next?.model, 'driber-lite')
  } finally {
    client.close()
  }
  const described = await reflect(grpcAddress, { file_containing_symbol: 'driber.v1.ImageSharing' })
  t.ok((described.file_descriptor_response?.file_descriptor_proto.length ?? 0) > 0, 'gRPC reflection reads proto/ from the bundle')

  const openapi = await fetch(`${url}/docs/json`)
  t.equal(openapi.status, 200, 'the OpenAPI document')
  t.ok(((await openapi.json()) as { paths: Record<string, unknown> }).paths['/v1/share'], 'with the Share route')
  const docs = await fetch(`${url}/docs/`)
  t.equal(docs.status, 200, 'Swagger UI')
  t.match(await docs.text(), /swagger-ui/i)
  const swaggerCss = await fetch(`${url}/docs/static/swagger-ui.css`)
  t.equal(swaggerCss.status, 200, "Swagger UI's assets, served from its package")
  await swaggerCss.arrayBuffer()

  const playground = await fetch(`${url}/playground`)
  t.equal(playground.status, 200, '/playground')
  t.match(await playground.text(), /<html/i)
  const playgroundScript = await fetch(`${url}/playground/playground.js`)
  t.equal(playgroundScript.status, 200, "the playground's script from public/")
  await playgroundScript.text()

  const metrics = await fetch(`${url}/metrics`)
  t.equal(metrics.status, 200, '/metrics')
  const exposition = await metrics.text()
  t.match(exposition, /^driber_build_info\{[^}]*version="\d+\.\d+\.\d+"/m, 'build info carries the version read from package.json')
  t.match(exposition, /http_server_request_duration_seconds_count\{[^}]*\/v1\/decide/, 'the requests above were counted')

  started.child.kill('SIGTERM')
  t.equal(await started.exit, 0, 'SIGTERM: a clean exit')
  t.notMatch(started.stderr(), /Error/, 'nothing on stderr')
})

t.test('the driber CLI bin (dist/cli/main.js) serves and calls', async (t) => {
  const started = startServerProcess(t, { DRIBER_GRPC_HOST: '127.0.0.1', DRIBER_GRPC_PORT: '0' }, [cliBundle, 'serve', '--host', '127.0.0.1', '--port', '0'])
  const serving = await waitForLog(started, 'driber is serving')
  const call = spawn(process.execPath, [cliBundle, 'call', 'decide', '--file', '-', '--grpc', String(serving.grpc)], { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  call.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  call.stdin.end(JSON.stringify(decidePuppy))
  const [code] = await once(call, 'exit')
  t.equal(code, 0, '`driber call decide --grpc` exits 0 (the CLI loads proto/ from its bundle too)')
  t.match(JSON.parse(output), { share: true, model: 'driber-lite' }, 'and prints the answer')
  started.child.kill('SIGTERM')
  t.equal(await started.exit, 0)
})
