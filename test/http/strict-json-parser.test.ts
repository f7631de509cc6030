import Fastify from 'fastify'
import t from 'tap'
import { registerErrorHandling } from '../../src/http/error-handler.js'
import { strictJsonParser } from '../../src/http/strict-json-parser.js'

const build = async (t: { teardown(fn: () => unknown): void }) => {
  const app = Fastify({ bodyLimit: 1024 })
  registerErrorHandling(app)
  await app.register(strictJsonParser)
  const seen: unknown[] = []
  app.post('/echo', async (request) => {
    seen.push(request.body)
    return { body: request.body }
  })
  await app.ready()
  t.teardown(() => app.close())
  return { app, seen }
}

const post = (app: Awaited<ReturnType<typeof build>>['app'], payload: Buffer | string) =>
  app.inject({ method: 'POST', url: '/echo', payload, headers: { 'content-type': 'application/json' } })

t.test('a body with bytes that are not UTF-8 is 400 DRIBER_INVALID_JSON and never reaches the handler', async (t) => {
  const { app, seen } = await build(t)
  const bodies = [
    Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]), // Latin-1 é
    Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), // encoded surrogate
    Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), // overlong
  ]
  for (const body of bodies) {
    const response = await post(app, body)
    t.equal(response.statusCode, 400)
    t.same(response.json(), { error: { code: 'DRIBER_INVALID_JSON', message: 'The request body is not valid UTF-8', details: { reason: 'invalid_utf8' } } })
  }
  t.same(seen, [])
})

t.test('valid UTF-8 (accents, emoji, a BOM) parses as before', async (t) => {
  const { app } = await build(t)
  const response = await post(app, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"text":"café 📷"}')]))
  t.equal(response.statusCode, 200)
  t.same(response.json(), { body: { text: 'café 📷' } })
})

t.test('fastify JSON errors keep their meaning: malformed, empty, poisoned, too large', async (t) => {
  const { app } = await build(t)
  t.equal((await post(app, '{"text": ')).json().error.code, 'DRIBER_INVALID_JSON')
  const empty = await post(app, '')
  t.equal(empty.statusCode, 400)
  t.equal(empty.json().error.code, 'DRIBER_INVALID_JSON')
  const poisoned = await post(app, '{"__proto__": {"admin": true}}')
  t.equal(poisoned.statusCode, 400)
  const large = await post(app, JSON.stringify({ text: 'x'.repeat(2000) }))
  t.equal(large.statusCode, 413)
  t.equal(large.json().error.code, 'DRIBER_PAYLOAD_TOO_LARGE')
})
