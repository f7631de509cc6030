/**
 * A real Prometheus server scrapes a running driber. The test drives successes, a parse failure
 * and a fallback through driber's HTTP API (the real OpenAI SDK against the fake upstream), then
 * reads the counters and histogram counts back through Prometheus's HTTP query API, as an SRE's
 * dashboard or alert would.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { stringify } from 'yaml'
import { beachDialogue, buildTestApp } from '../helper.js'
import { freePort } from '../support/free-port.js'
import { skipUnless } from '../support/prometheus-tools.js'

interface QueryResponse {
  status: string
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }
}

/** Starts `prometheus` on loopback scraping `target` every second; stopped and deleted with `t`. */
const startPrometheus = async (t: Test, target: string) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-prometheus-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const configFile = path.join(directory, 'prometheus.yml')
  writeFileSync(
    configFile,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [{ job_name: 'driber', metrics_path: '/metrics', static_configs: [{ targets: [target] }] }],
    }),
  )
  const port = await freePort()
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(directory, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
  })
  const base = `http://127.0.0.1:${port}`

  /** Polls until `check` passes: Prometheus needs a moment to start, then a scrape or two to see changes. */
  const until = async <T>(what: string, read: () => Promise<T | undefined>): Promise<T> => {
    const giveUpAt = Date.now() + 60_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${stderr}`)
      const value = await read().catch(() => undefined)
      if (value !== undefined) return value
      if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}; prometheus said: ${stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }

  const query = async (expression: string): Promise<QueryResponse['data']['result']> => {
    const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expression)}`)
    const body = (await response.json()) as QueryResponse
    if (body.status !== 'success') throw new Error(`query ${expression} failed: ${JSON.stringify(body)}`)
    return body.data.result
  }

  /** Waits until `expression` evaluates to exactly one sample equal to `expected`, and returns it. */
  const valueBecomes = (expression: string, expected: number) =>
    until(`${expression} == ${expected}`, async () => {
      const result = await query(expression)
      return result.length === 1 && Number(result[0]?.value[1]) === expected ? result[0] : undefined
    })

  await until('prometheus to be ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined))
  return { query, valueBecomes, until }
}

t.test('Prometheus scrapes driber and reads back parse failures, fallbacks and latency histograms', { skip: skipUnless('prometheus') }, async (t) => {
  // No re-ask: an invalid answer from model-a goes straight to model-b, one parse failure, one fallback.
  const { url, post, upstream } = await buildTestApp(t, { config: { parsing: { reasks: 0 } } })
  const prometheus = await startPrometheus(t, url.replace('http://', ''))

  // The target is up and driber's declared series exist at zero before any traffic.
  await prometheus.valueBecomes('up{job="driber"}', 1)
  await prometheus.valueBecomes('driber_parse_failures_total{stage="decide", model="model-a", reason="invalid_json"}', 0)

  const first = await post('/v1/decide', { dialogue: beachDialogue, speaker: 'Ana' })
  const second = await post('/v1/decide', { dialogue: beachDialogue, speaker: 'Ana' })
  t.equal(first.status, 200)
  t.equal(second.status, 200)
  upstream.script({ kind: 'content', content: 'Sure! Here is my answer: share it, definitely' })
  const fellBack = await post('/v1/decide', { dialogue: beachDialogue, speaker: 'Ana' })
  t.equal(fellBack.status, 200)
  t.equal(fellBack.body.model, 'model-b', 'the fallback model answered')
  t.same(
    fellBack.body.attempts.map((attempt: { model: string; outcome: string; reason?: string }) => [attempt.model, attempt.outcome, attempt.reason]),
    [['model-a', 'parse_failure', 'invalid_json'], ['model-b', 'ok', undefined]],
  )

  const parseFailure = await prometheus.valueBecomes('driber_parse_failures_total{stage="decide", model="model-a", reason="invalid_json"}', 1)
  t.equal(parseFailure.metric.job, 'driber')
  await prometheus.valueBecomes('sum(driber_parse_failures_total)', 1)
  await prometheus.valueBecomes('driber_fallbacks_total{stage="decide", from="model-a", to="model-b", reason="parse_failure"}', 1)

  // Histograms: three requests, three decide stages (two answered by model-a, one by model-b).
  await prometheus.valueBecomes('http_server_request_duration_seconds_count{http_request_method="POST", http_route="/v1/decide", http_response_status_code="200"}', 3)
  await prometheus.valueBecomes('http_server_request_duration_seconds_bucket{http_route="/v1/decide", http_response_status_code="200", le="+Inf"}', 3)
  await prometheus.valueBecomes('driber_stage_duration_seconds_count{stage="decide", model="model-a", outcome="ok"}', 2)
  await prometheus.valueBecomes('driber_stage_duration_seconds_count{stage="decide", model="model-b", outcome="ok"}', 1)
  // Four upstream calls answered (two, then the bad one and its fallback), each with token usage.
  await prometheus.valueBecomes('sum(gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat", error_type=""})', 4)
  await prometheus.valueBecomes('sum(gen_ai_client_token_usage_count{gen_ai_operation_name="chat", gen_ai_token_type="input"})', 4)

  // Percentiles are computable from what Prometheus stored.
  const p99 = await prometheus.query('histogram_quantile(0.99, sum by (le) (driber_stage_duration_seconds_bucket{stage="decide"}))')
  t.equal(p99.length, 1)
  const seconds = Number(p99[0]?.value[1])
  t.ok(Number.isFinite(seconds) && seconds > 0 && seconds <= 81.92, `p99 decide latency is a finite duration within the buckets (${seconds}s)`)
})
