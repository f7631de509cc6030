/**
 * Speakers who have not written yet, and declared participants, over HTTP and gRPC against the
 * fake upstream: a newcomer may be asked about, `participants` widens what the model may answer
 * and bounds what the caller may ask, and an outsider is refused before any model is called.
 */
import * as grpc from '@grpc/grpc-js'
import t, { type Test } from 'tap'
import { buildTestApp, type TestApp } from '../helper.js'
import { createProtoClient, type ProtoClient } from '../support/proto-client.js'

/** Two people have talked; Cleo is in the chat but has not written. */
const dialogue = [
  { speaker: 'Ana', text: 'Who is bringing the cake on Saturday?' },
  { speaker: 'Ben', text: 'Cleo said she baked one this morning.' },
]

const userPrompt = (app: TestApp, index: number): string => {
  const body = app.upstream.chatRequests[index]?.body as { messages: Array<{ role: string; content: string }> }
  return body.messages.find((message) => message.role === 'user')?.content ?? ''
}

const cleoShares = { share: true, speaker: 'Cleo', confidence: 0.9, intents: ['information_dissemination'], trigger_turn: 1, rationale: 'She has the cake.' }

const startGrpc = async (t: Test, app: TestApp): Promise<ProtoClient> => {
  const server = app.app.grpc?.server
  if (server === undefined) throw new Error('the app built no gRPC server')
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  const client = createProtoClient(`127.0.0.1:${port}`)
  t.teardown(() => client.close())
  return client
}

const grpcFailure = async (promise: Promise<unknown>): Promise<grpc.ServiceError> => {
  try {
    await promise
  } catch (error) {
    return error as grpc.ServiceError
  }
  throw new Error('expected the call to fail')
}

t.test('HTTP: a speaker who has not written yet is accepted, and the prompt names them', async (t) => {
  const app = await buildTestApp(t)
  const response = await app.post('/v1/decide', { dialogue, speaker: 'Cleo' })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.equal(response.body.speaker, 'Cleo')
  const prompt = userPrompt(app, 0)
  t.match(prompt, 'Speakers: "Ana", "Ben", "Cleo"')
  t.match(prompt, '"speaker" is exactly "Cleo".')

  const shared = await app.post('/v1/share', { dialogue, speaker: 'Cleo', k: 1 })
  t.equal(shared.status, 200, JSON.stringify(shared.body))
  t.equal(shared.body.decision.speaker, 'Cleo')
  t.equal(shared.body.results.length, 1, 'the chain runs through Describe and Retrieve for the newcomer')
})

t.test('HTTP: without a speaker the model may pick a declared participant who has not written', async (t) => {
  const app = await buildTestApp(t)
  app.upstream.script({ kind: 'json', value: cleoShares })
  const response = await app.post('/v1/decide', { dialogue, participants: ['Ana', 'Ben', 'Cleo', 'Cleo'] })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.equal(response.body.speaker, 'Cleo')
  t.equal(response.body.attempts.length, 1, 'accepted on the first answer')
  t.match(userPrompt(app, 0), 'Speakers: "Ana", "Ben", "Cleo"\n', 'participants listed once, after the speakers')
})

t.test('HTTP: without participants, an answer naming someone absent from the request is not accepted', async (t) => {
  const app = await buildTestApp(t)
  // Both models, each re-asked once: four answers that all name Cleo.
  app.upstream.script(...Array.from({ length: 4 }, () => ({ kind: 'json' as const, value: cleoShares })))
  const response = await app.post('/v1/decide', { dialogue })
  t.equal(response.status, 502)
  t.equal(response.body.error.code, 'DRIBER_PARSE_FAILURE')
})

t.test('HTTP: with participants, a speaker outside them and the dialogue is refused before any model call', async (t) => {
  const app = await buildTestApp(t)
  const requests: Array<[string, Record<string, unknown>]> = [
    ['/v1/decide', { dialogue, speaker: 'Dan', participants: ['Cleo'] }],
    ['/v1/decide', { dialogue, speaker: 'Dan', participants: ['Cleo'], mode: 'rank' }],
    ['/v1/share', { dialogue, speaker: 'Dan', participants: ['Cleo'] }],
  ]
  for (const [route, body] of requests) {
    const response = await app.post(route, body)
    t.equal(response.status, 400, `${route} ${JSON.stringify(body)}`)
    t.equal(response.body.error.code, 'DRIBER_INVALID_ARGUMENT')
    t.same(response.body.error.details, { field: 'speaker', reason: 'unknown_speaker', speakers: ['Ana', 'Ben', 'Cleo'] }, 'names who is allowed')
  }
  const participant = await app.post('/v1/decide', { dialogue, speaker: 'Cleo', participants: ['Cleo'] })
  t.equal(participant.status, 200, 'a declared participant is accepted')
  t.equal(app.upstream.chatRequests.length, 1, 'only the accepted request reached a model')
})

t.test('HTTP: participants are checked like speaker names and bounded in number', async (t) => {
  const app = await buildTestApp(t, { config: { limits: { maxParticipants: 2, maxSpeakerChars: 8 } } })
  const cases: Array<[unknown, string, Record<string, unknown>]> = [
    [['Cleo', 'Dan', 'Eve'], 'participants', { reason: 'too_many', limit: 2 }],
    [['Cleo', 'Bartholomew'], 'participants[1]', { reason: 'too_long', limit: 8 }],
    [['Cl\u0007eo'], 'participants[0]', { reason: 'control_character' }],
    [['  '], 'participants[0]', { reason: 'empty' }],
  ]
  for (const [participants, field, details] of cases) {
    const response = await app.post('/v1/decide', { dialogue, participants })
    t.equal(response.status, 400, JSON.stringify(participants))
    t.equal(response.body.error.code, 'DRIBER_INVALID_ARGUMENT')
    t.match(response.body.error.details, { field, ...details })
  }
  const empty = await app.post('/v1/decide', { dialogue, participants: [] })
  t.equal(empty.status, 400, 'an empty list is refused: omit the field instead')
  t.equal(empty.body.error.code, 'DRIBER_INVALID_ARGUMENT')
  t.equal(app.upstream.chatRequests.length, 0)
})

t.test('gRPC: newcomer accepted, participants respected, outsider refused', async (t) => {
  const app = await buildTestApp(t)
  const client = await startGrpc(t, app)

  const newcomer = await client.call('Decide', { dialogue, speaker: 'Cleo' })
  t.equal(newcomer.response.next.speaker, 'Cleo')
  t.match(userPrompt(app, 0), 'Speakers: "Ana", "Ben", "Cleo"')

  app.upstream.script({ kind: 'json', value: cleoShares })
  const chosen = await client.call('Share', { dialogue, participants: ['Cleo'], k: 1 })
  t.equal(chosen.response.decision.speaker, 'Cleo', 'the model may pick a participant who has not written')

  const ranked = await client.call('Rank', { dialogue, speaker: 'Cleo', participants: ['Cleo'] })
  t.ok(ranked.response.candidates.length > 0)

  const calls = app.upstream.chatRequests.length
  for (const [method, request] of [
    ['Decide', { dialogue, speaker: 'Dan', participants: ['Cleo'] }],
    ['Rank', { dialogue, speaker: 'Dan', participants: ['Cleo'] }],
    ['Share', { dialogue, speaker: 'Dan', participants: ['Cleo'] }],
  ] as const) {
    const error = await grpcFailure(client.call(method, request))
    t.equal(error.code, grpc.status.INVALID_ARGUMENT, method)
    t.equal(error.metadata.get('driber-error-code')[0]?.toString(), 'DRIBER_INVALID_ARGUMENT')
    const details = JSON.parse(error.metadata.get('driber-error-details-bin')[0]?.toString() ?? '{}') as Record<string, unknown>
    t.same(details, { field: 'speaker', reason: 'unknown_speaker', speakers: ['Ana', 'Ben', 'Cleo'] })
  }
  t.equal(app.upstream.chatRequests.length, calls, 'refused calls never reach a model')
})
