import t from 'tap'
import { createCallAdmission } from '../../src/auth/call-admission.js'
import { hashApiKey } from '../../src/auth/api-key-hash.js'
import { createSecurity } from '../../src/auth/security.js'
import { testConfig } from '../../src/config.js'

const key = 'drb_test-key-alpha-0123456789abcdef'
const slowKey = 'drb_test-key-slow-0123456789abcdef'
const decide = '/driber.v1.Driber/Decide'

const secured = () =>
  createSecurity(
    testConfig({
      auth: { keys: [{ id: 'alpha', hash: hashApiKey(key) }, { id: 'slow', hash: hashApiKey(slowKey), rate: { max: 1, windowMs: 60_000 } }] },
      rateLimit: { max: 3, windowMs: 60_000 },
    }),
  )

t.test('with keys configured, a call needs a valid Bearer key; health is open', async (t) => {
  const admit = createCallAdmission(secured())
  t.throws(() => admit({ authorization: undefined, methodPath: decide, clientAddress: '127.0.0.1' }), { code: 'DRIBER_UNAUTHENTICATED' })
  t.throws(() => admit({ authorization: 'Bearer wrong', methodPath: decide, clientAddress: '127.0.0.1' }), { code: 'DRIBER_UNAUTHENTICATED' })
  t.throws(() => admit({ authorization: key, methodPath: decide, clientAddress: '127.0.0.1' }), { code: 'DRIBER_UNAUTHENTICATED' })
  const admitted = admit({ authorization: `Bearer ${key}`, methodPath: decide, clientAddress: '127.0.0.1' })
  t.equal(admitted.identity?.keyId, 'alpha')
  t.equal(admitted.callerKey, 'key:alpha')
  t.same(admit({ authorization: undefined, methodPath: '/grpc.health.v1.Health/Check', clientAddress: '127.0.0.1' }), {
    identity: undefined,
    callerKey: undefined,
  })
})

t.test('rate limits count per key, use a key own rate, and say when to retry', async (t) => {
  const admit = createCallAdmission(secured())
  const call = (authorization: string, clientAddress = '10.0.0.1') => admit({ authorization, methodPath: decide, clientAddress })
  for (let i = 0; i < 3; i++) call(`Bearer ${key}`, `10.0.0.${i}`)
  const error = t.throws(() => call(`Bearer ${key}`)) as unknown as { code: string; retryAfterMs: number; grpcStatus: number }
  t.equal(error.code, 'DRIBER_RATE_LIMITED')
  t.equal(error.grpcStatus, 8, 'RESOURCE_EXHAUSTED')
  t.ok(error.retryAfterMs > 0 && error.retryAfterMs <= 60_000)
  call(`Bearer ${slowKey}`)
  t.throws(() => call(`Bearer ${slowKey}`), { code: 'DRIBER_RATE_LIMITED' }, 'the per-key rate overrides the default')
})

t.test('with auth off there is no limit unless asked; asked, callers are limited by address; rate limiting can be turned off', async (t) => {
  const internal = createCallAdmission(createSecurity(testConfig({ rateLimit: { max: 1 } })))
  for (let i = 0; i < 5; i++) t.equal(internal({ authorization: undefined, methodPath: decide, clientAddress: '127.0.0.1' }).callerKey, undefined)
  const admit = createCallAdmission(createSecurity(testConfig({ rateLimit: { enabled: true, max: 1 } })))
  t.equal(admit({ authorization: undefined, methodPath: decide, clientAddress: '10.0.0.1' }).callerKey, 'ip:10.0.0.1')
  t.throws(() => admit({ authorization: undefined, methodPath: decide, clientAddress: '::ffff:10.0.0.1' }), { code: 'DRIBER_RATE_LIMITED' })
  admit({ authorization: undefined, methodPath: decide, clientAddress: '10.0.0.2' })
  const unlimited = createCallAdmission(createSecurity(testConfig({ rateLimit: { enabled: false, max: 1 } })))
  for (let i = 0; i < 5; i++) t.equal(unlimited({ authorization: undefined, methodPath: decide, clientAddress: '10.0.0.1' }).callerKey, undefined)
})

t.test('under pressure, protected calls are shed before any key is checked; health still answers', async (t) => {
  let pressure = true
  const admit = createCallAdmission(secured(), { isUnderPressure: () => pressure })
  const error = t.throws(() => admit({ authorization: undefined, methodPath: decide, clientAddress: '127.0.0.1' })) as unknown as {
    code: string
    retryAfterMs: number
  }
  t.equal(error.code, 'DRIBER_UNDER_PRESSURE')
  t.equal(error.retryAfterMs, 10_000)
  t.ok(admit({ authorization: undefined, methodPath: '/grpc.health.v1.Health/Check', clientAddress: '127.0.0.1' }))
  pressure = false
  t.equal(admit({ authorization: `Bearer ${key}`, methodPath: decide, clientAddress: '127.0.0.1' }).identity?.keyId, 'alpha')
})
