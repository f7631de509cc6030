/**
 * The gRPC adapter on a real port with a scripted core: error mapping, request ids, deadlines,
 * cancellation, health, reflection and size limits. The whole app against a fake upstream is
 * in test/integration/grpc-*.test.ts.
 */
import * as grpc from '@grpc/grpc-js'
import { Writable } from 'node:stream'
import pino from 'pino'
import t, { type Test } from 'tap'
import { testConfig, type DeepPartial, type ConfigData } from '../../src/config.js'
import type { DriberCore, ModelList } from '../../src/core/driber-core.js'
import type { RequestContext } from '../../src/core/request-context.js'
import type { DecideNextResult } from '../../src/core/types.js'
import type { CallAdmission, CallAdmissionRequest } from '../../src/auth/call-admission.js'
import { grpcServerCredentials, loadTlsMaterial } from '../../src/auth/tls-material.js'
import { DriberError, ErrorCatalog, type ErrorKind } from '../../src/errors.js'
import { createDriberGrpcClient, createRawImageSharingClient } from '../../src/grpc/grpc-client.js'
import { errorCodeMetadataKey, errorDetailsMetadataKey, retryAfterMetadataKey } from '../../src/grpc/grpc-errors.js'
import { createGrpcServer, logGrpcTlsRefusals, type GrpcServer } from '../../src/grpc/grpc-server.js'
import type { GrpcCallEvent } from '../../src/grpc/call-interceptor.js'
import { checkHealth, listServices, watchHealth } from '../support/grpc-standard-clients.js'
import { makeSelfSignedCertificate, opensslMissing } from '../support/self-signed-certificate.js'

const decision: DecideNextResult = {
  share: true,
  speaker: 'Ana',
  confidence: 0.9,
  intents: ['social_bonding'],
  trigger: { turn: 0, text: 'my puppy' },
  rationale: 'a pet',
  model: 'stub',
  attempts: [{ model: 'stub', outcome: 'ok', duration_ms: 1 }],
  usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
}

const models: ModelList = { models: [], embedders: [], aliases: {}, routes: { decide: [] } }

/** A core whose `decide` runs `behaviour`, recording the context it was given. */
const stubCore = (behaviour: (context: RequestContext) => Promise<DecideNextResult>) => {
  const contexts: RequestContext[] = []
  const core: DriberCore = {
    decide: (_input, context) => {
      contexts.push(context)
      return behaviour(context)
    },
    rank: async () => ({ candidates: [], model: 'stub', attempts: [], usage: decision.usage }),
    describe: async () => ({ descriptions: [], model: 'stub', attempts: [], usage: decision.usage }),
    retrieve: async (input) => ({ results: [], index: input.index ?? 'default' }),
    share: async () => ({ decision, descriptions: [], results: [], usage: decision.usage, describe: null }),
    listModels: () => models,
    localImage: async () => Promise.reject(new Error('gRPC serves no image files')),
  }
  return { core, contexts }
}

/** Resolves when the signal aborts, with its reason; never settles otherwise (a hanging stage). */
const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))

const start = async (
  t: Test,
  core: DriberCore,
  overrides: DeepPartial<ConfigData> = {},
  events: GrpcCallEvent[] = [],
  admit?: CallAdmission,
): Promise<{ address: string; grpcServer: GrpcServer }> => {
  const grpcServer = createGrpcServer({
    config: testConfig(overrides),
    core,
    logger: pino({ level: 'silent' }),
    onCallDone: (event) => events.push(event),
    ...(admit === undefined ? {} : { admit }),
  })
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  t.teardown(() => grpcServer.server.forceShutdown())
  return { address: `127.0.0.1:${port}`, grpcServer }
}

const dialogue = [{ speaker: 'Ana', text: 'Look at my puppy' }]

/** Calls Decide on the raw client and returns the error status (code, details, trailing metadata). */
const rawDecideError = async (t: Test, address: string, deadlineMs?: number): Promise<grpc.ServiceError> => {
  const client = createRawImageSharingClient(address)
  t.teardown(() => client.close())
  return new Promise((resolve, reject) => {
    const options: grpc.CallOptions = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs }
    client.Decide({ dialogue }, new grpc.Metadata(), options, (error) => (error ? resolve(error) : reject(new Error('expected an error'))))
  })
}

t.test('a good call answers, echoes the request id and hands the core a bounded context', async (t) => {
  const { core, contexts } = stubCore(async () => decision)
  const { address } = await start(t, core, { deadlines: { defaultRequestMs: 5_000 } })
  const client = createRawImageSharingClient(address)
  t.teardown(() => client.close())

  const metadata = new grpc.Metadata()
  metadata.set('x-request-id', 'req-123')
  const initial = new Promise<grpc.Metadata>((resolve) => {
    const call = client.Decide({ dialogue }, metadata, { deadline: Date.now() + 2_000 }, () => {})
    call.on('metadata', resolve)
  })
  t.equal((await initial).get('x-request-id')[0], 'req-123')
  t.equal(contexts[0]?.requestId, 'req-123')
  t.ok(contexts[0]!.deadline <= Date.now() + 2_000, 'the client deadline bounds the context deadline')
  t.same(contexts[0]?.timing, { upstreamSeconds: 0 })

  const generated = new Promise<grpc.Metadata>((resolve) => {
    const bad = new grpc.Metadata()
    bad.set('x-request-id', 'has spaces and is not acceptable')
    client.Decide({ dialogue }, bad, () => {}).on('metadata', resolve)
  })
  const generatedId = (await generated).get('x-request-id')[0]
  t.match(generatedId, /^[0-9a-f-]{36}$/, 'an unusable id is replaced by a generated one')
  t.ok(contexts[1]!.deadline <= Date.now() + 5_000, 'without a client deadline the configured budget applies')
})

t.test('every catalog error maps to its gRPC status with the code in trailing metadata', async (t) => {
  let next: unknown
  const { core } = stubCore(async () => {
    throw next
  })
  const { address } = await start(t, core)
  for (const kind of Object.keys(ErrorCatalog) as ErrorKind[]) {
    next = new DriberError(kind, { details: { known: ['a', 'b'] }, retryAfterMs: 1500 })
    const error = await rawDecideError(t, address)
    t.equal(error.code, ErrorCatalog[kind].grpcStatus, `${kind}: status`)
    t.equal(error.metadata.get(errorCodeMetadataKey)[0], ErrorCatalog[kind].code, `${kind}: code`)
    t.same(JSON.parse(String(error.metadata.get(errorDetailsMetadataKey)[0])), { known: ['a', 'b'] }, `${kind}: details`)
    t.equal(error.metadata.get(retryAfterMetadataKey)[0], '1500', `${kind}: retry hint`)
  }
})

t.test('errors that are not ours become INTERNAL and hide their message', async (t) => {
  const { core } = stubCore(async () => {
    throw new Error('database password is hunter2')
  })
  const { address } = await start(t, core)
  const error = await rawDecideError(t, address)
  t.equal(error.code, grpc.status.INTERNAL)
  t.equal(error.metadata.get(errorCodeMetadataKey)[0], 'DRIBER_INTERNAL')
  t.notMatch(error.details, /hunter2/)
  t.same(error.metadata.get(errorDetailsMetadataKey), [])
})

t.test('the promise client turns statuses back into DriberErrors', async (t) => {
  const { core } = stubCore(async () => {
    throw new DriberError('UNKNOWN_MODEL', { message: 'No model named "huge"', details: { known: ['small'] } })
  })
  const { address } = await start(t, core)
  const client = createDriberGrpcClient(address)
  t.teardown(() => client.close())
  await t.rejects(client.decide({ dialogue, model: 'huge' }), { name: 'DriberError', kind: 'UNKNOWN_MODEL', message: 'No model named "huge"', details: { known: ['small'] } })
})

t.test('a passed client deadline aborts the core with DEADLINE_EXCEEDED', async (t) => {
  const { core, contexts } = stubCore((context) => untilAborted(context.signal))
  const { address } = await start(t, core)
  // On a loaded machine the deadline can pass before the handler runs; call until one reached it.
  for (let call = 1; contexts.length === 0; call++) {
    if (call > 20) throw new Error('no call reached the handler within its deadline')
    const error = await rawDecideError(t, address, 50)
    t.equal(error.code, grpc.status.DEADLINE_EXCEEDED)
  }
  const signal = contexts[0]!.signal
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
  t.match(signal.reason, { kind: 'DEADLINE_EXCEEDED' })
})

t.test('the configured budget answers DEADLINE_EXCEEDED with its code even when the core ignores the signal', async (t) => {
  const { core, contexts } = stubCore(() => new Promise<never>(() => {}))
  const { address } = await start(t, core, { deadlines: { requestMs: 40 } })
  const error = await rawDecideError(t, address)
  t.equal(error.code, grpc.status.DEADLINE_EXCEEDED)
  t.equal(error.metadata.get(errorCodeMetadataKey)[0], 'DRIBER_DEADLINE_EXCEEDED')
  t.ok(contexts[0]!.signal.aborted, 'the signal was aborted for upstream calls')
})

t.test('a client cancel aborts the core with CANCELLED', async (t) => {
  const { core, contexts } = stubCore((context) => untilAborted(context.signal))
  const { address } = await start(t, core)
  const client = createDriberGrpcClient(address)
  t.teardown(() => client.close())
  const controller = new AbortController()
  const pending = client.decide({ dialogue }, { signal: controller.signal })
  while (contexts.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  controller.abort()
  await t.rejects(pending, { name: 'DriberError', kind: 'CANCELLED' })
  const signal = contexts[0]!.signal
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
  t.match(signal.reason, { name: 'DriberError', kind: 'CANCELLED' })
})

t.test('a finished call is not aborted afterwards', async (t) => {
  const { core, contexts } = stubCore(async () => decision)
  const { address } = await start(t, core)
  const client = createDriberGrpcClient(address)
  t.teardown(() => client.close())
  t.same(await client.decide({ dialogue }), decision)
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.notOk(contexts[0]!.signal.aborted, 'grpc-js emits "cancelled" after completion; it must not reach the stage')
})

t.test('health says NOT_SERVING until ready and again while draining; reflection lists the services', async (t) => {
  const { core } = stubCore(async () => decision)
  const { address, grpcServer } = await start(t, core)
  t.equal(await checkHealth(address, ''), 'NOT_SERVING')
  t.equal(await checkHealth(address, 'driber.v1.ImageSharing'), 'NOT_SERVING')
  grpcServer.setServing(true)
  t.equal(await checkHealth(address, ''), 'SERVING')
  t.equal(await checkHealth(address, 'driber.v1.ImageSharing'), 'SERVING')
  t.equal(grpcServer.serving, true)
  grpcServer.setServing(false)
  t.equal(await checkHealth(address, 'driber.v1.ImageSharing'), 'NOT_SERVING')
  await t.rejects(checkHealth(address, 'no.such.Service'), { code: grpc.status.NOT_FOUND })

  const services = await listServices(address)
  t.ok(services.includes('driber.v1.ImageSharing'), 'ImageSharing is listed')
  t.ok(services.includes('grpc.health.v1.Health'), 'Health is listed')
})

t.test('an oversized request fails with RESOURCE_EXHAUSTED and the server keeps serving', async (t) => {
  const { core, contexts } = stubCore(async () => decision)
  const { address } = await start(t, core, { grpc: { maxReceiveMessageBytes: 4096 } })
  const client = createDriberGrpcClient(address)
  t.teardown(() => client.close())
  await t.rejects(client.decide({ dialogue: [{ speaker: 'Ana', text: 'x'.repeat(10_000) }] }), { name: 'DriberError', kind: 'PAYLOAD_TOO_LARGE' })
  t.equal(contexts.length, 0, 'the core never saw it')
  t.same(await client.decide({ dialogue }), decision, 'the next call is served')
})

t.test('every method answers through the core and reports its outcome', async (t) => {
  const events: GrpcCallEvent[] = []
  const { core } = stubCore(async () => decision)
  const { address } = await start(t, core, {}, events)
  const client = createDriberGrpcClient(address)
  t.teardown(() => client.close())
  t.same(await client.decide({ dialogue }), decision)
  t.same(await client.decide({ dialogue }, { mode: 'rank' }), { candidates: [], model: 'stub', attempts: [], usage: decision.usage })
  t.same(await client.rank({ dialogue }), { candidates: [], model: 'stub', attempts: [], usage: decision.usage })
  t.same(await client.describe({ dialogue }), { descriptions: [], model: 'stub', attempts: [], usage: decision.usage })
  t.same(await client.retrieve({ descriptions: ['a dog'], index: 'pets' }), { results: [], index: 'pets' })
  t.same(await client.share({ dialogue }), { decision, descriptions: [], results: [], usage: decision.usage, describe: null })
  t.same(await client.listModels(), models)
  await t.rejects(client.describe({ dialogue: [], restrictions: ['sepia' as never] }), { name: 'DriberError', kind: 'INVALID_ARGUMENT' })
  t.same(
    events.map((event) => `${event.method}:${event.code}`),
    ['Decide:OK', 'Decide:OK', 'Rank:OK', 'Describe:OK', 'Retrieve:OK', 'Share:OK', 'ListModels:OK'],
  )
})

t.test('admission runs before the core: refusals are mapped, admitted calls carry the key and peer', async (t) => {
  const seen: CallAdmissionRequest[] = []
  const admit: CallAdmission = (request) => {
    seen.push(request)
    if (request.authorization?.[0] !== 'Bearer good-key') throw new DriberError('UNAUTHENTICATED')
    return { identity: undefined, callerKey: 'good' }
  }
  const { core, contexts } = stubCore(async () => decision)
  const { address } = await start(t, core, {}, [], admit)
  const anonymous = createDriberGrpcClient(address)
  const keyed = createDriberGrpcClient(address, { apiKey: 'good-key' })
  t.teardown(() => {
    anonymous.close()
    keyed.close()
  })
  await t.rejects(anonymous.decide({ dialogue }), { name: 'DriberError', kind: 'UNAUTHENTICATED' })
  t.equal(contexts.length, 0, 'a refused call never reaches the core')
  t.same(await keyed.decide({ dialogue }), decision)
  t.equal(seen[1]?.methodPath, '/driber.v1.ImageSharing/Decide')
  t.equal(seen[1]?.clientAddress, '127.0.0.1')
})

t.test('drain: health turns NOT_SERVING, new calls are refused, the accepted one is answered, an open Watch does not hold it up', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const { core, contexts } = stubCore(async () => {
    await gate
    return decision
  })
  const { address, grpcServer } = await start(t, core)
  grpcServer.setServing(true)
  const watch = watchHealth(address, 'driber.v1.ImageSharing')
  t.teardown(() => watch.close())
  while (watch.statuses.length === 0) await watch.next()
  t.same(watch.statuses, ['SERVING'])

  const client = createDriberGrpcClient(address)
  t.teardown(() => client.close())
  const accepted = client.decide({ dialogue })
  while (contexts.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))

  const drained = grpcServer.drain(10_000)
  t.equal(await watch.next(), 'NOT_SERVING', 'watchers hear NOT_SERVING at once')
  await t.rejects(client.listModels(), { name: 'DriberError', kind: 'SHUTTING_DOWN' }, 'new calls are refused')
  grpcServer.setServing(true)
  t.equal(grpcServer.serving, false, 'nothing turns health back on while draining')

  release()
  t.same(await accepted, decision, 'the accepted call is answered')
  await drained
  await watch.ended
  t.pass('the drain finished with a Watch stream still open')
})

t.test('a plaintext client on the TLS port leaves a warn line saying so', { skip: opensslMissing() }, async (t) => {
  const certificate = makeSelfSignedCertificate()
  t.teardown(certificate.remove)
  const lines: Array<Record<string, unknown>> = []
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>)
        callback()
      },
    }),
  )
  const { core } = stubCore(async () => decision)
  const grpcServer = createGrpcServer({ config: testConfig(), core, logger })
  const material = loadTlsMaterial({ certPath: certificate.certPath, keyPath: certificate.keyPath, requireClientCert: false })
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.server.bindAsync('127.0.0.1:0', grpcServerCredentials(material), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  t.teardown(() => grpcServer.server.forceShutdown())
  logGrpcTlsRefusals(grpcServer.server, logger)
  const client = createDriberGrpcClient(`127.0.0.1:${port}`)
  t.teardown(() => client.close())
  await t.rejects(client.listModels({ deadlineMs: 5_000 }))
  const isRefusal = (line: Record<string, unknown>): boolean => String(line.msg).startsWith('plaintext sent to the gRPC port')
  while (!lines.some(isRefusal)) await new Promise((resolve) => setTimeout(resolve, 10))
  t.match(lines.find(isRefusal), { level: 40, remoteAddress: '127.0.0.1' })
})
