import { PassThrough } from 'node:stream'
import t from 'tap'
import { createApiKeyAuthenticator } from '../../../src/auth/api-key-authenticator.js'
import { hashApiKey } from '../../../src/auth/api-key-hash.js'
import { run } from '../../../src/cli/commands/hash-key.js'
import { testConfig } from '../../../src/config.js'

const invoke = async (argv: string[], stdinText = ''): Promise<{ code: number; stdout: string; stderr: string }> => {
  const stdin = new PassThrough()
  stdin.end(stdinText)
  let stdout = ''
  let stderr = ''
  const code = await run(argv, { stdin, stdout: { write: (chunk: string) => (stdout += chunk) }, stderr: { write: (chunk: string) => (stderr += chunk) } })
  return { code, stdout, stderr }
}

t.test('hashes the key on stdin (one trailing newline ignored)', async (t) => {
  const key = 'drb_some-long-enough-client-key-123'
  const result = await invoke([], `${key}\n`)
  t.equal(result.code, 0)
  t.equal(result.stdout, `${hashApiKey(key)}\n`)
  t.notMatch(result.stdout, key, 'the key itself is not echoed')
})

t.test('refuses short keys and keys given as arguments', async (t) => {
  const short = await invoke([], 'short')
  t.equal(short.code, 1)
  t.match(short.stderr, /at least 24/)
  const argument = await invoke(['drb_some-long-enough-client-key-123'])
  t.equal(argument.code, 2)
  t.match(argument.stderr, /stdin/)
})

t.test('--generate prints a new key and a config entry that authenticates it', async (t) => {
  const result = await invoke(['--generate', '--id', 'checkout-service'])
  t.equal(result.code, 0)
  const key = /^key: {2}(\S+)$/m.exec(result.stdout)?.[1]
  const hash = /hash: (sha256:[0-9a-f]{64})$/m.exec(result.stdout)?.[1]
  t.ok(key !== undefined && hash !== undefined)
  const config = testConfig({ auth: { keys: [{ id: 'checkout-service', hash: hash as string }] } })
  t.equal(createApiKeyAuthenticator(config.auth.keys).authenticate(key)?.keyId, 'checkout-service')
})

t.test('--help', async (t) => {
  const result = await invoke(['--help'])
  t.equal(result.code, 0)
  t.match(result.stdout, /usage: driber hash-key/)
})
