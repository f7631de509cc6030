/**
 * The JSON each stage asks models for, built per request, and the one place that decides what a
 * model answer may differ in (normalised, documented below) and what makes it a `schema_violation`
 * (re-asked).
 *
 * Each request's schema says everything driber then checks: the speaker is an enum of the allowed
 * names (a `const` when the request fixes it), turn indices are bounded to the dialogue, Describe's
 * `descriptions` holds exactly `n` items and starts with the prefix when asked. A backend that
 * follows the sent schema exactly (strict structured outputs, grammar-constrained decoding) therefore
 * never earns a re-ask. The schemas are strict-mode compatible: every property required,
 * `additionalProperties: false`, nullable through a union with null.
 *
 * Normalised before the schema check (never re-asked):
 * - `speaker` spelled loosely (case, spacing, quotes, the prompt's neutralised form) when it names
 *   exactly one allowed speaker: rewritten to that speaker's answer name.
 * - Decide with `share: false`: `intents` emptied and `trigger_turn` set to null (the "no" wins; a
 *   reason to share an image that is not shared means nothing). Repeated intents: kept once.
 * - Rank: a turn listed more than once is kept once, with its highest confidence (JSON schema cannot
 *   say "unique by turn").
 * - Describe: `text` trimmed, the prefix's capitalisation restored; descriptions beyond `n` dropped;
 *   `salient` phrases trimmed, repeated ones kept once, and phrases that do not occur in their
 *   description's text (case and spacing aside) dropped.
 * Everything else the schema rules out (an unknown speaker, another speaker than the fixed one, a turn
 * outside the dialogue, fewer than `n` descriptions, a missing prefix, a blank text, a wrong type or
 * an extra key) is a `schema_violation`.
 *
 * Schemas are compiled once per shape and kept in a bounded cache, so the hot path compiles nothing.
 */
import { Type, type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { DESCRIPTION_PREFIX } from './prompts/describe-prompt.js'
import { promptName } from './prompts/render-dialogue.js'
import { resolveSpeaker } from './resolve-speaker.js'
import { INTENTS } from './types.js'

const Confidence = Type.Number({ minimum: 0, maximum: 1 })

/** `{type: "string", enum: [...]}`: the explicit type keeps strict-mode backends (and grammar-constrained decoders) happy. */
const IntentSchema = Type.Unsafe<(typeof INTENTS)[number]>({ type: 'string', enum: [...INTENTS] })

/** A turn index: any integer in the generic schema, 0..turns-1 in a request's own. */
const TurnIndex = (turns?: number) => (turns === undefined ? Type.Integer() : Type.Integer({ minimum: 0, maximum: Math.max(0, turns - 1) }))

/** The speaker field: any string, an enum of the allowed answer names, or one fixed name. */
const SpeakerField = (names?: readonly string[], fixed?: string) =>
  fixed !== undefined
    ? Type.Unsafe<string>({ type: 'string', const: fixed })
    : names === undefined
      ? Type.String()
      : Type.Unsafe<string>({ type: 'string', enum: [...names] })

const decideSchema = (names?: readonly string[], fixed?: string, turns?: number) =>
  Type.Object(
    {
      share: Type.Boolean(),
      speaker: SpeakerField(names, fixed),
      confidence: Confidence,
      intents: Type.Array(IntentSchema),
      trigger_turn: Type.Union([TurnIndex(turns), Type.Null()]),
      rationale: Type.String(),
    },
    { additionalProperties: false },
  )

const rankSchema = (turns?: number) =>
  Type.Object(
    {
      candidates: Type.Array(
        Type.Object({ turn: TurnIndex(turns), confidence: Confidence, rationale: Type.String() }, { additionalProperties: false }),
        turns === undefined ? {} : { maxItems: turns },
      ),
    },
    { additionalProperties: false },
  )

/** Prefix as a pattern: the literal words, regex-escaped (they hold no metacharacters today, but may one day). */
const PREFIX_PATTERN = `^${DESCRIPTION_PREFIX.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`

const describeSchema = (n?: number, prefix = false) =>
  Type.Object(
    {
      descriptions: Type.Array(
        Type.Object(
          {
            // A text must say something: the prefix when asked, otherwise at least one visible character.
            text: n === undefined ? Type.String() : Type.String({ pattern: prefix ? PREFIX_PATTERN : '\\S' }),
            salient: Type.Array(Type.String()),
          },
          { additionalProperties: false },
        ),
        n === undefined ? {} : { minItems: n, maxItems: n },
      ),
    },
    { additionalProperties: false },
  )

export const DecideOutputSchema = decideSchema()
export type DecideOutput = Static<typeof DecideOutputSchema>
export const RankOutputSchema = rankSchema()
export type RankOutput = Static<typeof RankOutputSchema>
export const DescribeOutputSchema = describeSchema()
export type DescribeOutput = Static<typeof DescribeOutputSchema>

/** One stage's output contract: the schema name sent upstream, the plain JSON schema, and its compiled check. */
export interface OutputContract<T> {
  readonly name: string
  /** A plain JSON copy (no TypeBox symbols), safe to send to any backend. */
  readonly schema: Record<string, unknown>
  /**
   * Normalises what the module comment lists, then checks the schema. Returns the value typed, or a
   * short description of the first problems (safe to show the model).
   */
  check(value: unknown): { ok: true; value: T } | { ok: false; problem: string }
}

const MAX_PROBLEMS = 3

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

const contract = <S extends TSchema>(name: string, schema: S, normalise: (value: unknown) => unknown = (value) => value): OutputContract<Static<S>> => {
  const validator = Compile(schema)
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>
  return {
    name,
    schema: plain,
    check(input: unknown) {
      const value = normalise(input)
      if (validator.Check(value)) return { ok: true, value: value as Static<S> }
      // Union branches report one error each; keep the distinct, most specific ones.
      const seen = new Set<string>()
      for (const error of validator.Errors(value)) {
        if (error.keyword === 'boolean') continue
        const where = error.instancePath === '' ? 'the answer' : error.instancePath
        // Allowed speaker names are not repeated here: the prompt lists them, neutralised.
        const extra = error.keyword === 'additionalProperties' ? ` (${JSON.stringify((error.params as { additionalProperties?: unknown }).additionalProperties)})` : ''
        seen.add(`${where} ${error.message}${extra}`)
        if (seen.size >= MAX_PROBLEMS) break
      }
      return { ok: false, problem: seen.size === 0 ? 'the answer does not match the schema' : [...seen].join('; ') }
    },
  }
}

/** Generic contracts (any speaker, any turn, any count): for tools and tests that have no request. */
export const decideContract: OutputContract<DecideOutput> = contract('driber_decide', DecideOutputSchema)
export const rankContract: OutputContract<RankOutput> = contract('driber_rank', RankOutputSchema)
export const describeContract: OutputContract<DescribeOutput> = contract('driber_describe', DescribeOutputSchema)

/**
 * The name a model is asked to write for each allowed speaker: the name as the prompt shows it
 * (neutralised), unless that spelling could also mean another speaker; then the real name, which
 * always resolves exactly. Distinct speakers always get distinct answer names.
 */
export const answerNames = (speakers: readonly string[]): Map<string, string> => {
  const names = new Map<string, string>()
  for (const speaker of speakers) {
    const shown = promptName(speaker)
    const clash = shown !== speaker && speakers.some((other) => other !== speaker && (other === shown || promptName(other) === shown))
    names.set(speaker, shown === speaker || clash ? speaker : shown)
  }
  return names
}

/** Speaker spelled loosely -> the answer name of the one allowed speaker it means (unchanged when none). */
const normaliseSpeaker = (value: unknown, speakers: readonly string[], names: ReadonlyMap<string, string>, allowed: ReadonlySet<string>): unknown => {
  if (typeof value !== 'string' || allowed.has(value)) return value
  const speaker = resolveSpeaker(value, speakers)
  return speaker === undefined ? value : (names.get(speaker) ?? value)
}

/** What a Decide schema depends on. `speakers`: every name the answer may give (dialogue speakers, plus participants). */
export interface DecideShape {
  readonly speakers: readonly string[]
  /** The speaker the request fixes, one of `speakers`. */
  readonly speaker?: string
  /** Turns in the dialogue. */
  readonly turns: number
}

export interface RankShape {
  readonly turns: number
}

export interface DescribeShape {
  readonly n: number
  readonly prefix: boolean
}

/** Most recently used contracts by shape; old shapes are compiled again if they come back. */
const CACHE_LIMIT = 256
const cache = new Map<string, OutputContract<unknown>>()

const cached = <T>(key: string, build: () => OutputContract<T>): OutputContract<T> => {
  const hit = cache.get(key)
  if (hit !== undefined) {
    cache.delete(key)
    cache.set(key, hit)
    return hit as OutputContract<T>
  }
  const built = build()
  cache.set(key, built as OutputContract<unknown>)
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
  return built
}

/** How many shapes are compiled right now (for tests of the bound). */
export const cachedContractCount = (): number => cache.size
export const CONTRACT_CACHE_LIMIT = CACHE_LIMIT

/** The Decide (next) contract of one request shape; the answer's `speaker` is an answer name (see `answerNames`). */
export const decideContractFor = (shape: DecideShape): OutputContract<DecideOutput> =>
  cached(`decide\u0000${shape.turns}\u0000${shape.speaker ?? ''}\u0000${shape.speaker === undefined ? 0 : 1}\u0000${JSON.stringify(shape.speakers)}`, () => {
    const names = answerNames(shape.speakers)
    const allowed = new Set(names.values())
    const fixed = shape.speaker === undefined ? undefined : (names.get(shape.speaker) ?? shape.speaker)
    return contract('driber_decide', decideSchema([...allowed], fixed, shape.turns), (value) => {
      if (!isRecord(value)) return value
      const out: Record<string, unknown> = { ...value, speaker: normaliseSpeaker(value.speaker, shape.speakers, names, allowed) }
      if (value.share === false) {
        out.intents = []
        out.trigger_turn = null
      } else if (Array.isArray(value.intents)) {
        out.intents = [...new Set(value.intents)]
      }
      return out
    })
  })

/** The Decide (rank) contract for a dialogue of `turns` turns. */
export const rankContractFor = (shape: RankShape): OutputContract<RankOutput> =>
  cached(`rank\u0000${shape.turns}`, () =>
    contract('driber_rank', rankSchema(shape.turns), (value) => {
      if (!isRecord(value) || !Array.isArray(value.candidates)) return value
      const best = new Map<unknown, unknown>()
      const kept: unknown[] = []
      for (const candidate of value.candidates) {
        if (!isRecord(candidate) || typeof candidate.turn !== 'number' || typeof candidate.confidence !== 'number') {
          kept.push(candidate)
          continue
        }
        const previous = best.get(candidate.turn) as Record<string, unknown> | undefined
        if (previous === undefined) {
          best.set(candidate.turn, candidate)
          kept.push(candidate)
        } else if (candidate.confidence > (previous.confidence as number)) {
          best.set(candidate.turn, candidate)
          kept[kept.indexOf(previous)] = candidate
        }
      }
      return { ...value, candidates: kept }
    }),
  )

/** Whitespace-collapsed, lower-cased: how a salient phrase is looked for in its text. */
const folded = (text: string): string => text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase()

const normaliseDescription = (description: unknown, prefix: boolean): unknown => {
  if (!isRecord(description) || typeof description.text !== 'string') return description
  let text = description.text.trim()
  if (prefix && text.toLowerCase().startsWith(DESCRIPTION_PREFIX.toLowerCase())) text = DESCRIPTION_PREFIX + text.slice(DESCRIPTION_PREFIX.length)
  if (!Array.isArray(description.salient)) return { ...description, text }
  const haystack = folded(text)
  const salient: unknown[] = []
  const seen = new Set<string>()
  for (const phrase of description.salient) {
    if (typeof phrase !== 'string') {
      salient.push(phrase)
      continue
    }
    const trimmed = phrase.trim()
    const key = folded(trimmed)
    if (key === '' || seen.has(key) || !haystack.includes(key)) continue
    seen.add(key)
    salient.push(trimmed)
  }
  return { ...description, text, salient }
}

/** The Describe contract for `n` descriptions, with or without the prefix restriction. */
export const describeContractFor = (shape: DescribeShape): OutputContract<DescribeOutput> =>
  cached(`describe\u0000${shape.n}\u0000${shape.prefix ? 1 : 0}`, () =>
    contract('driber_describe', describeSchema(shape.n, shape.prefix), (value) => {
      if (!isRecord(value) || !Array.isArray(value.descriptions)) return value
      return { ...value, descriptions: value.descriptions.slice(0, shape.n).map((description) => normaliseDescription(description, shape.prefix)) }
    }),
  )
