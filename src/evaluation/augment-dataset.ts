/**
 * Dataset augmentation: annotates each dialogue with where an image could be shared (Decide
 * ranking, then next-turn Decide at the best turns for speaker, confidence and intents), what it
 * would show (Describe) and which gallery images match (Retrieve). One JSONL line per dialogue.
 *
 * Resumable: ids already in the output are skipped, and a torn last line (a killed run) is cut
 * off before appending. Each line is written with one `write` call, so an interruption leaves at
 * most that one torn line. Failed dialogues are not written: a re-run retries them.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs'
import pino, { type Logger } from 'pino'
import type { RequestContext } from '../core/request-context.js'
import type { Description, Intent, Restriction, Usage } from '../core/types.js'
import { isDriberError } from '../errors.js'
import type { EvaluationCore } from './evaluate-model.js'
import { rankingView, type PhotoChatDialogue } from './photochat-dataset.js'
import { runPool } from './run-pool.js'

export interface AugmentOptions {
  model?: string
  concurrency: number
  /** Images to retrieve per dialogue. */
  k: number
  /** How many of the best-ranked turns to annotate with next-turn Decide. */
  turns?: number
  restrictions?: Restriction[]
  /** Descriptions per dialogue. */
  n?: number
  index?: string
  requestMs?: number
  /**
   * The service's turn limit: longer dialogues are annotated on their last `maxTurns` turns
   * (`window_start` in the record says where the window begins; turn indices stay global).
   */
  maxTurns?: number
  logger?: Logger
  /** Stops starting new dialogues (in-flight ones finish and are written). */
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

export interface AugmentedShareTurn {
  turn: number
  speaker: string
  utterance: string
  /** Ranking confidence that an image fits after this turn. */
  confidence: number
  /** Next-turn Decide at this point. */
  share: boolean
  share_confidence: number
  intents: Intent[]
}

export interface AugmentedDialogue {
  dialogue_id: string
  model: string
  /** Index of the first turn the model saw (non-zero only for dialogues longer than the limit). */
  window_start: number
  share_turns: AugmentedShareTurn[]
  descriptions: Description[]
  image_ids: string[]
  images: Array<{ id: string; url: string; score: number }>
  usage: Usage
}

export interface AugmentSummary {
  dialogues: number
  already_done: number
  written: number
  failed: number
  parse_failures: number
  errors: number
  error_codes: Record<string, number>
  /** Dialogues not started because the run was interrupted. */
  not_started: number
  usage: Usage
  duration_seconds: number
}

/**
 * Ids already written to `file`, cutting off a torn last line (no newline, or not JSON) so that
 * appending continues on a clean line boundary.
 */
export const existingIds = (file: string): Set<string> => {
  const ids = new Set<string>()
  if (!existsSync(file)) return ids
  const data = readFileSync(file)
  let keep = 0
  let start = 0
  while (start < data.length) {
    const end = data.indexOf(0x0a, start)
    if (end < 0) break // torn: no newline after the last record
    const line = data.toString('utf8', start, end).trim()
    if (line.length > 0) {
      try {
        const record = JSON.parse(line) as { dialogue_id?: unknown }
        if (typeof record.dialogue_id === 'string') ids.add(record.dialogue_id)
      } catch {
        break // a corrupt line: keep what precedes it
      }
    }
    start = end + 1
    keep = start
  }
  if (keep < data.length) {
    const descriptor = openSync(file, 'r+')
    try {
      ftruncateSync(descriptor, keep)
    } finally {
      closeSync(descriptor)
    }
  }
  return ids
}

const addUsage = (target: Usage, usage: Usage): void => {
  target.input_tokens += usage.input_tokens
  target.output_tokens += usage.output_tokens
  target.total_tokens += usage.total_tokens
}

/** Annotates `dialogues` into `outFile` (appending, resumable) and returns the run's summary. */
export const augmentDataset = async (core: EvaluationCore, dialogues: PhotoChatDialogue[], outFile: string, options: AugmentOptions): Promise<AugmentSummary> => {
  const started = performance.now()
  const done = existingIds(outFile)
  const todo = dialogues.filter((dialogue) => !done.has(dialogue.id))
  const logger = options.logger ?? pino({ level: 'silent' })
  const requestMs = options.requestMs ?? 60_000
  const summary: AugmentSummary = {
    dialogues: dialogues.length,
    already_done: dialogues.length - todo.length,
    written: 0,
    failed: 0,
    parse_failures: 0,
    errors: 0,
    error_codes: {},
    not_started: 0,
    usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
    duration_seconds: 0,
  }
  const model = options.model
  const withModel = <T extends object>(input: T): T & { model?: string } => (model === undefined ? input : { ...input, model })
  let counter = 0
  const context = (): { context: RequestContext; release: () => void } => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), requestMs)
    return {
      context: { requestId: `augment-${++counter}`, signal: controller.signal, deadline: Date.now() + requestMs, logger, timing: { upstreamSeconds: 0 } },
      release: () => clearTimeout(timer),
    }
  }
  const call = async <T>(run: (context: RequestContext) => Promise<T>): Promise<T> => {
    const { context: requestContext, release } = context()
    try {
      return await run(requestContext)
    } finally {
      release()
    }
  }
  const descriptor = openSync(outFile, 'a')
  let finished = 0
  options.onProgress?.(0, todo.length)
  try {
    await runPool(todo, options.concurrency, async (dialogue) => {
      if (options.signal?.aborted === true) {
        summary.not_started++
        return
      }
      const usage: Usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 }
      try {
        const full = rankingView(dialogue).dialogue
        const maxTurns = options.maxTurns ?? Number.POSITIVE_INFINITY
        const windowStart = Math.max(0, full.length - maxTurns)
        const view = full.slice(windowStart)
        // Prefixes ending at `turn` (window-relative), themselves cut to the turn limit.
        const upTo = (turn: number) => view.slice(Math.max(0, turn + 1 - maxTurns), turn + 1)
        const ranked = await call((requestContext) => core.rank(withModel({ dialogue: view }), requestContext))
        addUsage(usage, ranked.usage)
        const best = ranked.candidates.slice(0, options.turns ?? 3)
        const shareTurns: AugmentedShareTurn[] = []
        for (const candidate of best) {
          const decision = await call((requestContext) => core.decide(withModel({ dialogue: upTo(candidate.turn) }), requestContext))
          addUsage(usage, decision.usage)
          shareTurns.push({
            turn: windowStart + candidate.turn,
            speaker: decision.speaker,
            utterance: candidate.utterance,
            confidence: candidate.confidence,
            share: decision.share,
            share_confidence: decision.confidence,
            intents: decision.intents,
          })
        }
        const top = shareTurns[0]
        let descriptions: Description[] = []
        let images: AugmentedDialogue['images'] = []
        if (top !== undefined) {
          const described = await call((requestContext) =>
            core.describe(withModel({ dialogue: upTo(top.turn - windowStart), speaker: top.speaker, restrictions: options.restrictions ?? ['prefix'], n: options.n ?? 1 }), requestContext),
          )
          addUsage(usage, described.usage)
          descriptions = described.descriptions
          const retrieved = await call((requestContext) =>
            core.retrieve({ descriptions: descriptions.map((description) => description.text), k: options.k, ...(options.index === undefined ? {} : { index: options.index }) }, requestContext),
          )
          images = retrieved.results.map((result) => ({ id: result.id, url: result.url, score: result.score }))
        }
        const record: AugmentedDialogue = {
          dialogue_id: dialogue.id,
          model: ranked.model,
          window_start: windowStart,
          share_turns: shareTurns,
          descriptions,
          image_ids: images.map((image) => image.id),
          images,
          usage,
        }
        // One write per line: an interruption tears at most this line, which the next run cuts off.
        writeSync(descriptor, `${JSON.stringify(record)}\n`)
        summary.written++
      } catch (error) {
        const code = isDriberError(error) ? error.code : 'DRIBER_INTERNAL'
        if (code === 'DRIBER_UNKNOWN_MODEL' || code === 'DRIBER_UNKNOWN_INDEX') throw error
        summary.failed++
        if (code === 'DRIBER_PARSE_FAILURE') summary.parse_failures++
        else summary.errors++
        summary.error_codes[code] = (summary.error_codes[code] ?? 0) + 1
        logger.warn({ dialogue: dialogue.id, code }, 'augmentation failed for a dialogue; a re-run retries it')
      } finally {
        addUsage(summary.usage, usage)
        options.onProgress?.(++finished, todo.length)
      }
    })
  } finally {
    closeSync(descriptor)
  }
  summary.duration_seconds = Math.round((performance.now() - started) / 10) / 100
  return summary
}
