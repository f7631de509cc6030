/**
 * The playground in a real headless Chromium against the whole app (HTTP on port 0, the fake
 * upstream behind it), with a default index built from local PNG files: a user types a dialogue,
 * runs Share, and sees the decision, the trigger turn highlighted, the descriptions, attempts and
 * usage, and thumbnails that actually decoded. Errors show their catalog code; with auth on the
 * key typed into the page is what the API calls (images included) carry.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { hashApiKey } from '../../src/auth/api-key-hash.js'
import type { ConfigData, DeepPartial } from '../../src/config.js'
import { beachDialogue, buildTestApp } from '../helper.js'
import { artifactPath, launchChromium, skipUnlessChromium } from '../support/headless-chromium.js'
import { writeLocalImageGallery } from '../support/local-image-gallery.js'

const appWithLocalImages = async (t: Test, config: DeepPartial<ConfigData> = {}) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-playground-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const { gallery } = writeLocalImageGallery(directory)
  return buildTestApp(t, {
    config: { ...config, retrieval: { defaultIndex: 'local', indexes: [{ name: 'local', path: gallery, embedder: 'fake-embed', backend: 'memory' }] } },
  })
}

/**
 * The DOM as the callbacks below see it inside the page. The project compiles without the DOM
 * library (it is a server), so the few browser objects they touch are typed here.
 */
interface PageNode {
  textContent: string | null
  naturalWidth?: number
  classList: { contains(name: string): boolean }
  querySelector(selector: string): PageNode | null
  querySelectorAll(selector: string): Iterable<PageNode>
}
interface PageGlobals {
  document: { querySelectorAll(selector: string): Iterable<PageNode>; cookie: string }
  localStorage: object
  sessionStorage: object
  location: { href: string }
}

/** Script errors each page raised, checked at the end of a test. */
const pageErrors = new WeakMap<Page, string[]>()

const openPlayground = async (browser: Browser, url: string): Promise<Page> => {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
  // The one web-url image of the gallery: refused here, so the test never reaches the network.
  await page.route('https://images.example.org/**', (route) => route.abort())
  const errors: string[] = []
  pageErrors.set(page, errors)
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${url}/playground`)
  return page
}

/** Types the dialogue through the page's own controls, as a user would. */
const typeDialogue = async (page: Page, turns: Array<{ speaker: string; text: string }>): Promise<void> => {
  await page.getByRole('button', { name: 'Clear' }).click()
  for (const [index, turn] of turns.entries()) {
    if (index > 0) await page.getByRole('button', { name: 'Add turn' }).click()
    await page.getByLabel(`Speaker of turn ${index}`).fill(turn.speaker)
    await page.getByLabel(`Text of turn ${index}`).fill(turn.text)
  }
}

/** Every thumbnail settled: decoded (naturalWidth > 0) or replaced by the "unavailable" placeholder. */
const settledImages = (page: Page) =>
  page.waitForFunction(() => {
    const figures = [...(globalThis as unknown as PageGlobals).document.querySelectorAll('#images figure')]
    return figures.length > 0 && figures.every((figure) => figure.querySelector('.is-broken') !== null || (figure.querySelector('img')?.naturalWidth ?? 0) > 0)
  })

const thumbnails = (page: Page) =>
  page.$$eval('#images figure', (elements) =>
    (elements as unknown as PageNode[]).map((figure) => ({
      id: figure.querySelector('.image-link')?.textContent ?? '',
      naturalWidth: figure.querySelector('img')?.naturalWidth ?? 0,
      broken: figure.querySelector('.is-broken') !== null,
      caption: figure.querySelector('.caption')?.textContent ?? '',
    })),
  )

t.test('the playground in Chromium', { skip: skipUnlessChromium() }, async (t) => {
  const browser = await launchChromium(t)

  t.test('Share on a typed dialogue shows the decision, trigger, descriptions, images, attempts and usage', async (t) => {
    const { url, upstream } = await appWithLocalImages(t)
    const page = await openPlayground(browser, url)
    await page.waitForSelector('#model-select option[value="model-a"]', { state: 'attached' })
    await typeDialogue(page, beachDialogue)
    await page.getByLabel('Next speaker').fill('Ana')
    await page.getByLabel('Model').selectOption('model-a')
    await page.getByLabel('Images (k)').fill('6')
    // The first Decide answer is unusable, so the attempts show a re-ask.
    upstream.script({ kind: 'content', content: 'this is not JSON' })
    await page.getByRole('button', { name: 'Share', exact: true }).click()

    await page.waitForSelector('#decision-card:not([hidden])')
    t.equal(await page.textContent('#decision-verdict'), 'Share an image')
    t.equal(await page.textContent('#decision-confidence-value'), '80%')
    t.same(await page.$$eval('#decision-intents li', (items) => items.map((item) => item.textContent)), ['Information'])
    t.ok(await page.isHidden('#error-box'), 'no error shown')
    t.ok(await page.isHidden('#decision-anyway'), 'no "Decide says no" offer on a yes')
    t.same(
      await page.$$eval('#turns li', (items) => items.map((item) => item.classList.contains('is-trigger'))),
      [false, false, true],
      'the trigger turn (the last) is highlighted in the dialogue',
    )
    const descriptions = await page.$$eval('#descriptions .description-text', (items) => items.map((item) => item.textContent ?? ''))
    t.equal(descriptions.length, 1)
    t.match(descriptions[0], /^An image of /)

    await settledImages(page)
    const images = await thumbnails(page)
    t.equal(images.length, 6, 'every result of k=6 has a thumbnail')
    const byId = Object.fromEntries(images.map((image) => [image.id, image]))
    for (const id of ['turtle', 'dog', 'cake']) {
      t.equal(byId[id]?.naturalWidth, 96, `${id}: the local PNG was served and decoded`)
      t.notOk(byId[id]?.broken, id)
    }
    t.equal(byId.turtle?.caption, 'a sea turtle swimming in clear water')
    for (const id of ['kite', 'gone', 'notes']) t.ok(byId[id]?.broken, `${id}: an image that cannot load shows a placeholder, not a broken icon`)

    const attempts = await page.$$eval('#attempt-rows tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(0, 3).map((cell) => cell.textContent)))
    t.same(attempts, [
      ['Decide', 'model-a', 'parse_failure (invalid_json)'],
      ['Decide', 'model-a', 'ok'],
      ['Describe', 'model-a', 'ok'],
    ])
    t.match(await page.textContent('#usage'), /Decide tokens.*\d+ total.*Describe tokens.*Request tokens/s)
    t.match(await page.textContent('#request-meta'), /Request id [0-9a-f-]{32,36}/)
    await page.screenshot({ path: artifactPath('playground-share.png'), fullPage: true })
    t.same(pageErrors.get(page), [], 'no script error on the page')
  })

  t.test('an error shows its catalog code and message', async (t) => {
    const { url } = await appWithLocalImages(t)
    const page = await openPlayground(browser, url)
    await page.getByLabel('Image index').fill('nowhere')
    await page.getByRole('button', { name: 'Share', exact: true }).click()
    await page.waitForSelector('#error-box:not([hidden])')
    t.equal(await page.textContent('#error-code'), 'DRIBER_UNKNOWN_INDEX')
    t.equal(await page.textContent('#error-status'), 'HTTP 404')
    t.match(await page.textContent('#error-message'), /No image index "nowhere"/)
    t.ok(await page.isHidden('#decision-card'), 'no stale result beside the error')
    await page.screenshot({ path: artifactPath('playground-error.png') })
  })

  t.test('with auth on: refused without the key, then the typed key carries the calls and the images', async (t) => {
    const key = 'playground-browser-key-0123456789'
    const { url } = await appWithLocalImages(t, { auth: { enabled: true, keys: [{ id: 'browser', hash: hashApiKey(key) }] } })
    const page = await openPlayground(browser, url)
    await page.waitForSelector('#model-hint:has-text("Enter the API key")')
    await page.getByRole('button', { name: 'Share', exact: true }).click()
    await page.waitForSelector('#error-box:not([hidden])')
    t.equal(await page.textContent('#error-code'), 'DRIBER_UNAUTHENTICATED')

    await page.getByLabel('API key').fill(key)
    await page.getByLabel('API key').press('Tab')
    await page.waitForSelector('#model-select option[value="model-a"]', { state: 'attached' })
    await page.getByRole('button', { name: 'Share', exact: true }).click()
    await page.waitForSelector('#images-card:not([hidden])')
    await settledImages(page)
    const loaded = (await thumbnails(page)).filter((image) => image.naturalWidth > 0).map((image) => image.id)
    t.ok(loaded.length > 0 && loaded.every((id) => ['turtle', 'dog', 'cake'].includes(id)), `local images load with the key: ${loaded.join(', ')}`)
    const links = await page.$$eval('#images figure', (elements) =>
      (elements as unknown as PageNode[]).filter((figure) => (figure.querySelector('img')?.naturalWidth ?? 0) > 0).map((figure) => (figure.querySelector('.image-link') as unknown as { href: string }).href),
    )
    t.ok(links.length > 0 && links.every((href) => href.startsWith('blob:')), 'their links open the copy fetched with the key, not a url that would be refused')
    const kept = await page.evaluate(() => {
      const page = globalThis as unknown as PageGlobals
      return JSON.stringify({ ...page.localStorage }) + JSON.stringify({ ...page.sessionStorage }) + page.document.cookie + page.location.href
    })
    t.notOk(kept.includes(key), 'the key is kept nowhere but the field (no storage, cookie or URL)')
  })
})
