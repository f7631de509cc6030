/**
 * Bad input over gRPC through the whole app, the twin of http-bad-input: every case is
 * INVALID_ARGUMENT (or RESOURCE_EXHAUSTED for an oversized message) with a stable catalog code in
 * the trailing metadata, and no model or embedder is called. Also invalid UTF-8 over HTTP through
 * the whole app (the parser is unit-tested in test/http/strict-json-parser.test.ts).
 */
import * as grpc from '@grpc/grpc-js'
import t from 'tap'
import { Agent, request as httpRequest } from 'undici'
import { isDriberError } from '../../src/errors.js'
import { createDriberGrpcClient } from '../../src/grpc/grpc-client.js'
import { startFaultHarness } from '../support/fault-harness.js'
import { beachDialogue } from '../helper.js'

t.test('bad input over gRPC never reaches a model', async (t) => {
  const harness = await startFaultHarness(t, {
    config: { grpc: { maxReceiveMessageBytes: 64 * 1024 }, limits: { maxTurns: 4, maxTurnChars: 200, maxTotalChars: 500, maxK: 10, maxN: 3, maxDescriptions: 2 } },
  })
  const client = createDriberGrpcClient(harness.grpcAddress)
  t.teardown(() => client.close())
  const before = harness.upstream.requestCount
  const turn = (text: string, speaker = 'Ana') => ({ speaker, text })
  const cases: Array<[string, () => Promise<unknown>, string, number]> = [
    ['empty dialogue', () => client.decide({ dialogue: [] }), 'DRIBER_INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
    ['empty speaker', () => client.decide({ dialogue: [turn('hi', '')] }), 'DRIBER_INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
    ['too many turns', () => client.decide({ dialogue: Array.from({ length: 5 }, (_, index) => turn(`turn ${index}`)) }), 'DRIBER_DIALOGUE_TOO_LONG', grpc.status.INVALID_ARGUMENT],
    ['turn too long', () => client.describe({ dialogue: [turn('x'.repeat(201))] }), 'DRIBER_DIALOGUE_TOO_LONG', grpc.status.INVALID_ARGUMENT],
    ['too long in total', () => client.decide({ dialogue: Array.from({ length: 4 }, () => turn('y'.repeat(150))) }), 'DRIBER_DIALOGUE_TOO_LONG', grpc.status.INVALID_ARGUMENT],
    ['control character', () => client.decide({ dialogue: [turn('hello\u0000world')] }), 'DRIBER_INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
    ['escape sequence', () => client.rank({ dialogue: [turn('hi \u001b[31mred')] }), 'DRIBER_INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
    ['speaker outside participants', () => client.decide({ dialogue: beachDialogue, speaker: 'Zoe', participants: ['Cleo'] }), 'DRIBER_INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
    ['exclusive restrictions', () => client.describe({ dialogue: beachDialogue, restrictions: ['concise', 'detailed'] }), 'DRIBER_INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
    ['n over the limit', () => client.describe({ dialogue: beachDialogue, n: 4 }), 'DRIBER_INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
    ['k over the limit', () => client.retrieve({ descriptions: ['a dog'], k: 11 }), 'DRIBER_INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
    ['too many descriptions', () => client.retrieve({ descriptions: ['a', 'b', 'c'] }), 'DRIBER_INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
    ['empty description', () => client.retrieve({ descriptions: [''] }), 'DRIBER_INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
    ['unknown model', () => client.decide({ dialogue: beachDialogue, model: 'no-such-model' }), 'DRIBER_UNKNOWN_MODEL', grpc.status.NOT_FOUND],
  ]
  for (const [name, attempt, code, status] of cases) {
    const error = await attempt().then(
      () => undefined,
      (failure: unknown) => failure,
    )
    t.ok(isDriberError(error), `${name}: refused`)
    if (!isDriberError(error)) continue
    t.equal(error.code, code, `${name}: code`)
    t.equal((error.cause as { code?: number }).code, status, `${name}: status`)
    t.notMatch(error.message, /\n\s+at |\.ts:\d+/, `${name}: no stack trace`)
  }
  const oversized = await client.decide({ dialogue: [turn('z'.repeat(70 * 1024))] }).catch((failure: unknown) => failure)
  t.equal((isDriberError(oversized) ? (oversized.cause as { code?: number }) : {}).code, grpc.status.RESOURCE_EXHAUSTED, 'an oversized message is RESOURCE_EXHAUSTED')
  t.equal(harness.upstream.requestCount, before, 'no model or embedder was called')
})

t.test('a body that is not UTF-8 is refused through the whole HTTP app, before any model', async (t) => {
  const harness = await startFaultHarness(t)
  const agent = new Agent()
  t.teardown(() => agent.close())
  const before = harness.upstream.requestCount
  const body = Buffer.concat([Buffer.from('{"dialogue":[{"speaker":"Ana","text":"caf'), Buffer.from([0xe9]), Buffer.from('"}]}')])
  const response = await httpRequest(`${harness.httpUrl}/v1/decide`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body })
  t.equal(response.statusCode, 400)
  t.same(await response.body.json(), { error: { code: 'DRIBER_INVALID_JSON', message: 'The request body is not valid UTF-8', details: { reason: 'invalid_utf8' } } })
  t.equal(harness.upstream.requestCount, before)
})
