import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import t from 'tap'
import { cachedSerializerBuilder } from '../../src/http/cached-serializer-builder.js'

const external = { ErrorBody: { $id: 'ErrorBody', type: 'object', properties: { code: { type: 'string' } }, required: ['code'] } }
const errorResponse = () => ({ $ref: 'ErrorBody' })

const counting = () => {
  const compiled: string[] = []
  const base = SerializerSelector()
  const build: ReturnType<typeof SerializerSelector> = (schemas, options) => {
    const compile = base(schemas, options)
    return (route) => {
      compiled.push(`${route.method} ${route.url} ${route.httpStatus}`)
      return compile(route)
    }
  }
  return { compiled, build }
}

t.test('equal response schemas are compiled once and serialize as before', async (t) => {
  const { compiled, build } = counting()
  const compile = cachedSerializerBuilder(build)(external, {})
  const serializers = ['400', '404', '503'].map((httpStatus) => compile({ method: 'POST', url: '/v1/decide', httpStatus, schema: errorResponse() }))
  const other = compile({ method: 'POST', url: '/v1/share', httpStatus: '429', schema: errorResponse() })
  t.same(compiled, ['POST /v1/decide 400'], 'one compilation for four equal schemas')
  for (const serialize of [...serializers, other]) t.equal(serialize({ code: 'DRIBER_X', secret: 'not in the schema' }), '{"code":"DRIBER_X"}')
})

t.test('different schemas get serializers of their own', async (t) => {
  const { compiled, build } = counting()
  const compile = cachedSerializerBuilder(build)(external, {})
  const error = compile({ method: 'GET', url: '/a', httpStatus: '500', schema: errorResponse() })
  const ok = compile({ method: 'GET', url: '/a', httpStatus: '200', schema: { type: 'object', properties: { ready: { type: 'boolean' } } } })
  t.equal(compiled.length, 2)
  t.equal(ok({ ready: true, code: 'x' }), '{"ready":true}')
  t.equal(error({ ready: true, code: 'x' }), '{"code":"x"}')
})

t.test('each builder call keeps its own cache: shared schemas may differ between calls', async (t) => {
  const factory = cachedSerializerBuilder()
  const wide = { ErrorBody: { ...external.ErrorBody, properties: { code: { type: 'string' }, message: { type: 'string' } } } }
  const narrow = factory(external, {})({ method: 'GET', url: '/a', httpStatus: '500', schema: errorResponse() })
  const broad = factory(wide, {})({ method: 'GET', url: '/a', httpStatus: '500', schema: errorResponse() })
  t.equal(narrow({ code: 'c', message: 'm' }), '{"code":"c"}')
  t.equal(broad({ code: 'c', message: 'm' }), '{"code":"c","message":"m"}')
})
