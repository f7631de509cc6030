import t from 'tap'
import { callerKey, normaliseAddress, RateLimiter } from '../../src/auth/rate-limiter.js'

t.test('a caller gets max calls per window, then is refused until the window resets', async (t) => {
  let now = 1_000_000
  const limiter = new RateLimiter({ maxTrackedCallers: 100, now: () => now })
  const limit = { max: 3, windowMs: 10_000 }
  const decisions = [1, 2, 3, 4].map(() => limiter.consume('key:a', limit))
  t.same(
    decisions.map((decision) => decision.allowed),
    [true, true, true, false],
  )
  t.same(
    decisions.map((decision) => decision.remaining),
    [2, 1, 0, 0],
  )
  now += 4_000
  const refused = limiter.consume('key:a', limit)
  t.equal(refused.allowed, false)
  t.equal(refused.resetMs, 6_000, 'Retry-After is the time left in the window')
  t.equal(limiter.consume('key:b', limit).allowed, true, 'callers are counted apart')
  now += 6_000
  t.equal(limiter.consume('key:a', limit).allowed, true, 'a new window starts afresh')
})

t.test('memory stays bounded: the oldest windows are dropped beyond maxTrackedCallers', async (t) => {
  let now = 0
  const limiter = new RateLimiter({ maxTrackedCallers: 50, now: () => now })
  for (let i = 0; i < 1000; i++) {
    now += 1
    limiter.consume(`ip:10.0.${Math.floor(i / 256)}.${i % 256}`, { max: 1, windowMs: 60_000 })
  }
  t.equal(limiter.trackedCallers, 50)
})

t.test('the fastify store shares counts with direct consumption (one allowance across transports)', async (t) => {
  const limiter = new RateLimiter({ maxTrackedCallers: 10 })
  const Store = limiter.fastifyStore()
  const store = new Store({})
  t.equal(store.child({}), store, 'routes share the one store')
  limiter.consume('key:a', { max: 5, windowMs: 60_000 })
  const result = await new Promise<{ current: number; ttl: number } | undefined>((resolve, reject) =>
    store.incr('key:a', (error, value) => (error ? reject(error) : resolve(value)), 60_000, 5),
  )
  t.equal(result?.current, 2)
  t.ok((result?.ttl ?? 0) > 0)
  const read = await new Promise<{ current: number; ttl: number } | undefined>((resolve, reject) =>
    store.read('key:a', (error, value) => (error ? reject(error) : resolve(value)), 60_000, 5),
  )
  t.equal(read?.current, 2, 'read does not count')
})

t.test('caller keys: key id when authenticated, normalised IP otherwise', async (t) => {
  t.equal(callerKey({ keyId: 'alpha' }, '10.0.0.1'), 'key:alpha')
  t.equal(callerKey(undefined, '::ffff:10.0.0.1'), 'ip:10.0.0.1')
  t.equal(callerKey(undefined, '[::1]'), 'ip:::1')
  t.equal(callerKey(undefined, undefined), 'ip:unknown')
  t.equal(normaliseAddress('10.0.0.1'), normaliseAddress('::FFFF:10.0.0.1'))
})
