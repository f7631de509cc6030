import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { isLoopbackHost, resolveAccessPolicy } from '../../src/auth/access-policy.js'
import { hashApiKey } from '../../src/auth/api-key-hash.js'
import { testConfig } from '../../src/config.js'

const hash = hashApiKey('a-test-key-that-is-long-enough')

t.test('loopback hosts', async (t) => {
  for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) t.ok(isLoopbackHost(host), host)
  for (const host of ['0.0.0.0', '::', '', '10.0.0.5', 'example.com', '::ffff:10.0.0.1']) t.notOk(isLoopbackHost(host), host)
})

t.test('auth is off by default only on loopback binds without keys', async (t) => {
  const loopback = resolveAccessPolicy(testConfig())
  t.equal(loopback.enabled, false)
  t.same(loopback.warnings, [])

  const withKeys = resolveAccessPolicy(testConfig({ auth: { keys: [{ id: 'a', hash }] } }))
  t.equal(withKeys.enabled, true)
  t.same(withKeys.warnings, [])

  const exposedHttp = resolveAccessPolicy(testConfig({ http: { host: '0.0.0.0' } }))
  t.equal(exposedHttp.enabled, true, 'fails closed')
  t.equal(exposedHttp.warnings[0]?.level, 'error')
  t.match(exposedHttp.warnings[0]?.message, /NO API KEY/)

  const exposedGrpc = resolveAccessPolicy(testConfig({ grpc: { host: '::' } }))
  t.equal(exposedGrpc.enabled, true)
  const grpcDisabled = resolveAccessPolicy(testConfig({ grpc: { enabled: false, host: '::' } }))
  t.equal(grpcDisabled.enabled, false, 'a server that does not listen does not count')

  const openOnPurpose = resolveAccessPolicy(testConfig({ http: { host: '0.0.0.0' }, auth: { enabled: false } }))
  t.equal(openOnPurpose.enabled, false)
  t.match(openOnPurpose.warnings[0]?.message, /AUTH IS OFF/)
})

t.test('open paths and gRPC services', async (t) => {
  const policy = resolveAccessPolicy(testConfig({ auth: { openPaths: ['/healthz', '/docs*'] } }))
  t.ok(policy.isOpenPath('/healthz'))
  t.ok(policy.isOpenPath('/docs/static/index.html'))
  t.notOk(policy.isOpenPath('/healthz/x'))
  t.notOk(policy.isOpenPath('/v1/decide'))
  t.ok(policy.isOpenGrpcMethod('/grpc.health.v1.Health/Check'))
  t.notOk(policy.isOpenGrpcMethod('/driber.v1.Driber/Decide'))
  const defaults = resolveAccessPolicy(testConfig())
  t.same(['/healthz', '/readyz', '/metrics'].map(defaults.isOpenPath), [true, true, true])
  // The playground page holds no secret (its API calls carry the key typed into it); the images and the API stay closed.
  t.same(['/playground', '/playground/', '/playground/*'].map(defaults.isOpenPath), [true, true, true])
  t.same(['/v1/images/:index/:id', '/v1/models', '/playgroundx'].map(defaults.isOpenPath), [false, false, false])
})

t.test('keys file adds keys; bad files and duplicate ids are config errors', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-keys-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const file = path.join(directory, 'keys.yaml')
  writeFileSync(file, `keys:\n  - id: from-file\n    hash: ${hash}\n    rate: {max: 5, windowMs: 1000}\n`)
  const policy = resolveAccessPolicy(testConfig({ auth: { keysFile: file } }))
  t.equal(policy.enabled, true)
  t.same(
    policy.keys.map((key) => key.id),
    ['from-file'],
  )

  const plain = path.join(directory, 'plain.yaml')
  writeFileSync(plain, '- id: leaked\n  hash: my-plain-key\n')
  t.throws(() => resolveAccessPolicy(testConfig({ auth: { keysFile: plain } })), { code: 'DRIBER_CONFIG_INVALID' })
  t.throws(() => resolveAccessPolicy(testConfig({ auth: { keysFile: path.join(directory, 'missing.yaml') } })), {
    code: 'DRIBER_CONFIG_INVALID',
  })
  t.throws(() => resolveAccessPolicy(testConfig({ auth: { keysFile: file, keys: [{ id: 'from-file', hash }] } })), {
    code: 'DRIBER_CONFIG_INVALID',
  })
})

t.test('plain-text keys in config are refused by the schema', async (t) => {
  t.throws(() => testConfig({ auth: { keys: [{ id: 'a', hash: 'secret-key-in-plain-text' }] } }), { code: 'DRIBER_CONFIG_INVALID' })
})
