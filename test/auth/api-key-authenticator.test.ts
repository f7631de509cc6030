import t from 'tap'
import { bearerToken, createApiKeyAuthenticator } from '../../src/auth/api-key-authenticator.js'
import { digestFromHash, generateApiKey, hashApiKey } from '../../src/auth/api-key-hash.js'

t.test('a generated key hashes to the stored form and authenticates as its id', async (t) => {
  const key = generateApiKey()
  t.match(key, /^drb_[A-Za-z0-9_-]{43}$/)
  const hash = hashApiKey(key)
  t.match(hash, /^sha256:[0-9a-f]{64}$/)
  const other = generateApiKey()
  const authenticator = createApiKeyAuthenticator([
    { id: 'alpha', hash },
    { id: 'beta', hash: hashApiKey(other), rate: { max: 5, windowMs: 1000 } },
  ])
  t.equal(authenticator.keyCount, 2)
  t.same(authenticator.authenticate(key), { keyId: 'alpha', rate: undefined })
  t.same(authenticator.authenticate(other), { keyId: 'beta', rate: { max: 5, windowMs: 1000 } })
})

t.test('wrong, empty, absent, near-miss and oversized keys are refused', async (t) => {
  const key = generateApiKey()
  const authenticator = createApiKeyAuthenticator([{ id: 'alpha', hash: hashApiKey(key) }])
  t.equal(authenticator.authenticate(undefined), undefined)
  t.equal(authenticator.authenticate(''), undefined)
  t.equal(authenticator.authenticate(key.slice(0, -1)), undefined)
  t.equal(authenticator.authenticate(`${key} `), undefined)
  t.equal(authenticator.authenticate(key.toUpperCase()), undefined)
  t.equal(authenticator.authenticate(hashApiKey(key)), undefined, 'the hash itself is not a key')
  t.equal(authenticator.authenticate('x'.repeat(10_000)), undefined)
})

t.test('no keys configured authenticates nobody', async (t) => {
  t.equal(createApiKeyAuthenticator([]).authenticate(generateApiKey()), undefined)
})

t.test('a malformed stored hash is refused when building', async (t) => {
  t.throws(() => digestFromHash('sha256:abc'))
  t.throws(() => digestFromHash(`md5:${'0'.repeat(64)}`))
  t.throws(() => createApiKeyAuthenticator([{ id: 'x', hash: 'plain-text-key' }]))
})

t.test('bearer tokens are read from the Authorization header only in the Bearer scheme', async (t) => {
  t.equal(bearerToken('Bearer abc.def'), 'abc.def')
  t.equal(bearerToken('bearer abc'), 'abc')
  t.equal(bearerToken(['Bearer first', 'Bearer second']), 'first')
  t.equal(bearerToken('Basic dXNlcjpwYXNz'), undefined)
  t.equal(bearerToken('Bearer'), undefined)
  t.equal(bearerToken('Bearer a b'), undefined)
  t.equal(bearerToken('abc'), undefined)
  t.equal(bearerToken(undefined), undefined)
})
