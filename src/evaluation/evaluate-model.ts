/**
 * Evaluates one model of the registry on PhotoChat-format dialogues through the core, exactly as
 * the service would answer (same prompts, parsing, re-asks and fallbacks). Every metric comes
 * with its item count and a random baseline drawn in the same run from the same seed.
 */
import pino, { type Logger } from 'pino'
import type { DriberCore } from '../core/driber-core.js'
import type { RequestContext } from '../core/request-context.js'
import type { Restriction, Usage } from '../core/types.js'
import { isDriberError } from '../errors.js'
import { binaryMacroScores, type BinaryMacroScores } from './decide-metrics.js'
import { distinctN, labelCoverage, type Lemmatise } from './description-metrics.js'
import {
  contextBeforeShare,
  everyPrefix,
  firstShareIndex,
  rankingView,
  SEMANTICS,
  type NextTurnItem,
  type PhotoChatDialogue,
  type Semantics,
} from './photochat-dataset.js'
import { meanGroupScoresAtK, type MeanAtKScores } from './ranking-metrics.js'
import { retrievalScores, type RetrievalScores } from './retrieval-metrics.js'
import { runPool } from './run-pool.js'
import { seededRandom } from './seeded-random.js'

export const EVALUATION_TASKS = ['decide', 'rank', 'describe', 'retrieve'] as const
export type EvaluationTask = (typeof EVALUATION_TASKS)[number]

export type EvaluationCore = Pick<DriberCore, 'decide' | 'rank' | 'describe' | 'retrieve'>

export interface EvaluationOptions {
  /** Registry id, alias or scale; the route's primary model when absent. */
  model?: string
  tasks: readonly EvaluationTask[]
  concurrency: number
  seed: number
  /** Use only the first N dialogues. */
  limit?: number
  /** Decide on every prefix (default) or only the balanced set (cheaper with paid models). */
  prefixes?: 'all' | 'balanced'
  /** Label sets to score (default both; `turn` first, the product's definition). */
  semantics?: readonly Semantics[]
  restrictions?: Restriction[]
  /** Image index for Retrieve (the configured default when absent). */
  index?: string
  /** URLs of the index's images, when known: gives the random baseline its size and skips photos the index lacks. */
  galleryUrls?: ReadonlySet<string>
  /** How deep Retrieve looks for the gold photo (capped by the service's k limit). */
  retrieveK?: number
  /** Per-call budget. */
  requestMs?: number
  lemmatise: Lemmatise
  logger?: Logger
  onProgress?: (event: { task: EvaluationTask; done: number; total: number }) => void
}

export interface Failures {
  /** No valid answer after re-asks and fallbacks (DRIBER_PARSE_FAILURE): scored as wrong. */
  parse_failures: number
  /** Any other error (timeouts, upstream errors): scored as wrong. */
  errors: number
  /** Attempts that failed to parse but were recovered by a re-ask or a fallback. */
  recovered_parse_attempts: number
  error_codes: Record<string, number>
}

export interface DecideReport {
  balanced: BinaryMacroScores
  every_prefix: BinaryMacroScores | null
  baseline: { balanced: BinaryMacroScores; every_prefix: BinaryMacroScores | null; kind: string }
  failures: Failures
}

export interface RankReport {
  at_k: MeanAtKScores[]
  baseline: { at_k: MeanAtKScores[]; kind: string }
  failures: Failures
}

export interface DescribeReport {
  coverage: { mean: number; items: number }
  distinct_1: number
  distinct_2: number
  descriptions: number
  restrictions: Restriction[]
  baseline: { coverage: { mean: number; items: number }; distinct_1: number; distinct_2: number; kind: string }
  failures: Failures
}

export interface RetrieveReport {
  scores: RetrievalScores
  index: string | null
  index_size: number | null
  /** How deep each search looked; a gold photo below it counts as a miss. */
  k: number
  /** Dialogues skipped because their photo is not in the index. */
  not_in_index: number
  baseline: { scores: RetrievalScores; kind: string } | null
  failures: Failures
}

/** One report per label set asked for (see `Semantics` in photochat-dataset.ts). */
export type BySemantics<T> = Partial<Record<Semantics, T>>

export interface EvaluationReport {
  model: string | null
  /** Models that actually answered (ids), with call counts. */
  answered_by: Record<string, number>
  seed: number
  dialogues: number
  tasks: EvaluationTask[]
  usage: Usage
  duration_seconds: number
  /** Label sets scored (the same model answers serve both: only the labels differ). */
  semantics: Semantics[]
  decide?: BySemantics<DecideReport>
  rank?: BySemantics<RankReport>
  describe?: DescribeReport
  retrieve?: RetrieveReport
}

/** Errors that mean the whole evaluation is misconfigured, not that one item failed. */
const FATAL_CODES = new Set(['DRIBER_UNKNOWN_MODEL', 'DRIBER_UNKNOWN_INDEX', 'DRIBER_CONFIG_INVALID', 'DRIBER_REGISTRY_INVALID', 'DRIBER_EMBEDDER_UNAVAILABLE', 'DRIBER_INDEX_UNAVAILABLE', 'DRIBER_UPSTREAM_AUTH'])

const emptyFailures = (): Failures => ({ parse_failures: 0, errors: 0, recovered_parse_attempts: 0, error_codes: {} })

interface CallOutcome<T> {
  value: T | null
}

/** Runs `evaluateModel`'s calls: a context per call, failures counted, usage summed. */
class CallRecorder {
  readonly usage: Usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 }
  readonly answeredBy: Record<string, number> = {}
  private counter = 0

  constructor(
    private readonly logger: Logger,
    private readonly requestMs: number,
  ) {}

  async call<T extends object>(failures: Failures, run: (context: RequestContext) => Promise<T>): Promise<CallOutcome<T>> {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.requestMs)
    const context: RequestContext = {
      requestId: `eval-${++this.counter}`,
      signal: controller.signal,
      deadline: Date.now() + this.requestMs,
      logger: this.logger,
      timing: { upstreamSeconds: 0 },
    }
    try {
      const value = await run(context)
      if ('usage' in value) {
        const usage = value.usage as Usage
        this.usage.input_tokens += usage.input_tokens
        this.usage.output_tokens += usage.output_tokens
        this.usage.total_tokens += usage.total_tokens
      }
      if ('model' in value && typeof value.model === 'string') this.answeredBy[value.model] = (this.answeredBy[value.model] ?? 0) + 1
      if ('attempts' in value && Array.isArray(value.attempts)) {
        failures.recovered_parse_attempts += (value.attempts as Array<{ outcome: string }>).filter((attempt) => attempt.outcome === 'parse_failure').length
      }
      return { value }
    } catch (error) {
      const code = isDriberError(error) ? error.code : 'DRIBER_INTERNAL'
      if (FATAL_CODES.has(code)) throw error
      if (code === 'DRIBER_PARSE_FAILURE') failures.parse_failures++
      else failures.errors++
      failures.error_codes[code] = (failures.error_codes[code] ?? 0) + 1
      return { value: null }
    } finally {
      clearTimeout(timer)
    }
  }
}

/**
 * The balanced subset: per dialogue one positive item (a seeded pick when there are several, as
 * under turn semantics) plus one seeded-random negative. With a single positive no draw is made,
 * so message-semantics sets stay what they were before turn semantics existed.
 */
export const balancedSelection = (itemsByDialogue: NextTurnItem[][], seed: number): Array<[number, number]> => {
  const random = seededRandom(seed)
  const chosen: Array<[number, number]> = []
  itemsByDialogue.forEach((items, dialogueIndex) => {
    const positives = items.flatMap((item, index) => (item.label ? [index] : []))
    const negatives = items.flatMap((item, index) => (item.label ? [] : [index]))
    if (positives.length === 0 || negatives.length === 0) return
    const positive = positives.length === 1 ? (positives[0] as number) : (positives[random.below(positives.length)] as number)
    chosen.push([dialogueIndex, positive], [dialogueIndex, negatives[random.below(negatives.length)] as number])
  })
  return chosen
}

const mean = (values: number[]): number => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length)

/** Runs the chosen tasks and returns the report (see `renderMarkdownReport`). */
export const evaluateModel = async (core: EvaluationCore, dialogues: PhotoChatDialogue[], options: EvaluationOptions): Promise<EvaluationReport> => {
  const started = performance.now()
  const selected = options.limit === undefined ? dialogues : dialogues.slice(0, options.limit)
  const logger = options.logger ?? pino({ level: 'silent' })
  const recorder = new CallRecorder(logger, options.requestMs ?? 60_000)
  const model = options.model
  const withModel = <T extends object>(input: T): T & { model?: string } => (model === undefined ? input : { ...input, model })
  const progress = (task: EvaluationTask, total: number): (() => void) => {
    let done = 0
    options.onProgress?.({ task, done, total })
    return () => options.onProgress?.({ task, done: ++done, total })
  }
  const semantics = options.semantics ?? SEMANTICS
  const report: EvaluationReport = {
    model: model ?? null,
    answered_by: recorder.answeredBy,
    seed: options.seed,
    dialogues: selected.length,
    tasks: [...options.tasks],
    semantics: [...semantics],
    usage: recorder.usage,
    duration_seconds: 0,
  }

  if (options.tasks.includes('decide')) {
    const failures = emptyFailures()
    // The prefixes (and so the calls) are the same under both semantics; only labels differ.
    const itemsBySemantics = new Map(semantics.map((name) => [name, selected.map((dialogue) => everyPrefix(dialogue, name))]))
    const balancedBySemantics = new Map(semantics.map((name) => [name, balancedSelection(itemsBySemantics.get(name) as NextTurnItem[][], options.seed)]))
    const anyItems = itemsBySemantics.get(semantics[0] as Semantics) as NextTurnItem[][]
    const key = ([dialogueIndex, index]: [number, number]): string => `${dialogueIndex}:${index}`
    const wantedKeys = new Map<string, [number, number]>()
    if (options.prefixes === 'balanced') for (const pairs of balancedBySemantics.values()) for (const pair of pairs) wantedKeys.set(key(pair), pair)
    else anyItems.forEach((items, dialogueIndex) => items.forEach((_, index) => wantedKeys.set(key([dialogueIndex, index]), [dialogueIndex, index])))
    const wanted = [...wantedKeys.values()].sort((left, right) => left[0] - right[0] || left[1] - right[1])
    const tick = progress('decide', wanted.length)
    const answers = new Map<string, boolean | null>()
    await runPool(wanted, options.concurrency, async (pair) => {
      const item = (anyItems[pair[0]] as NextTurnItem[])[pair[1]] as NextTurnItem
      const outcome = await recorder.call(failures, (context) => core.decide(withModel({ dialogue: item.dialogue, speaker: item.speaker }), context))
      answers.set(key(pair), outcome.value === null ? null : outcome.value.share)
      tick()
    })
    report.decide = {}
    for (const name of semantics) {
      const itemsByDialogue = itemsBySemantics.get(name) as NextTurnItem[][]
      const random = seededRandom(options.seed + 101)
      const score = (pairs: Array<[number, number]>) => {
        const labels = pairs.map(([dialogueIndex, index]) => ((itemsByDialogue[dialogueIndex] as NextTurnItem[])[index] as NextTurnItem).label)
        const predictions = pairs.map((pair) => answers.get(key(pair)) ?? null)
        const coin = pairs.map(() => random.next() < 0.5)
        return { model: binaryMacroScores(predictions, labels), baseline: binaryMacroScores(coin, labels) }
      }
      const balancedScores = score(balancedBySemantics.get(name) as Array<[number, number]>)
      const everyScores = options.prefixes === 'balanced' ? null : score(wanted)
      report.decide[name] = {
        balanced: balancedScores.model,
        every_prefix: everyScores?.model ?? null,
        baseline: { balanced: balancedScores.baseline, every_prefix: everyScores?.baseline ?? null, kind: 'fair coin per item' },
        failures,
      }
    }
  }

  if (options.tasks.includes('rank')) {
    const failures = emptyFailures()
    // The ranked dialogue is the same under both semantics; only which positions count as hits differs.
    const dialogues = selected.filter((dialogue) => rankingView(dialogue).gold.length > 0 && rankingView(dialogue).dialogue.length > 0)
    const tick = progress('rank', dialogues.length)
    const rankings = await runPool(dialogues, options.concurrency, async (dialogue) => {
      const outcome = await recorder.call(failures, (context) => core.rank(withModel({ dialogue: rankingView(dialogue).dialogue }), context))
      tick()
      return outcome.value === null ? null : outcome.value.candidates.map((candidate) => candidate.turn)
    })
    report.rank = {}
    for (const name of semantics) {
      const views = dialogues.map((dialogue) => rankingView(dialogue, name))
      const random = seededRandom(options.seed + 202)
      const randomRankings = views.map((view) => random.shuffle(view.dialogue.map((_, turn) => turn)))
      const golds = views.map((view) => view.gold)
      report.rank[name] = {
        at_k: [1, 3, 5].map((k) => meanGroupScoresAtK(rankings, golds, k)),
        baseline: { at_k: [1, 3, 5].map((k) => meanGroupScoresAtK(randomRankings, golds, k)), kind: 'random order of the turns' },
        failures,
      }
    }
  }

  const needDescriptions = options.tasks.includes('describe') || options.tasks.includes('retrieve')
  const describeItems = selected
    .map((dialogue) => ({ dialogue, context: contextBeforeShare(dialogue), share: firstShareIndex(dialogue) }))
    .filter((item) => item.share > 0 && item.context.length > 0)
  let descriptions: Array<string[] | null> = []
  const describeFailures = emptyFailures()
  const restrictions = options.restrictions ?? ['prefix']
  if (needDescriptions) {
    const tick = progress('describe', describeItems.length)
    descriptions = await runPool(describeItems, options.concurrency, async (item) => {
      const speaker = item.dialogue.turns[item.share]?.speaker
      const outcome = await recorder.call(describeFailures, (context) =>
        core.describe(withModel({ dialogue: item.context, restrictions, n: 1, ...(speaker === undefined ? {} : { speaker }) }), context),
      )
      tick()
      return outcome.value === null ? null : outcome.value.descriptions.map((description) => description.text)
    })
  }

  if (options.tasks.includes('describe')) {
    const random = seededRandom(options.seed + 303)
    const labelled = describeItems.map((item, index) => ({ item, texts: descriptions[index] ?? null })).filter(({ item }) => item.dialogue.labels.length > 0)
    const coverages = labelled.map(({ item, texts }) => (texts === null ? 0 : labelCoverage(new Set(texts.flatMap(options.lemmatise)), item.dialogue.labels, options.lemmatise)))
    // Baseline: as many random words from the same dialogue's context as the model's description has.
    const baselineTexts = labelled.map(({ item, texts }) => {
      const pool = item.context.flatMap((turn) => turn.text.split(/\s+/).filter((word) => word.length > 0))
      const length = Math.max(1, (texts ?? []).join(' ').split(/\s+/).filter((word) => word.length > 0).length)
      return Array.from({ length }, () => pool[random.below(pool.length)] ?? '').join(' ')
    })
    const baselineCoverages = labelled.map(({ item }, index) => labelCoverage(new Set(options.lemmatise(baselineTexts[index] as string)), item.dialogue.labels, options.lemmatise))
    const allTexts = descriptions.flatMap((texts) => texts ?? [])
    report.describe = {
      coverage: { mean: mean(coverages), items: coverages.length },
      distinct_1: distinctN(allTexts, 1),
      distinct_2: distinctN(allTexts, 2),
      descriptions: allTexts.length,
      restrictions,
      baseline: {
        coverage: { mean: mean(baselineCoverages), items: baselineCoverages.length },
        distinct_1: distinctN(baselineTexts, 1),
        distinct_2: distinctN(baselineTexts, 2),
        kind: 'random words from the same dialogue, same length',
      },
      failures: describeFailures,
    }
  }

  if (options.tasks.includes('retrieve')) {
    const failures = emptyFailures()
    const k = options.retrieveK ?? 100
    const gallery = options.galleryUrls
    const candidates = describeItems.map((item, index) => ({ item, texts: descriptions[index] ?? null })).filter(({ item }) => item.dialogue.photoUrl !== undefined)
    // With the gallery known, photos it lacks cannot be found: skip and count them rather than score them.
    const items = gallery === undefined ? candidates : candidates.filter(({ item }) => gallery.has(item.dialogue.photoUrl as string))
    const tick = progress('retrieve', items.length)
    let indexName: string | null = options.index ?? null
    const ranks = await runPool(items, options.concurrency, async ({ item, texts }): Promise<number | null> => {
      if (texts === null || texts.length === 0) {
        // Describe failed for this dialogue: nothing to search with, scored as a miss.
        failures.errors++
        failures.error_codes.NO_DESCRIPTION = (failures.error_codes.NO_DESCRIPTION ?? 0) + 1
        tick()
        return null
      }
      const outcome = await recorder.call(failures, (context) => core.retrieve({ descriptions: texts, k, ...(options.index === undefined ? {} : { index: options.index }) }, context))
      tick()
      if (outcome.value === null) return null
      indexName = outcome.value.index
      const position = outcome.value.results.findIndex((result) => result.url === item.dialogue.photoUrl)
      return position < 0 ? null : position + 1
    })
    const random = seededRandom(options.seed + 404)
    const size = gallery?.size ?? null
    report.retrieve = {
      scores: retrievalScores(ranks),
      index: indexName,
      index_size: size,
      k,
      not_in_index: candidates.length - items.length,
      baseline: size === null ? null : { scores: retrievalScores(ranks.map(() => 1 + random.below(size))), kind: 'uniformly random rank in the gallery' },
      failures,
    }
  }

  report.duration_seconds = Math.round((performance.now() - started) / 10) / 100
  return report
}
