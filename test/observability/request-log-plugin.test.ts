import { Writable } from 'node:stream'
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify'
import t from 'tap'
import { testConfig } from '../../src/config.js'
import { createLogger } from '../../src/observability/logger.js'
import { requestLogPlugin } from '../../src/observability/request-log-plugin.js'

const attempts = [
  { model: 'model-a', outcome: 'parse_failure', reason: 'invalid_json', duration_ms: 12 },
  { model: 'model-b', outcome: 'ok', duration_ms: 20 },
]

t.test('one completion line per request, with request id, stage, model, attempts and timings, and no user text', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      callback()
    },
  })
  const logger = createLogger(testConfig().logging, stream)
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: () => 'request-42',
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
  })
  await app.register(requestLogPlugin, { overheadMs: () => 2.25, upstreamMs: () => 30 })
  app.post('/v1/decide', async () => ({ share: true, rationale: 'they talk about a red bicycle', model: 'model-b', attempts }))
  app.post('/v1/describe', async (_request, reply) => reply.code(502).send({ error: { code: 'DRIBER_PARSE_FAILURE', message: 'no', details: { attempts } } }))
  app.get('/healthz', async () => ({ status: 'ok' }))
  t.teardown(() => app.close())

  await app.inject({ method: 'POST', url: '/v1/decide', payload: { dialogue: [{ speaker: 'a', text: 'my new red bicycle' }] } })
  await app.inject({ method: 'POST', url: '/v1/describe', payload: {} })
  await app.inject({ method: 'GET', url: '/healthz' })

  const completions = lines.filter((line) => line.msg === 'request completed')
  t.equal(completions.length, 2, 'health probes are not logged when they succeed')
  const [decide, describe] = completions
  t.match(decide, { requestId: 'request-42', level: 'info', method: 'POST', route: '/v1/decide', stage: 'decide', statusCode: 200, model: 'model-b', attemptCount: 2, overheadMs: 2.25, upstreamMs: 30 })
  t.same(decide?.attempts, attempts)
  t.type(decide?.durationMs, 'number')
  t.match(describe, { level: 'error', stage: 'describe', statusCode: 502, errorCode: 'DRIBER_PARSE_FAILURE', attemptCount: 2 })
  t.notMatch(JSON.stringify(lines), /bicycle/, 'neither the request nor the answer text is logged')
})
