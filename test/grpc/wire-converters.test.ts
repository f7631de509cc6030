import t from 'tap'
import { INTENTS, PARSE_FAILURE_REASONS, RESTRICTIONS, SCALES, type DecideNextResult, type DecideRankResult, type ShareResult } from '../../src/core/types.js'
import type { ModelList } from '../../src/core/driber-core.js'
import { loadDriberProto } from '../../src/grpc/proto-package.js'
import {
  decideNextFromWire,
  decideNextToWire,
  decideRankFromWire,
  decideRankToWire,
  decideRequestFromWire,
  decideRequestToWire,
  decideResponseFromWire,
  decideResponseToWire,
  describeRequestFromWire,
  describeRequestToWire,
  enumTables,
  listModelsResponseFromWire,
  listModelsResponseToWire,
  retrieveRequestFromWire,
  retrieveRequestToWire,
  shareRequestFromWire,
  shareRequestToWire,
  shareResponseFromWire,
  shareResponseToWire,
} from '../../src/grpc/wire-converters.js'
import type { ProtobufTypeDefinition } from '@grpc/proto-loader'

/**
 * Encodes `message` with the real proto and decodes it as the server sees it, so the
 * converters are tested against the bytes on the wire, not against hand-made objects.
 */
const throughWire = <Output>(typeName: string, message: object): Output => {
  const { packageDefinition } = loadDriberProto()
  const definition = packageDefinition[`driber.v1.${typeName}`] as ProtobufTypeDefinition
  t.ok(definition, `${typeName} exists`)
  const service = packageDefinition['driber.v1.ImageSharing'] as Record<string, { requestSerialize: (value: object) => Buffer; requestDeserialize: (bytes: Buffer) => unknown; responseSerialize: (value: object) => Buffer; responseDeserialize: (bytes: Buffer) => unknown; requestType: { type: { name: string } }; responseType: { type: { name: string } } }>
  for (const method of Object.values(service)) {
    if (method.requestType.type.name === typeName) return method.requestDeserialize(method.requestSerialize(message)) as Output
    if (method.responseType.type.name === typeName) return method.responseDeserialize(method.responseSerialize(message)) as Output
  }
  throw new Error(`${typeName} is no method's request or response`)
}

const next: DecideNextResult = {
  share: true,
  speaker: 'Ana',
  confidence: 0.82,
  intents: ['social_bonding', 'visual_clarification'],
  trigger: { turn: 1, text: 'Look at my new puppy!' },
  rationale: 'Ana talks about her puppy.',
  model: 'small-model',
  attempts: [
    { model: 'tiny-model', outcome: 'parse_failure', reason: 'truncated', duration_ms: 12.5 },
    { model: 'tiny-model', outcome: 'error', code: 'DRIBER_UPSTREAM_UNAVAILABLE', duration_ms: 3 },
    { model: 'small-model', outcome: 'ok', duration_ms: 40 },
  ],
  usage: { input_tokens: 120, output_tokens: 30, total_tokens: 150 },
}

const rank: DecideRankResult = {
  candidates: [
    { turn: 1, utterance: 'Look at my new puppy!', speaker: 'Ana', confidence: 0.9, rationale: 'a pet' },
    { turn: 0, utterance: 'Hi', speaker: 'Ben', confidence: 0.1, rationale: 'a greeting' },
  ],
  model: 'small-model',
  attempts: [{ model: 'small-model', outcome: 'ok', duration_ms: 5 }],
  usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
}

t.test('every proto enum value but UNSPECIFIED has a domain counterpart, and back', async (t) => {
  const { packageDefinition } = loadDriberProto()
  for (const [name, table] of Object.entries(enumTables)) {
    const definition = packageDefinition[`driber.v1.${name}`] as { type: { value: Array<{ name: string; number: number }> } }
    const protoNames = definition.type.value.map((value) => value.name).filter((value) => !value.endsWith('_UNSPECIFIED'))
    t.same([...table.fromWire.keys()].sort(), protoNames.sort(), `${name}: proto values and table agree`)
  }
  t.same(Object.keys(enumTables.Intent.toWire).sort(), [...INTENTS].sort())
  t.same(Object.keys(enumTables.Restriction.toWire).sort(), [...RESTRICTIONS].sort())
  t.same(Object.keys(enumTables.Scale.toWire).sort(), [...SCALES].sort())
  t.same(Object.keys(enumTables.ParseFailureReason.toWire).sort(), [...PARSE_FAILURE_REASONS].sort())
})

t.test('decide results survive the wire unchanged', async (t) => {
  const wire = throughWire<Parameters<typeof decideResponseFromWire>[0]>('DecideResponse', decideResponseToWire({ mode: 'next', result: next }))
  t.equal(wire.result, 'next')
  t.same(wire.next?.intents, ['INTENT_SOCIAL_BONDING', 'INTENT_VISUAL_CLARIFICATION'])
  t.strictSame(decideResponseFromWire(wire), next)

  const ranked = throughWire<Parameters<typeof decideResponseFromWire>[0]>('DecideResponse', decideResponseToWire({ mode: 'rank', result: rank }))
  t.equal(ranked.result, 'rank')
  t.strictSame(decideResponseFromWire(ranked), rank)
  t.strictSame(decideRankFromWire(throughWire('DecideRankResult', decideRankToWire(rank))), rank)
})

t.test('a null trigger stays null and absent attempt fields stay absent', async (t) => {
  const noShare: DecideNextResult = { ...next, share: false, intents: [], trigger: null, attempts: [{ model: 'm', outcome: 'ok', duration_ms: 1 }] }
  const wire = throughWire<Parameters<typeof decideResponseFromWire>[0]>('DecideResponse', { next: decideNextToWire(noShare) })
  t.equal(wire.next?.trigger, null)
  const back = decideNextFromWire(wire.next!)
  t.strictSame(back, noShare)
  t.notOk('reason' in back.attempts[0]!)
  t.notOk('code' in back.attempts[0]!)
})

t.test('decide requests: optional fields absent unless set, mode defaults to next', async (t) => {
  const bare = decideRequestFromWire(throughWire('DecideRequest', { dialogue: [{ speaker: 'Ana', text: 'hi' }] }))
  t.same(bare, { input: { dialogue: [{ speaker: 'Ana', text: 'hi' }] }, mode: 'next' })
  t.notOk('speaker' in bare.input)
  t.notOk('model' in bare.input)
  t.notOk('participants' in bare.input, 'no participants on the wire is none given, not an empty list')

  const full = decideRequestFromWire(
    throughWire('DecideRequest', decideRequestToWire({ dialogue: [{ speaker: 'Ana', text: 'hi' }], speaker: 'Ben', participants: ['Ben', 'Cleo'], model: 'small' }, 'rank')),
  )
  t.same(full, { input: { dialogue: [{ speaker: 'Ana', text: 'hi' }], speaker: 'Ben', participants: ['Ben', 'Cleo'], model: 'small' }, mode: 'rank' })

  // An empty string a client set on purpose is passed on for the core to judge, not dropped.
  const empty = decideRequestFromWire(throughWire('DecideRequest', { dialogue: [], speaker: '' }))
  t.equal(empty.input.speaker, '')
})

t.test('a mode number this server does not know is INVALID_ARGUMENT', async (t) => {
  const request = throughWire<Parameters<typeof decideRequestFromWire>[0]>('DecideRequest', { dialogue: [], mode: 7 })
  t.throws(() => decideRequestFromWire(request), { name: 'DriberError', kind: 'INVALID_ARGUMENT', details: { field: 'mode' } })
})

t.test('describe and share requests convert restrictions both ways', async (t) => {
  const input = { dialogue: [{ speaker: 'Ana', text: 'my dog' }], restrictions: ['prefix', 'specific', 'concise'] as const, n: 2 }
  const described = describeRequestFromWire(throughWire('DescribeRequest', describeRequestToWire({ ...input, restrictions: [...input.restrictions] })))
  t.same(described, { ...input, restrictions: [...input.restrictions] })

  const share = { dialogue: [{ speaker: 'Ana', text: 'my dog' }], speaker: 'Ana', participants: ['Ana', 'Ben'], k: 3, model: 'xl', restrictions: ['generic' as const], n: 1, index: 'photos' }
  t.same(shareRequestFromWire(throughWire('ShareRequest', shareRequestToWire(share))), share)

  const zeroN = describeRequestFromWire(throughWire('DescribeRequest', { dialogue: [], n: 0 }))
  t.equal(zeroN.n, 0, 'an explicit 0 reaches the core, which rejects it as HTTP does')
})

t.test('UNSPECIFIED or unknown restrictions are INVALID_ARGUMENT naming the field', async (t) => {
  for (const value of ['RESTRICTION_UNSPECIFIED', 42]) {
    const request = throughWire<Parameters<typeof describeRequestFromWire>[0]>('DescribeRequest', { dialogue: [], restrictions: ['RESTRICTION_PREFIX', value] })
    t.throws(
      () => describeRequestFromWire(request),
      { name: 'DriberError', kind: 'INVALID_ARGUMENT', details: { field: 'restrictions[1]' } },
    )
  }
  t.throws(() => describeRequestToWire({ dialogue: [], restrictions: ['sepia' as never] }), { name: 'DriberError', kind: 'INVALID_ARGUMENT' })
})

t.test('retrieve requests keep k, index, filter and ef only when set', async (t) => {
  t.strictSame(retrieveRequestFromWire(throughWire('RetrieveRequest', { descriptions: ['An image of a dog'] })), { descriptions: ['An image of a dog'] })
  t.strictSame(retrieveRequestFromWire(throughWire('RetrieveRequest', { descriptions: ['a', 'b'], k: 4, index: 'photochat' })), { descriptions: ['a', 'b'], k: 4, index: 'photochat' })
  const tuned = { descriptions: ['a dog'], k: 2, filter: { labels: 'dog', url: 'https://example.com/1.jpg' }, ef: 300 }
  t.strictSame(retrieveRequestFromWire(throughWire('RetrieveRequest', retrieveRequestToWire(tuned))), tuned, 'filter and ef survive the wire')
  t.strictSame(
    retrieveRequestFromWire(throughWire('RetrieveRequest', retrieveRequestToWire({ descriptions: ['a dog'], filter: {} }))),
    { descriptions: ['a dog'] },
    'an empty filter (all a proto map can say for none) is no filter',
  )
  t.equal(retrieveRequestFromWire(throughWire('RetrieveRequest', { descriptions: ['a'], ef: 0 })).ef, 0, 'an explicit ef of 0 reaches the core, which rejects it as HTTP does')
})

t.test('share responses survive the wire, with what each stage cost', async (t) => {
  const result: ShareResult = {
    decision: next,
    descriptions: [{ text: 'An image of a puppy', salient: ['puppy'] }],
    results: [{ id: 'img-1', url: 'https://example.com/1.jpg', caption: 'a puppy', score: 0.75 }],
    usage: { input_tokens: 220, output_tokens: 70, total_tokens: 290 },
    describe: {
      model: 'tiny-model',
      attempts: [
        { model: 'tiny-model', outcome: 'parse_failure', reason: 'invalid_json', duration_ms: 8 },
        { model: 'tiny-model', outcome: 'ok', duration_ms: 9.5 },
      ],
      usage: { input_tokens: 100, output_tokens: 40, total_tokens: 140 },
    },
  }
  t.strictSame(shareResponseFromWire(throughWire('ShareResponse', shareResponseToWire(result))), result)

  const declined: ShareResult = { decision: { ...next, share: false }, descriptions: [], results: [], usage: next.usage, describe: null }
  t.strictSame(shareResponseFromWire(throughWire('ShareResponse', shareResponseToWire(declined))), declined, 'no Describe stage: describe is null')
})

t.test('the model list survives the wire, numeric and labelled parameter counts alike', async (t) => {
  const list: ModelList = {
    models: [
      { id: 'small-model', provider: 'openai', scale: 'small', parameters: 8_000_000_000, output: 'json_schema', aliases: ['small'], routes: [{ stage: 'decide', position: 0 }], upstream_model: 'llama3.1:8b', base_url: 'http://localhost:11434/v1' },
      { id: 'tiny-model', provider: 'embedded', scale: 'tiny', parameters: '1B', output: 'text', aliases: [], routes: [] },
      { id: 'bare', provider: 'openai', scale: 'xl', output: 'json_object', aliases: [], routes: [{ stage: 'describe', position: 1 }] },
    ],
    embedders: [{ id: 'embed', provider: 'openai', dimension: 384, modalities: ['text'] }, { id: 'lite', provider: 'embedded', modalities: ['text', 'image'] }],
    aliases: { small: 'small-model' },
    routes: { decide: ['small-model', 'tiny-model'], describe: ['tiny-model', 'bare'] },
  }
  t.strictSame(listModelsResponseFromWire(throughWire('ListModelsResponse', listModelsResponseToWire(list))), list)
})
