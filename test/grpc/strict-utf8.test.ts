import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js'
import { fromJSON } from '@grpc/proto-loader'
import t from 'tap'
import { invalidUtf8Error, withStrictUtf8 } from '../../src/grpc/strict-utf8.js'

// A one-method service with a repeated message of strings, like a dialogue.
const definition = fromJSON({
  nested: {
    test: {
      nested: {
        Turn: { fields: { speaker: { type: 'string', id: 1 }, text: { type: 'string', id: 2 } } },
        Request: { fields: { turns: { rule: 'repeated', type: 'Turn', id: 1 } } },
        Echo: { methods: { Call: { requestType: 'Request', responseType: 'Request', comment: '' } } },
      },
    },
  },
})
const service = definition['test.Echo'] as unknown as ServiceDefinition
const method = service.Call as MethodDefinition<unknown, unknown>

/** The wire bytes of `{turns: [{speaker: 'A', text: <raw bytes>}]}`. */
const wire = (text: Buffer): Buffer => {
  const turn = Buffer.concat([Buffer.from([0x0a, 1]), Buffer.from('A'), Buffer.from([0x12, text.length]), text])
  return Buffer.concat([Buffer.from([0x0a, turn.length]), turn])
}

t.test('strings decoded from invalid UTF-8 are flagged; valid text, and a genuine U+FFFD, are not', async (t) => {
  const strict = withStrictUtf8(service).Call as MethodDefinition<unknown, unknown>
  const valid = strict.requestDeserialize(wire(Buffer.from('café 📷')))
  t.same(valid, { turns: [{ speaker: 'A', text: 'café 📷' }] })
  t.equal(invalidUtf8Error(valid), undefined)

  const latin1 = strict.requestDeserialize(wire(Buffer.from([0x63, 0x61, 0x66, 0xe9])))
  const error = invalidUtf8Error(latin1)
  t.equal(error?.code, 'DRIBER_INVALID_ARGUMENT')
  t.equal(error?.grpcStatus, 3)
  t.same(error?.details, { reason: 'invalid_utf8' })
  t.notOk(Object.keys(latin1 as object).includes('invalidUtf8'), 'the mark is not a field')

  const genuine = strict.requestDeserialize(wire(Buffer.from('a \uFFFD b')))
  t.equal(invalidUtf8Error(genuine), undefined, 'a client that sent U+FFFD itself is believed')

  t.equal(method.requestDeserialize(wire(Buffer.from([0xff]))) !== undefined, true, 'the original deserializer is untouched')
  t.equal(invalidUtf8Error(undefined), undefined)
})

t.test('over the wire: a Decide call whose dialogue text is not UTF-8 gets INVALID_ARGUMENT and never reaches the core', async (t) => {
  const grpc = await import('@grpc/grpc-js')
  const pino = (await import('pino')).default
  const { testConfig } = await import('../../src/config.js')
  const { createGrpcServer } = await import('../../src/grpc/grpc-server.js')
  const { loadDriberProto } = await import('../../src/grpc/proto-package.js')
  const { decideRequestToWire } = await import('../../src/grpc/wire-converters.js')
  const { errorCodeMetadataKey } = await import('../../src/grpc/grpc-errors.js')
  let coreCalls = 0
  const refuse = async (): Promise<never> => {
    coreCalls++
    throw new Error('the core must not be called')
  }
  const core = {
    decide: refuse,
    rank: refuse,
    describe: refuse,
    retrieve: refuse,
    share: refuse,
    listModels: () => ({ models: [], embedders: [], aliases: {}, routes: {} }),
    localImage: refuse,
  }
  const { server } = createGrpcServer({ config: testConfig(), core, logger: pino({ level: 'silent' }) })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  t.teardown(() => server.forceShutdown())
  const decideMethod = loadDriberProto().imageSharingService.Decide as MethodDefinition<unknown, unknown>
  const valid = decideMethod.requestSerialize(decideRequestToWire({ dialogue: [{ speaker: 'Ana', text: 'PLACEHOLDER' }] }, 'next'))
  const at = valid.indexOf('PLACEHOLDER')
  // Same length, so the message stays well-formed protobuf; only the string bytes are bad.
  const bytes = Buffer.from(valid)
  Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe, 0x20, 0x41, 0x42, 0x43]).copy(bytes, at)
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
  t.teardown(() => client.close())
  const error = await new Promise<import('@grpc/grpc-js').ServiceError>((resolve, reject) =>
    client.makeUnaryRequest(
      '/driber.v1.ImageSharing/Decide',
      (value: Buffer) => value,
      (value: Buffer) => value,
      bytes,
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (failure) => (failure === null ? reject(new Error('the call succeeded')) : resolve(failure)),
    ),
  )
  t.equal(error.code, grpc.status.INVALID_ARGUMENT)
  t.equal(error.metadata.get(errorCodeMetadataKey)[0], 'DRIBER_INVALID_ARGUMENT')
  t.equal(coreCalls, 0)
})
