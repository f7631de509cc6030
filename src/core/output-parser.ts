/**
 * Turns raw model text into a validated stage answer, or into a bounded parse-failure reason.
 *
 * Tolerant where models are sloppy in harmless ways (code fences, prose around the object, trailing
 * commas), strict where it matters (the schema and the stage's own semantic checks). The failure
 * message is short and contains no user data beyond what the model itself wrote, so it can be sent
 * back to the model in a re-ask.
 */
import type { ChatResponse } from '../providers/provider.js'
import type { OutputContract } from './output-schemas.js'
import type { ParseFailureReason } from './types.js'

export interface ParseFailure {
  reason: ParseFailureReason
  /** Short, safe to show the model when re-asking. */
  message: string
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; failure: ParseFailure }

/** Checks beyond the schema (turn indices, speakers, counts); returns the stage result or a problem. */
export type SemanticCheck<Raw, Result> = (raw: Raw) => { ok: true; value: Result } | { ok: false; problem: string }

const MESSAGE_LIMIT = 300

const clip = (text: string): string => (text.length <= MESSAGE_LIMIT ? text : `${text.slice(0, MESSAGE_LIMIT - 1)}\u2026`)

const fail = (reason: ParseFailureReason, message: string): { ok: false; failure: ParseFailure } => ({
  ok: false,
  failure: { reason, message: clip(message) },
})

/** Removes commas that directly precede `}` or `]` (outside strings), the most common near-JSON slip. */
export const removeTrailingCommas = (text: string): string => {
  const out: string[] = []
  let inString = false
  let escaped = false
  let start = 0
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (inString) {
      if (escaped) escaped = false
      else if (char === '\\') escaped = true
      else if (char === '"') inString = false
      continue
    }
    if (char === '"') inString = true
    else if (char === ',') {
      let next = index + 1
      while (next < text.length && /\s/.test(text[next] as string)) next++
      if (text[next] === '}' || text[next] === ']') {
        out.push(text.slice(start, index))
        start = index + 1
      }
    }
  }
  out.push(text.slice(start))
  return out.join('')
}

/**
 * The top-level `{...}` spans of a text, found by bracket matching that respects JSON strings.
 * An unclosed object at the end is reported as `unclosed` (a sign of truncation).
 */
export const findObjectSpans = (text: string): { spans: string[]; unclosed: boolean } => {
  const spans: string[] = []
  let depth = 0
  let begin = -1
  let inString = false
  let escaped = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (inString) {
      if (escaped) escaped = false
      else if (char === '\\') escaped = true
      else if (char === '"') inString = false
      continue
    }
    if (char === '"' && depth > 0) inString = true
    else if (char === '{' || char === '[') {
      if (depth === 0) {
        if (char === '[') continue
        begin = index
      }
      depth++
    } else if ((char === '}' || char === ']') && depth > 0) {
      depth--
      if (depth === 0) spans.push(text.slice(begin, index + 1))
    }
  }
  return { spans, unclosed: depth > 0 }
}

const tryParse = (text: string): { ok: true; value: unknown } | { ok: false; error: string } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    try {
      return { ok: true, value: JSON.parse(removeTrailingCommas(text)) as unknown }
    } catch {
      return { ok: false, error: error instanceof Error ? error.message : String(error) }
    }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Candidate JSON values in order of preference: the whole text, a fenced block, then each top-level object. */
const extractCandidates = (content: string): { values: unknown[]; firstError?: string; unclosed: boolean } => {
  const trimmed = content.trim()
  const whole = tryParse(trimmed)
  if (whole.ok && isObject(whole.value)) return { values: [whole.value], unclosed: false }
  const values: unknown[] = []
  const fence = /```[a-zA-Z0-9_-]*[ \t]*\r?\n?([\s\S]*?)```/.exec(trimmed)
  if (fence?.[1] !== undefined) {
    const fenced = tryParse(fence[1].trim())
    if (fenced.ok && isObject(fenced.value)) values.push(fenced.value)
  }
  const { spans, unclosed } = findObjectSpans(trimmed)
  for (const span of spans) {
    const parsed = tryParse(span)
    if (parsed.ok && isObject(parsed.value)) values.push(parsed.value)
  }
  return { values, firstError: whole.ok ? 'the answer is not a JSON object' : whole.error, unclosed }
}

/**
 * Parses and validates one model response against a stage's output contract and semantic check.
 * Reasons: `refusal` (explicit refusal or content filter), `truncated` (the backend says the token
 * limit cut the answer: `finishReason` is `length`, and only then), `empty` (blank), `invalid_json`
 * (no complete JSON object found), `schema_violation` (JSON the contract rejects after its documented
 * normalisation, see output-schemas.ts, or that the stage's checks reject).
 */
export const parseModelOutput = <Raw, Result>(
  response: ChatResponse,
  contract: OutputContract<Raw>,
  semantic: SemanticCheck<Raw, Result>,
): ParseResult<Result> => {
  if ((response.refusal !== null && response.refusal.trim() !== '') || response.finishReason === 'content_filter') {
    return fail('refusal', 'You declined to answer. Answer the question about the quoted conversation with the JSON object requested.')
  }
  const truncated = response.finishReason === 'length'
  if (response.content.trim() === '') {
    return truncated
      ? fail('truncated', 'Your answer was cut off before any JSON was written.')
      : fail('empty', 'Your answer was empty.')
  }
  const { values, firstError, unclosed } = extractCandidates(response.content)
  if (values.length === 0) {
    if (truncated) return fail('truncated', 'Your answer was cut off before the JSON object was complete.')
    // An unclosed object the backend says it finished is the model's mistake, not the token limit:
    // `truncated` sends an SRE to raise max_tokens, which would not help here.
    if (unclosed) return fail('invalid_json', 'Your answer ended before its JSON object was closed.')
    return fail('invalid_json', `Your answer did not contain a valid JSON object (${firstError ?? 'no object found'}).`)
  }
  let firstProblem: string | undefined
  for (const value of values) {
    const checked = contract.check(value)
    if (!checked.ok) {
      firstProblem ??= checked.problem
      continue
    }
    const meaning = semantic(checked.value)
    if (meaning.ok) return { ok: true, value: meaning.value }
    firstProblem ??= meaning.problem
  }
  if (truncated) return fail('truncated', `Your answer was cut off and is incomplete: ${firstProblem ?? 'schema mismatch'}.`)
  return fail('schema_violation', `Your JSON does not follow the restrictions: ${firstProblem ?? 'schema mismatch'}.`)
}
