/**
 * Runs the fake upstream on its own, for benchmarks and manual poking:
 *
 *   tsx test/support/fake-upstream-main.ts --port 0 --latency-ms 0 [--host 127.0.0.1] [--embedding-dimension 16] [--word-vectors]
 *
 * `--word-vectors` embeds texts word by word, so descriptions land near images whose PNG `label`
 * names the same words (a stand-in for a CLIP server when trying `index build --images`).
 *
 * Prints one JSON line `{"baseUrl": "...", "port": N, "pid": N}` on stdout once listening, answers
 * every request with the default responder, and exits cleanly on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util'
import { startFakeUpstream } from './fake-upstream.js'

const integer = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a non-negative integer, got "${raw}"`)
  return Number(raw)
}

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'latency-ms': { type: 'string', default: '0' },
      'embedding-dimension': { type: 'string', default: '16' },
      'word-vectors': { type: 'boolean', default: false },
    },
    strict: true,
  })
  const upstream = await startFakeUpstream({
    port: integer('port', values.port, 0),
    host: values.host,
    latencyMs: integer('latency-ms', values['latency-ms'], 0),
    embeddingDimension: integer('embedding-dimension', values['embedding-dimension'], 16),
    record: false,
    wordVectors: values['word-vectors'] === true,
  })
  process.stdout.write(`${JSON.stringify({ baseUrl: upstream.baseUrl, port: upstream.port, pid: process.pid })}\n`)
  const stop = (): void => {
    upstream.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`fake-upstream: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 2
})
