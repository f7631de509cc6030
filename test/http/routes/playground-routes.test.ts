/**
 * `/playground` on the whole app over real HTTP: the page and its files come from the service
 * itself with a strict content security policy, revalidate by ETag, are open with auth on (the
 * API calls the page makes still need the key), and can be turned off.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { hashApiKey } from '../../../src/auth/api-key-hash.js'
import { PLAYGROUND_DIRECTORY } from '../../../src/http/routes/playground-routes.js'
import { buildTestApp } from '../../helper.js'

t.test('the page and its modules are served with their types, a strict CSP and validators', async (t) => {
  const { url } = await buildTestApp(t)
  const redirect = await fetch(`${url}/playground`, { redirect: 'manual' })
  t.equal(redirect.status, 301)
  t.equal(redirect.headers.get('location'), 'playground/', 'relative, so the page also works behind a path prefix')

  const page = await fetch(`${url}/playground/`)
  t.equal(page.status, 200)
  t.equal(page.headers.get('content-type'), 'text/html; charset=utf-8')
  const html = await page.text()
  t.equal(html, readFileSync(path.join(PLAYGROUND_DIRECTORY, 'index.html'), 'utf8'))
  const csp = page.headers.get('content-security-policy') ?? ''
  t.match(csp, /script-src 'self'/)
  t.match(csp, /connect-src 'self'/)
  t.notMatch(csp, /unsafe-inline|unsafe-eval/, 'no inline script or eval')
  t.equal(page.headers.get('x-content-type-options'), 'nosniff')
  t.equal(page.headers.get('cache-control'), 'no-cache')

  // Every file the page references is served, with the type a browser needs (modules must be JavaScript).
  const referenced = [...html.matchAll(/(?:src|href)="([^":]+)"/g)].map((match) => match[1] as string).filter((reference) => !reference.startsWith('#') && !reference.startsWith('..'))
  t.ok(referenced.includes('playground.js') && referenced.includes('playground.css'))
  const types: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' }
  for (const file of [...referenced, 'examples.js']) {
    const response = await fetch(`${url}/playground/${file}`)
    t.equal(response.status, 200, file)
    t.equal(response.headers.get('content-type'), types[path.extname(file)], file)
    await response.arrayBuffer()
  }

  const etag = page.headers.get('etag') as string
  const again = await fetch(`${url}/playground/`, { headers: { 'if-none-match': etag } })
  t.equal(again.status, 304)
  await again.arrayBuffer()
})

t.test('only the listed files exist: anything else is a typed 404', async (t) => {
  const { get } = await buildTestApp(t)
  for (const route of ['/playground/nothing.js', '/playground/..%2Fpackage.json', '/playground/%2Fetc%2Fpasswd', '/playground/README.md']) {
    const response = await get(route)
    t.equal(response.status, 404, route)
    t.equal(response.body.error.code, 'DRIBER_ROUTE_NOT_FOUND', route)
  }
})

t.test('with auth on, the page is open but the API it calls is not', async (t) => {
  const key = 'playground-test-key-0123456789'
  const { get } = await buildTestApp(t, { config: { auth: { enabled: true, keys: [{ id: 'tester', hash: hashApiKey(key) }] } } })
  t.equal((await get('/playground/')).status, 200)
  t.equal((await get('/playground/playground.js')).status, 200)
  const refused = await get('/v1/models')
  t.equal(refused.status, 401)
  t.equal(refused.body.error.code, 'DRIBER_UNAUTHENTICATED')
  t.equal((await get('/v1/models', { authorization: `Bearer ${key}` })).status, 200, 'the key typed into the page is what the API wants')
})

t.test('http.playground: false removes the page', async (t) => {
  const { get } = await buildTestApp(t, { config: { http: { playground: false } } })
  const response = await get('/playground/')
  t.equal(response.status, 404)
  t.equal(response.body.error.code, 'DRIBER_ROUTE_NOT_FOUND')
})
