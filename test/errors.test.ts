/** The error catalog is a public contract: stable, unique, prefixed codes, each documented in the README. */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { projectRoot } from '../src/config.js'
import { DriberError, ErrorCatalog, GrpcStatus, specByCode, toDriberError, type ErrorKind } from '../src/errors.js'

const entries = Object.entries(ErrorCatalog) as Array<[ErrorKind, (typeof ErrorCatalog)[ErrorKind]]>

t.test('every code is unique and DRIBER_-prefixed, named after its kind', async (t) => {
  const codes = entries.map(([, entry]) => entry.code)
  t.equal(new Set(codes).size, codes.length, 'no two entries share a code')
  for (const [kind, entry] of entries) {
    t.match(entry.code, /^DRIBER_[A-Z][A-Z0-9_]*$/, kind)
    t.equal(entry.code, `DRIBER_${kind}`, `${kind}: the code is the kind with the prefix`)
  }
})

t.test('every code is documented in the README error table with its HTTP and gRPC status', async (t) => {
  const readme = readFileSync(`${projectRoot}/README.md`, 'utf8')
  const grpcNames = new Map<number, string>(Object.entries(GrpcStatus).map(([name, value]) => [value, name]))
  for (const [kind, entry] of entries) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${entry.code}\` |`))
    t.ok(row, `${kind} has a README row`)
    const cells = (row ?? '').split('|').map((cell) => cell.trim())
    t.equal(cells[2], String(entry.httpStatus), `${kind}: HTTP status`)
    t.equal(cells[3], grpcNames.get(entry.grpcStatus), `${kind}: gRPC status`)
    t.equal(cells[4], entry.retryable ? 'yes' : 'no', `${kind}: retryable`)
  }
})

t.test('statuses are coherent: client errors are 4xx and never retryable, 5xx internals hide their message', async (t) => {
  for (const [kind, entry] of entries) {
    t.ok(entry.httpStatus >= 400 && entry.httpStatus < 600, kind)
    if (entry.httpStatus === 400) t.notOk(entry.retryable, `${kind}: a bad request never succeeds by retrying`)
  }
  t.notOk(ErrorCatalog.INTERNAL.exposeMessage)
})

t.test('toBody hides internal messages and keeps details; specByCode finds entries by their public code', async (t) => {
  const internal = new DriberError('INTERNAL', { message: 'pool exhausted at 10.0.0.3' })
  t.same(internal.toBody(), { error: { code: 'DRIBER_INTERNAL', message: 'Internal error' } })
  const invalid = new DriberError('INVALID_ARGUMENT', { message: 'dialogue[0].text: too long', details: { field: 'dialogue[0].text' } })
  t.same(invalid.toBody(), { error: { code: 'DRIBER_INVALID_ARGUMENT', message: 'dialogue[0].text: too long', details: { field: 'dialogue[0].text' } } })
  t.equal(specByCode('DRIBER_PARSE_FAILURE')?.httpStatus, 502)
  t.equal(specByCode('DRIBER_NOPE'), undefined)
  const wrapped = toDriberError(new Error('boom'))
  t.equal(wrapped.kind, 'INTERNAL')
  t.equal(toDriberError(invalid), invalid)
})
