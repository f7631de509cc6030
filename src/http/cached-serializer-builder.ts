/**
 * Fastify's serializer builder (fast-json-stringify) with one compiled serializer per distinct
 * response schema. Every route declares the same error body for each of its error statuses, so
 * fastify compiled 76 serializers at start-up for 15 distinct schemas; compiling one is about a
 * millisecond of a remote-model start-up. A serializer depends only on its schema and on the shared
 * schemas and options the builder is called with, so each builder call keeps its own cache.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'

type SerializerFactory = ReturnType<typeof SerializerSelector>
type SerializerCompiler = ReturnType<SerializerFactory>

export const cachedSerializerBuilder = (build: SerializerFactory = SerializerSelector()): SerializerFactory => {
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options)
    const compiled = new Map<string, ReturnType<SerializerCompiler>>()
    return (route) => {
      // By content, not identity: routes declare equal schemas as distinct objects.
      const key = JSON.stringify(route.schema)
      let serializer = compiled.get(key)
      if (serializer === undefined) {
        serializer = compile(route)
        compiled.set(key, serializer)
      }
      return serializer
    }
  }
}
