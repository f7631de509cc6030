/**
 * A backend that follows the sent JSON schema exactly, and nothing else: the way vLLM guided
 * decoding or OpenAI strict mode behave. Given the `response_format.json_schema.schema` of a request,
 * it writes a random value the schema allows, leaning on the edges (first and last enum values,
 * bounds of integers and arrays, padded strings), without reading the prompt at all.
 *
 * Covers the JSON-schema subset driber's output schemas use: object, array (minItems/maxItems),
 * string (enum, const, a `^literal` or `\S` pattern), integer and number (minimum/maximum),
 * boolean, null, anyOf.
 */
type Schema = Record<string, unknown>

/** A small seeded generator, so a failing case can be replayed by its seed. */
export { seededRandom } from '../../src/retrieval/random-unit-vectors.js'

const WORDS = ['beach', 'photo', 'Sea Turtle', 'dog', 'a red kite', 'sunset', 'the lake', 'cake', '  spaced  ', 'Ana']

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)] as T

const integerIn = (minimum: number, maximum: number, random: () => number): number => {
  const roll = random()
  if (roll < 0.25) return minimum
  if (roll < 0.5) return maximum
  return minimum + Math.floor(random() * (maximum - minimum + 1))
}

const words = (random: () => number, count: number): string => Array.from({ length: count }, () => pick(WORDS, random)).join(' ')

const stringFor = (schema: Schema, random: () => number): string => {
  if ('const' in schema) return schema.const as string
  if (Array.isArray(schema.enum)) return pick(schema.enum as string[], random)
  const body = words(random, 1 + Math.floor(random() * 4))
  const pattern = schema.pattern as string | undefined
  if (pattern === undefined) return random() < 0.2 ? '' : body
  if (pattern === '\\S') return random() < 0.3 ? `  ${body}  ` : body
  const literal = /^\^((?:[^\\.*+?()[\]{}|$^]|\\.)*)$/.exec(pattern)
  if (literal === null) throw new Error(`schema-following fake: unsupported pattern ${pattern}`)
  return `${(literal[1] as string).replace(/\\(.)/g, '$1')} ${body}`
}

/** A random value `schema` allows. */
export const schemaFollowingValue = (schema: Schema, random: () => number): unknown => {
  if (Array.isArray(schema.anyOf)) return schemaFollowingValue(pick(schema.anyOf as Schema[], random), random)
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const [key, property] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) out[key] = schemaFollowingValue(property, random)
      return out
    }
    case 'array': {
      const minimum = (schema.minItems as number | undefined) ?? 0
      const maximum = (schema.maxItems as number | undefined) ?? minimum + 4
      const length = integerIn(minimum, maximum, random)
      return Array.from({ length }, () => schemaFollowingValue(schema.items as Schema, random))
    }
    case 'string':
      return stringFor(schema, random)
    case 'integer':
      return integerIn((schema.minimum as number | undefined) ?? -3, (schema.maximum as number | undefined) ?? 50, random)
    case 'number': {
      const minimum = (schema.minimum as number | undefined) ?? -10
      const maximum = (schema.maximum as number | undefined) ?? 10
      const roll = random()
      return roll < 0.2 ? minimum : roll < 0.4 ? maximum : minimum + random() * (maximum - minimum)
    }
    case 'boolean':
      return random() < 0.5
    case 'null':
      return null
    default:
      throw new Error(`schema-following fake: unsupported schema ${JSON.stringify(schema)}`)
  }
}
