/**
 * `GET /v1/images/{index}/{id}` over real HTTP on the whole app, with an index built from a
 * gallery of local PNG files: Retrieve answers the service path for local images and keeps web
 * urls; the route streams the file with its type and validators, answers conditional requests with
 * 304, and refuses ids that have no servable file with typed 404s. Nothing in a request is a path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { buildTestApp, TEST_GALLERY } from '../../helper.js'
import { writeLocalImageGallery } from '../../support/local-image-gallery.js'

const setUp = async (t: Test) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-images-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const local = writeLocalImageGallery(directory)
  const app = await buildTestApp(t, {
    config: {
      retrieval: {
        defaultIndex: 'local',
        indexes: [
          { name: 'local', path: local.gallery, embedder: 'fake-embed', backend: 'memory' },
          { name: 'web', path: TEST_GALLERY, embedder: 'fake-embed', backend: 'memory' },
        ],
      },
    },
  })
  return { ...app, local }
}

t.test('Retrieve answers the service path for local images and keeps web urls', async (t) => {
  const { post, local } = await setUp(t)
  const response = await post('/v1/retrieve', { descriptions: ['a sea turtle swimming in clear water', 'a red kite flying over a windy beach'], k: 6 })
  t.equal(response.status, 200, JSON.stringify(response.body))
  const byId = Object.fromEntries(response.body.results.map((result: { id: string; url: string }) => [result.id, result.url]))
  t.equal(byId.turtle, '/v1/images/local/turtle')
  t.equal(byId.kite, 'https://images.example.org/kite.jpg', 'an image with its own web url keeps it')
  t.notOk(JSON.stringify(response.body).includes(path.dirname(local.files.turtle)), 'no local path reaches the client')
})

t.test('the file is served with its type, length and validators; a conditional request gets 304', async (t) => {
  const { url, local } = await setUp(t)
  const response = await fetch(`${url}/v1/images/local/turtle`)
  t.equal(response.status, 200)
  t.equal(response.headers.get('content-type'), 'image/png')
  const bytes = Buffer.from(await response.arrayBuffer())
  t.same(bytes, readFileSync(local.files.turtle), 'the file, byte for byte')
  t.equal(response.headers.get('content-length'), String(bytes.length))
  t.equal(response.headers.get('cache-control'), 'private, max-age=3600')
  t.equal(response.headers.get('x-content-type-options'), 'nosniff')
  const etag = response.headers.get('etag')
  const lastModified = response.headers.get('last-modified')
  t.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/)
  t.ok(lastModified !== null && Number.isFinite(Date.parse(lastModified)))

  const revalidated = await fetch(`${url}/v1/images/local/turtle`, { headers: { 'if-none-match': etag as string } })
  t.equal(revalidated.status, 304)
  t.equal((await revalidated.arrayBuffer()).byteLength, 0)
  t.equal(revalidated.headers.get('etag'), etag)
  const byDate = await fetch(`${url}/v1/images/local/turtle`, { headers: { 'if-modified-since': lastModified as string } })
  t.equal(byDate.status, 304)
  const changed = await fetch(`${url}/v1/images/local/turtle`, { headers: { 'if-none-match': '"another"' } })
  t.equal(changed.status, 200, 'another tag: the file again')
  await changed.arrayBuffer()

  const head = await fetch(`${url}/v1/images/local/turtle`, { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(head.headers.get('content-type'), 'image/png')
  t.equal(head.headers.get('content-length'), String(bytes.length), 'HEAD: the length of the file it did not send')
  t.equal(head.headers.get('etag'), etag)

  const other = await fetch(`${url}/v1/images/local/dog`)
  t.equal(other.status, 200)
  t.same(Buffer.from(await other.arrayBuffer()), readFileSync(local.files.dog), 'a relative gallery path resolves beside the gallery file')
  t.not(other.headers.get('etag'), null)
})

t.test('ids without a servable local file are typed 404s; unknown indexes too', async (t) => {
  const { get } = await setUp(t)
  const cases: Array<[string, string, string]> = [
    ['/v1/images/local/nobody', 'DRIBER_IMAGE_NOT_FOUND', 'no record with that id'],
    ['/v1/images/local/kite', 'DRIBER_IMAGE_NOT_FOUND', 'a record with a web url has no file here'],
    ['/v1/images/local/gone', 'DRIBER_IMAGE_NOT_FOUND', 'the file is missing'],
    ['/v1/images/local/notes', 'DRIBER_IMAGE_NOT_FOUND', 'a text file named .png is not served'],
    ['/v1/images/web/turtle', 'DRIBER_IMAGE_NOT_FOUND', 'an index of web images serves no files'],
    ['/v1/images/nowhere/turtle', 'DRIBER_UNKNOWN_INDEX', 'unknown index'],
  ]
  for (const [route, code, why] of cases) {
    const response = await get(route)
    t.equal(response.status, 404, `${why}: ${JSON.stringify(response.body)}`)
    t.equal(response.body.error.code, code, why)
  }
})

t.test('path traversal finds nothing: the id is looked up, never opened', async (t) => {
  const { url } = await setUp(t)
  for (const attempt of ['/v1/images/local/..%2F..%2F..%2Fetc%2Fpasswd', '/v1/images/local/%2Fetc%2Fpasswd', '/v1/images/local/images%2Fturtle.png']) {
    const response = await fetch(`${url}${attempt}`)
    const body = (await response.json()) as { error: { code: string } }
    t.equal(response.status, 404, attempt)
    t.equal(body.error.code, 'DRIBER_IMAGE_NOT_FOUND', attempt)
  }
  const dotted = await fetch(`${url}/v1/images/local/../../etc/passwd`)
  t.equal(dotted.status, 404, 'a dotted path is normalised by the URL parser and matches no image route')
  await dotted.arrayBuffer()
})
