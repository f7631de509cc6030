import t from 'tap'
import { defaultCacheDirectory, loadConfig, testConfig } from '../src/config.js'

t.test('the gallery vector cache lives in the user cache directory unless configured', async (t) => {
  t.equal(defaultCacheDirectory({ XDG_CACHE_HOME: '/var/cache/me', HOME: '/home/me' }), '/var/cache/me/driber')
  t.equal(defaultCacheDirectory({ HOME: '/home/me' }), '/home/me/.cache/driber')
  t.equal(defaultCacheDirectory({ XDG_CACHE_HOME: 'relative', HOME: '/home/me' }), '/home/me/.cache/driber', 'a relative XDG path is ignored, as the spec says')
  t.equal(defaultCacheDirectory({}), undefined, 'no home: nothing is cached')
  t.equal(loadConfig({ env: { HOME: '/home/me' } }).retrieval.vectorCache.dir, '/home/me/.cache/driber')
  t.equal(loadConfig({ env: { HOME: '/home/me', DRIBER_CACHE_DIR: '/srv/cache' } }).retrieval.vectorCache.dir, '/srv/cache')
  t.equal(testConfig().retrieval.vectorCache.dir, undefined, 'tests and tools write no cache unless asked')
})

t.test('rate limiting follows auth unless DRIBER_RATE_LIMIT_ENABLED says otherwise', async (t) => {
  t.equal(loadConfig({ env: {} }).rateLimit.enabled, undefined, 'unset: decided from auth')
  t.equal(loadConfig({ env: { DRIBER_RATE_LIMIT_ENABLED: 'true' } }).rateLimit.enabled, true)
  t.equal(loadConfig({ env: { DRIBER_RATE_LIMIT_ENABLED: 'false' } }).rateLimit.enabled, false)
})
