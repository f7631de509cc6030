/** A client that goes away takes its upstream call with it; nothing is left running or open. */
import { request as httpRequest } from 'node:http'
import t from 'tap'
import { beachDialogue, buildTestApp } from '../helper.js'

t.test('a client disconnect aborts the upstream call', async (t) => {
  const { url, upstream, startupRequests } = await buildTestApp(t)
  upstream.setResponder(() => ({ kind: 'hang' }))
  const body = JSON.stringify({ dialogue: beachDialogue })
  const request = httpRequest(`${url}/v1/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  })
  request.on('error', () => {})
  request.end(body)
  await upstream.waitForRequests(startupRequests + 1)
  request.destroy()
  await upstream.waitForAborted(1)
  t.equal(upstream.abortedCount, 1, 'the upstream saw the call cut off')
  t.equal(upstream.chatRequests.length, 1, 'and no retry or fallback followed the cancellation')
})

t.test('a fetch aborted by the client gets no answer and the service keeps serving', async (t) => {
  const { url, upstream, post, startupRequests } = await buildTestApp(t)
  upstream.script({ kind: 'hang' })
  const controller = new AbortController()
  const pending = fetch(`${url}/v1/describe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dialogue: beachDialogue }),
    signal: controller.signal,
  })
  await upstream.waitForRequests(startupRequests + 1)
  controller.abort()
  await t.rejects(pending)
  await upstream.waitForAborted(1)
  const next = await post('/v1/describe', { dialogue: beachDialogue })
  t.equal(next.status, 200, 'the next request is served normally')
})
