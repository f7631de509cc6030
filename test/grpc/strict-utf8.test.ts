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
        Echo: { methods: { Call: { requestType: 'Request', responseType: 'Request' } } },
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
