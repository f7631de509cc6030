import { Metadata, status, type ServiceError } from '@grpc/grpc-js'
import t from 'tap'
import { DriberError } from '../../src/errors.js'
import { driberErrorFromGrpc, errorCodeMetadataKey, errorDetailsMetadataKey, retryAfterMetadataKey, toGrpcStatus } from '../../src/grpc/grpc-errors.js'

const serviceError = (code: number, details: string, metadata = new Metadata()): ServiceError =>
  Object.assign(new Error(`${code} ${details}`), { code, details, metadata })

t.test('a DriberError round-trips through a status: kind, message, details, retry hint', async (t) => {
  const original = new DriberError('UPSTREAM_RATE_LIMITED', { message: 'slow down', details: { model: 'a' }, retryAfterMs: 1234.2 })
  const sent = toGrpcStatus(original)
  t.equal(sent.code, status.RESOURCE_EXHAUSTED)
  t.equal(sent.metadata.get(retryAfterMetadataKey)[0], '1235', 'rounded up: never retry early')
  const back = driberErrorFromGrpc(serviceError(sent.code, sent.details, sent.metadata))
  t.match(back, { kind: 'UPSTREAM_RATE_LIMITED', message: 'slow down', details: { model: 'a' }, retryAfterMs: 1235 })
})

t.test('a hidden message stays hidden on the wire', async (t) => {
  const sent = toGrpcStatus(new DriberError('INTERNAL', { message: 'stack trace with secrets' }))
  t.equal(sent.code, status.INTERNAL)
  t.equal(sent.details, 'Internal error')
  t.equal(sent.metadata.get(errorCodeMetadataKey)[0], 'DRIBER_INTERNAL')
})

t.test('statuses grpc-js makes on its own map to their catalog entries and say so', async (t) => {
  const cases: Array<[number, string]> = [
    [status.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED'],
    [status.CANCELLED, 'CANCELLED'],
    [status.RESOURCE_EXHAUSTED, 'PAYLOAD_TOO_LARGE'],
    [status.UNAVAILABLE, 'UPSTREAM_UNAVAILABLE'],
    [status.UNIMPLEMENTED, 'ROUTE_NOT_FOUND'],
    [status.DATA_LOSS, 'INTERNAL'],
  ]
  for (const [code, kind] of cases) {
    const error = driberErrorFromGrpc(serviceError(code, 'from the library'))
    t.match(error, { kind, details: { origin: 'grpc-status', grpc_status: code } }, `status ${code}`)
  }
})

t.test('unreadable details and unknown codes do not throw', async (t) => {
  const metadata = new Metadata()
  metadata.set(errorCodeMetadataKey, 'DRIBER_FROM_THE_FUTURE')
  metadata.set(errorDetailsMetadataKey, Buffer.from('{not json'))
  const error = driberErrorFromGrpc(serviceError(status.NOT_FOUND, 'new kind of error', metadata))
  t.equal(error.kind, 'INTERNAL', 'an unknown code falls back by status, which has no library meaning for NOT_FOUND')
  t.equal(error.message, 'new kind of error')
  t.equal(error.details?.server_code, 'DRIBER_FROM_THE_FUTURE', 'the server code is kept')
})
