import { Writable } from 'node:stream'
import t from 'tap'
import { testConfig } from '../../src/config.js'
import { createLogger, createLoggerOptions, DIALOGUE_CENSOR, SECRET_CENSOR } from '../../src/observability/logger.js'

/** A destination that keeps every JSON line written to it. */
const capture = () => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      callback()
    },
  })
  return { lines, stream }
}

const logging = (overrides: Partial<ReturnType<typeof testConfig>['logging']> = {}) => ({ ...testConfig().logging, ...overrides })

t.test('JSON lines at the configured level, with a readable level name', async (t) => {
  const { lines, stream } = capture()
  const logger = createLogger(logging({ level: 'warn' }), stream)
  logger.info('hidden')
  logger.warn({ requestId: 'abc' }, 'shown')
  t.equal(lines.length, 1)
  t.equal(lines[0]?.msg, 'shown')
  t.equal(lines[0]?.level, 'warn')
  t.equal(lines[0]?.name, 'driber')
  t.match(lines[0]?.time, /^\d{4}-\d\d-\d\dT/)
})

t.test('secrets are redacted wherever they appear', async (t) => {
  const { lines, stream } = capture()
  const logger = createLogger(logging(), stream)
  logger.info({
    req: { headers: { authorization: 'Bearer sk-live-1', cookie: 'session=2', 'x-api-key': 'key-3', accept: 'application/json' } },
    upstream: { apiKey: 'sk-live-4', options: { api_key: 'sk-live-5' } },
    authorization: 'Bearer sk-live-6',
  }, 'calling upstream')
  const text = JSON.stringify(lines)
  for (const secret of ['sk-live-1', 'session=2', 'key-3', 'sk-live-4', 'sk-live-5', 'sk-live-6']) t.notMatch(text, secret, `${secret} is not logged`)
  const line = lines[0] as { upstream: { apiKey: string; options: { api_key: string } }; authorization: string }
  t.equal(line.upstream.apiKey, SECRET_CENSOR)
  t.equal(line.upstream.options.api_key, SECRET_CENSOR)
  t.equal(line.authorization, SECRET_CENSOR)
})

t.test('request lines carry method and path, never headers, bodies or query strings', async (t) => {
  const { lines, stream } = capture()
  const logger = createLogger(logging(), stream)
  logger.info({ req: { method: 'POST', url: '/v1/decide?token=sk-live-7', headers: { authorization: 'Bearer x' }, body: { dialogue: [] } } }, 'incoming')
  t.same(lines[0]?.req, { method: 'POST', url: '/v1/decide' })
})

t.test('dialogue text stays out of the logs unless logDialogue is on', async (t) => {
  const event = { dialogue: [{ speaker: 'ann', text: 'my cat just learned to open doors' }], request: { body: { dialogue: [{ speaker: 'bo', text: 'secret plans' }] } }, descriptions: ['An image of a cat'] }
  const off = capture()
  createLogger(logging(), off.stream).info(event, 'decide')
  const offText = JSON.stringify(off.lines)
  t.notMatch(offText, 'open doors')
  t.notMatch(offText, 'secret plans')
  t.notMatch(offText, 'An image of a cat')
  t.equal(off.lines[0]?.dialogue, DIALOGUE_CENSOR)

  const on = capture()
  createLogger(logging({ logDialogue: true }), on.stream).info(event, 'decide')
  t.match(JSON.stringify(on.lines), 'open doors', 'logDialogue: true keeps the text for debugging')
  t.match(JSON.stringify(on.lines), 'An image of a cat')
})

t.test('errors keep their stack and message', async (t) => {
  const { lines, stream } = capture()
  createLogger(logging(), stream).error({ err: new Error('kaput') }, 'failed')
  const err = lines[0]?.err as { message: string; stack: string; type: string }
  t.equal(err.message, 'kaput')
  t.match(err.stack, /Error: kaput/)
})

t.test('pretty output only when asked', async (t) => {
  t.equal(createLoggerOptions(logging()).transport, undefined)
  t.match(createLoggerOptions(logging({ pretty: true })).transport, { target: 'pino-pretty' })
})

t.test('censoring reaches child bindings, error properties and arrays, and never changes the caller\'s objects', async (t) => {
  const { lines, stream } = capture()
  const logger = createLogger(logging(), stream)
  const bindings = { component: 'upstream', auth: { token: 'tok-live-8' } }
  const child = logger.child(bindings)
  const upstreamError = Object.assign(new Error('upstream said no'), { body: { messages: [{ content: 'a user sentence' }] }, apiKey: 'sk-live-9' })
  const event = { attempts: [{ model: 'm', outcome: 'ok' }], turns: [{ speaker: 'ann', text: 'hello' }], nested: { list: [{ password: 'pw-live-10' }] } }
  child.warn({ err: upstreamError, ...event }, 'attempt failed')
  const text = JSON.stringify(lines)
  for (const leaked of ['tok-live-8', 'sk-live-9', 'a user sentence', 'hello', 'pw-live-10']) t.notMatch(text, leaked, `${leaked} is not logged`)
  const line = lines[0] as { auth: { token: string }; err: { message: string; apiKey: string }; attempts: unknown; nested: { list: Array<{ password: string }> } }
  t.equal(line.auth.token, SECRET_CENSOR, 'child bindings are censored')
  t.equal(line.err.message, 'upstream said no', 'the error keeps its message')
  t.equal(line.err.apiKey, SECRET_CENSOR, 'error properties are censored')
  t.equal(line.nested.list[0]?.password, SECRET_CENSOR, 'inside arrays too')
  t.same(line.attempts, [{ model: 'm', outcome: 'ok' }], 'what holds nothing to censor is logged as is')
  t.equal(bindings.auth.token, 'tok-live-8', 'the bindings object is untouched')
  t.equal(event.turns[0]?.text, 'hello', 'the logged object is untouched')
  t.equal(event.nested.list[0]?.password, 'pw-live-10')
  t.equal(upstreamError.apiKey, 'sk-live-9', 'the error is untouched')
})

t.test('censoring stops three levels below the top, as documented', async (t) => {
  const { lines, stream } = capture()
  createLogger(logging(), stream).info({ a: { b: { c: { token: 'depth-3' } } }, w: { x: { y: { z: { token: 'depth-4' } } } } }, 'deep')
  const line = lines[0] as { a: { b: { c: { token: string } } }; w: { x: { y: { z: { token: string } } } } }
  t.equal(line.a.b.c.token, SECRET_CENSOR)
  t.equal(line.w.x.y.z.token, 'depth-4', 'deeper keys are not walked (driber logs no deeper objects)')
})
