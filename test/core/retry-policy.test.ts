import t from 'tap'
import { testConfig } from '../../src/config.js'
import { ERROR_POLICY, createRetryPolicy, markFinal, policyFor, retryDelayMs } from '../../src/core/retry-policy.js'
import { DriberError, ErrorCatalog, type ErrorKind } from '../../src/errors.js'

const settings = testConfig({ resilience: { baseDelayMs: 100, maxDelayMs: 1000, retryAfterCapMs: 5000 } }).resilience

t.test('the table: retry, fall back, fail, stop', async (t) => {
  const actions = Object.fromEntries(
    (['UPSTREAM_RATE_LIMITED', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_AUTH', 'OVERLOADED', 'UPSTREAM_REJECTED', 'INVALID_ARGUMENT', 'CANCELLED', 'DEADLINE_EXCEEDED'] as ErrorKind[]).map(
      (kind) => [kind, policyFor(new DriberError(kind)).action],
    ),
  )
  t.same(actions, {
    UPSTREAM_RATE_LIMITED: 'retry',
    UPSTREAM_UNAVAILABLE: 'retry',
    UPSTREAM_TIMEOUT: 'retry',
    UPSTREAM_AUTH: 'fallback',
    OVERLOADED: 'fallback',
    UPSTREAM_REJECTED: 'fail',
    INVALID_ARGUMENT: 'fail',
    CANCELLED: 'stop',
    DEADLINE_EXCEEDED: 'stop',
  })
  for (const kind of Object.keys(ERROR_POLICY)) t.ok(kind in ErrorCatalog, `${kind} is a catalog entry`)
  t.notOk(policyFor(new DriberError('OVERLOADED')).countsAgainstModel, 'local refusals do not count against a model')
  t.ok(policyFor(new DriberError('UPSTREAM_UNAVAILABLE')).countsAgainstModel)
})

t.test('backoff: exponential ceiling with full jitter', async (t) => {
  const error = new DriberError('UPSTREAM_UNAVAILABLE')
  t.equal(retryDelayMs(1, error, settings, () => 0.999), 99)
  t.equal(retryDelayMs(2, error, settings, () => 0.999), 199)
  t.equal(retryDelayMs(3, error, settings, () => 0.5), 200)
  t.equal(retryDelayMs(10, error, settings, () => 0.999), 999, 'capped at maxDelayMs')
  t.equal(retryDelayMs(4, error, settings, () => 0), 0, 'full jitter reaches zero')
})

t.test('Retry-After is honoured up to the cap', async (t) => {
  t.equal(retryDelayMs(1, new DriberError('UPSTREAM_RATE_LIMITED', { retryAfterMs: 3000 }), settings, () => 0.5), 3000)
  t.equal(retryDelayMs(1, new DriberError('UPSTREAM_RATE_LIMITED', { retryAfterMs: 10 }), settings, () => 0.999), 99, 'never less than the backoff')
  t.equal(retryDelayMs(1, new DriberError('UPSTREAM_RATE_LIMITED', { retryAfterMs: 5001 }), settings), undefined, 'beyond the cap: do not wait')
})

t.test('the cockatiel policy retries what the table says, up to maxAttempts, and never a final error', async (t) => {
  const policy = createRetryPolicy({ ...settings, maxAttempts: 3 })
  let calls = 0
  await t.rejects(
    policy.execute(() => {
      calls++
      throw new DriberError('UPSTREAM_UNAVAILABLE')
    }),
  )
  t.equal(calls, 3)
  calls = 0
  await t.rejects(
    policy.execute(() => {
      calls++
      throw new DriberError('UPSTREAM_REJECTED')
    }),
  )
  t.equal(calls, 1)
  calls = 0
  await t.rejects(
    policy.execute(() => {
      calls++
      throw markFinal(new DriberError('UPSTREAM_UNAVAILABLE'))
    }),
  )
  t.equal(calls, 1)
})
