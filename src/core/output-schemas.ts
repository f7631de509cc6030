/**
 * The JSON each stage asks models for. The schemas are strict-mode compatible (OpenAI structured
 * outputs): every property required, `additionalProperties: false`, nullable through a union with
 * null. The same schemas validate every answer, whatever output mode the model supports; the
 * validators are compiled once, at module load.
 */
import { Type, type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { INTENTS } from './types.js'

const Confidence = Type.Number({ minimum: 0, maximum: 1 })

/** `{type: "string", enum: [...]}`: the explicit type keeps strict-mode backends (and grammar-constrained decoders) happy. */
const IntentSchema = Type.Unsafe<(typeof INTENTS)[number]>({ type: 'string', enum: [...INTENTS] })

export const DecideOutputSchema = Type.Object(
  {
    share: Type.Boolean(),
    speaker: Type.String(),
    confidence: Confidence,
    intents: Type.Array(IntentSchema),
    trigger_turn: Type.Union([Type.Integer(), Type.Null()]),
    rationale: Type.String(),
  },
  { additionalProperties: false },
)
export type DecideOutput = Static<typeof DecideOutputSchema>

export const RankOutputSchema = Type.Object(
  {
    candidates: Type.Array(
      Type.Object(
        {
          turn: Type.Integer(),
          confidence: Confidence,
          rationale: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type RankOutput = Static<typeof RankOutputSchema>

export const DescribeOutputSchema = Type.Object(
  {
    descriptions: Type.Array(
      Type.Object(
        {
          text: Type.String(),
          salient: Type.Array(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type DescribeOutput = Static<typeof DescribeOutputSchema>

/** One stage's output contract: the schema name sent upstream, the plain JSON schema, and its compiled check. */
export interface OutputContract<T> {
  readonly name: string
  /** A plain JSON copy (no TypeBox symbols), safe to send to any backend. */
  readonly schema: Record<string, unknown>
  /** Returns the value typed, or a short description of the first problems (safe to show the model). */
  check(value: unknown): { ok: true; value: T } | { ok: false; problem: string }
}

const MAX_PROBLEMS = 3

const contract = <S extends TSchema>(name: string, schema: S): OutputContract<Static<S>> => {
  const validator = Compile(schema)
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>
  return {
    name,
    schema: plain,
    check(value: unknown) {
      if (validator.Check(value)) return { ok: true, value: value as Static<S> }
      // Union branches report one error each; keep the distinct, most specific ones.
      const seen = new Set<string>()
      for (const error of validator.Errors(value)) {
        if (error.keyword === 'boolean') continue
        const where = error.instancePath === '' ? 'the answer' : error.instancePath
        const extra = error.keyword === 'additionalProperties' ? ` (${JSON.stringify((error.params as { additionalProperties?: unknown }).additionalProperties)})` : ''
        seen.add(`${where} ${error.message}${extra}`)
        if (seen.size >= MAX_PROBLEMS) break
      }
      return { ok: false, problem: seen.size === 0 ? 'the answer does not match the schema' : [...seen].join('; ') }
    },
  }
}

export const decideContract: OutputContract<DecideOutput> = contract('driber_decide', DecideOutputSchema)
export const rankContract: OutputContract<RankOutput> = contract('driber_rank', RankOutputSchema)
export const describeContract: OutputContract<DescribeOutput> = contract('driber_describe', DescribeOutputSchema)
