import { getEventListeners } from 'node:events'
import t from 'tap'
import { abortError, raceAbort, sleep, throwIfOver } from '../../src/core/abort.js'
import { DriberError } from '../../src/errors.js'

const later = Date.now() + 60_000
const earlier = Date.now() - 1

const aborted = (reason?: unknown): AbortSignal => {
  const controller = new AbortController()
  controller.abort(reason)
  return controller.signal
}

t.test('the abort reason decides CANCELLED or DEADLINE_EXCEEDED, else the clock', async (t) => {
  t.equal(abortError(aborted(new DriberError('DEADLINE_EXCEEDED')), later).kind, 'DEADLINE_EXCEEDED')
  t.equal(abortError(aborted(new DriberError('CANCELLED')), earlier).kind, 'CANCELLED', 'an explicit reason wins over the clock')
  t.equal(abortError(aborted(new DriberError('SHUTTING_DOWN')), later).kind, 'SHUTTING_DOWN')
  t.equal(abortError(AbortSignal.abort(new DOMException('late', 'TimeoutError')), later).kind, 'DEADLINE_EXCEEDED')
  t.equal(abortError(aborted(), later).kind, 'CANCELLED', 'a plain abort before the deadline: the client left')
  t.equal(abortError(aborted(), earlier).kind, 'DEADLINE_EXCEEDED', 'a plain abort after the deadline')
  t.equal(abortError(aborted(new DriberError('UPSTREAM_TIMEOUT')), later).kind, 'CANCELLED', 'other errors are not ours to pass on')
})

t.test('throwIfOver', async (t) => {
  t.doesNotThrow(() => throwIfOver(new AbortController().signal, later))
  t.throws(() => throwIfOver(new AbortController().signal, earlier), { code: 'DRIBER_DEADLINE_EXCEEDED' })
  t.throws(() => throwIfOver(aborted(new DriberError('CANCELLED')), later), { code: 'DRIBER_CANCELLED' })
})

t.test('raceAbort and sleep end with the signal and leave no listener behind', async (t) => {
  const controller = new AbortController()
  const never = new Promise<never>(() => {})
  const racing = raceAbort(never, controller.signal, later)
  const sleeping = sleep(60_000, controller.signal, later)
  controller.abort(new DriberError('CANCELLED'))
  await t.rejects(racing, { code: 'DRIBER_CANCELLED' })
  await t.rejects(sleeping, { code: 'DRIBER_CANCELLED' })

  const quiet = new AbortController()
  t.equal(await raceAbort(Promise.resolve(7), quiet.signal, later), 7)
  await sleep(1, quiet.signal, later)
  await t.rejects(raceAbort(Promise.reject(new Error('boom')), quiet.signal, later), { message: 'boom' })
  await t.rejects(sleep(5, aborted(new DriberError('CANCELLED')), later), { code: 'DRIBER_CANCELLED' })
  t.equal(getEventListeners(quiet.signal, 'abort').length, 0, 'no listener left on a long-lived signal')
})
