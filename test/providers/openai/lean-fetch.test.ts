/** The SDK's fetch: what it answers for the responses OpenAI-compatible servers send, and where failures surface. */
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { Pool } from 'undici'
import { leanFetch } from '../../../src/providers/openai/lean-fetch.js'

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void

/** A loopback server running `handler`, the pool leanFetch needs for it, and the sockets it accepted. */
const serve = async (t: { teardown(fn: () => Promise<void>): void }, handler: Handler) => {
  const server = http.createServer(handler)
  let connections = 0
  server.on('connection', () => connections++)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const pool = new Pool(origin, { connections: null, pipelining: 1 })
  t.teardown(async () => {
    await pool.destroy()
    server.closeAllConnections()
    server.close()
  })
  const fetch = (path: string, init: Omit<RequestInit, 'dispatcher'> & { idleTimeoutMs?: number } = {}) =>
    leanFetch(`${origin}${path}`, { method: 'POST', body: '{}', dispatcher: pool, idleTimeoutMs: 5_000, ...init })
  return { fetch, connections: () => connections }
}

t.test('a JSON answer: status, headers as the SDK reads them, the parsed body', async (t) => {
  const { fetch } = await serve(t, (request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      response.setHeader('content-type', 'application/json')
      response.setHeader('x-request-id', 'req-1')
      response.setHeader('set-cookie', ['a=1', 'b=2'])
      response.end(JSON.stringify({ echoed: JSON.parse(body), method: request.method, header: request.headers['x-test'] }))
    })
  })
  const response = await fetch('/v1/chat/completions', { body: '{"q":1}', headers: new Headers({ 'X-Test': 'yes', 'content-type': 'application/json' }) })
  t.equal(response.status, 200)
  t.equal(response.ok, true)
  t.equal(response.headers.get('X-Request-Id'), 'req-1', 'names are case-insensitive')
  t.equal(response.headers.get('set-cookie'), 'a=1, b=2', 'repeated headers are joined')
  t.equal(response.headers.get('absent'), null)
  t.ok([...response.headers.entries()].some(([name, value]) => name === 'x-request-id' && value === 'req-1'), 'entries() lists what get() answers')
  t.same(await response.json(), { echoed: { q: 1 }, method: 'POST', header: 'yes' })
})

t.test('a body with non-ASCII text arrives byte for byte, with its UTF-8 length', async (t) => {
  const { fetch } = await serve(t, (request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const received = Buffer.concat(chunks)
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ declared: Number(request.headers['content-length']), received: received.length, text: received.toString('utf8') }))
    })
  })
  // Two- three- and four-byte characters, and a body past the 4 KiB where Buffer.from stops pooling.
  for (const text of ['{"text":"호수에 다녀왔어요 ☀️ café"}', JSON.stringify({ text: 'ü'.repeat(3_000) })]) {
    const answer = (await (await fetch('/echo', { body: text })).json()) as { declared: number; received: number; text: string }
    t.equal(answer.text, text)
    t.equal(answer.received, Buffer.byteLength(text))
    t.equal(answer.declared, Buffer.byteLength(text), 'content-length counts bytes, not characters')
  }
})

t.test('an error status is answered, not thrown, and its body stays readable', async (t) => {
  const { fetch } = await serve(t, (_request, response) => {
    response.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '250' })
    response.end('{"error":{"message":"slow down"}}')
  })
  const response = await fetch('/v1/chat/completions')
  t.equal(response.status, 429)
  t.equal(response.ok, false)
  t.equal(response.headers.get('retry-after-ms'), '250')
  t.equal(await response.text(), '{"error":{"message":"slow down"}}')
})

t.test('gzip and br bodies are decoded, as fetch would', async (t) => {
  const payload = { choices: [{ message: { content: 'ok' } }] }
  const { fetch } = await serve(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    response.end(gzipSync(JSON.stringify(payload)))
  })
  t.same(await (await fetch('/v1/chat/completions')).json(), payload)
})

t.test('a redirect is not followed: its status reaches the caller', async (t) => {
  const { fetch } = await serve(t, (request, response) => {
    request.resume()
    response.writeHead(307, { location: '/elsewhere' })
    response.end()
  })
  t.equal((await fetch('/v1/chat/completions')).status, 307)
})

t.test('a connection cut mid-body rejects the body read, not the fetch (as with undici fetch)', async (t) => {
  const { fetch } = await serve(t, (request, response) => {
    request.resume()
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
    response.write('{"choices":')
    setTimeout(() => response.socket?.destroy(), 20)
  })
  const response = await fetch('/v1/chat/completions')
  t.equal(response.status, 200)
  await t.rejects(response.json(), { code: 'UND_ERR_SOCKET' })
})

t.test('silence past the idle timeout: before the headers rejects the fetch, mid-body rejects the read', async (t) => {
  const { fetch } = await serve(t, (request, response) => {
    request.resume()
    if (request.url === '/mid-body') {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.write('{')
    }
    // otherwise: never answer
  })
  await t.rejects(fetch('/no-headers', { idleTimeoutMs: 50 }), { code: 'UND_ERR_HEADERS_TIMEOUT' })
  const response = await fetch('/mid-body', { idleTimeoutMs: 50 })
  await t.rejects(response.text(), { code: 'UND_ERR_BODY_TIMEOUT' })
})

t.test('the signal aborts the request and a body being read, with its reason', async (t) => {
  const { fetch } = await serve(t, (request, response) => {
    request.resume()
    if (request.url === '/mid-body') {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.write('{')
    }
  })
  const before = new AbortController()
  const pending = fetch('/no-headers', { signal: before.signal })
  setTimeout(() => before.abort(new Error('gone before headers')), 20)
  await t.rejects(pending, { message: 'gone before headers' })

  const during = new AbortController()
  const response = await fetch('/mid-body', { signal: during.signal })
  const reading = response.text()
  during.abort(new Error('gone mid-body'))
  await t.rejects(reading, { message: 'gone mid-body' })
})

t.test('without the pool and idle timeout in fetchOptions it refuses to guess', async (t) => {
  await t.rejects(leanFetch('http://127.0.0.1:9/v1/chat/completions', { method: 'POST' }), TypeError)
})
