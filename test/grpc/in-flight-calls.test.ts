import t from 'tap'
import { InFlightCalls } from '../../src/grpc/in-flight-calls.js'

t.test('idle resolves at once with nothing in flight, and when the last call leaves', async (t) => {
  const calls = new InFlightCalls()
  t.equal(await calls.idle(1_000), true)
  calls.enter()
  calls.enter()
  const idle = calls.idle(10_000)
  calls.leave()
  t.equal(calls.count, 1)
  calls.leave()
  t.equal(await idle, true)
  t.equal(calls.count, 0)
})

t.test('idle gives up when the time is out, and a later leave does not wake it twice', async (t) => {
  const calls = new InFlightCalls()
  calls.enter()
  t.equal(await calls.idle(10), false)
  calls.leave()
  calls.leave()
  t.equal(calls.count, 0, 'never negative')
})
