/** The standalone runner benchmarks start: it prints where it listens, answers, and stops on SIGTERM. */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const runner = fileURLToPath(new URL('./fake-upstream-main.ts', import.meta.url))

t.test('prints its base URL as JSON, serves the default answers, exits 0 on SIGTERM', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', runner, '--port', '0', '--latency-ms', '0', '--embedding-dimension', '4'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  const lines = createInterface({ input: child.stdout })
  const [first] = (await once(lines, 'line')) as [string]
  const started = JSON.parse(first) as { baseUrl: string; port: number }
  t.match(started.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)

  const response = await fetch(`${started.baseUrl}/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'e', input: ['hello'] }),
  })
  const body = (await response.json()) as { data: Array<{ embedding: number[] }> }
  t.equal(body.data[0]?.embedding.length, 4, 'options reach the server')

  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const [code] = (await exited) as [number | null]
  t.equal(code, 0)
})

t.test('bad options exit non-zero with a message', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', runner, '--latency-ms', 'fast'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const [code] = (await once(child, 'exit')) as [number | null]
  t.equal(code, 2)
  t.match(stderr, /--latency-ms must be a non-negative integer/)
})
