/**
 * Choosing cascade thresholds from data. Each model of the cascade answers every labelled Decide
 * item once (named explicitly, so no cascade runs inside the service); the cascade is then
 * replayed offline for every threshold of a grid, exactly as the stage runner would run it: the
 * first model whose valid answer reaches the threshold answers, the last model always answers, a
 * failed call falls through to the next model, and when every model after an escalation fails the
 * escalated answer stands. Quality is macro-F1 (as `driber eval`), cost is tokens per request.
 *
 * One threshold applies to every model but the last (a registry may set them one by one; a single
 * knob keeps the search to one dimension and the recommendation easy to read).
 */
import type { Logger } from 'pino'
import pino from 'pino'
import type { RequestContext } from '../core/request-context.js'
import type { DecideInput, DecideNextResult } from '../core/types.js'
import { isDriberError } from '../errors.js'
import { binaryMacroScores, type BinaryMacroScores } from './decide-metrics.js'
import type { NextTurnItem } from './photochat-dataset.js'
import { runPool } from './run-pool.js'

/** One model's answer to one item: `share` null when the call failed (no valid answer). */
export interface ModelAnswerRecord {
  share: boolean | null
  confidence: number
  tokens: number
}

export interface CascadeRow {
  threshold: number
  macro_f1: number
  /** Share of items the first model did not settle (escalated or failed over). */
  escalated: number
  /** Mean tokens per item, every call of the cascade counted. */
  mean_tokens: number
  /** Share of items answered by each model. */
  answered_by: Record<string, number>
}

export interface CascadeReport {
  models: string[]
  items: number
  /** Each model alone: the ends of the quality/cost curve. */
  alone: Array<{ model: string; macro_f1: number; mean_tokens: number; failures: number; scores: BinaryMacroScores }>
  rows: CascadeRow[]
  /** Quality the recommendation must stay within `margin` of: the last (largest) model alone. */
  reference: { model: string; macro_f1: number }
  margin: number
  /** The cheapest threshold within the margin; null when none is (use the largest model alone). */
  recommended: CascadeRow | null
}

export type DecideCore = { decide(input: DecideInput, context: RequestContext): Promise<DecideNextResult> }

/** Thresholds 0 (nothing escalates: the first model alone), 0.50, 0.51, ... 0.99, and 1 (everything escalates). */
export const DEFAULT_THRESHOLDS = [0, ...Array.from({ length: 50 }, (_, index) => Math.round((0.5 + index / 100) * 100) / 100), 1]

/** Asks each model every item once; answers are kept by model, in item order. */
export const collectAnswers = async (
  core: DecideCore,
  items: readonly NextTurnItem[],
  models: readonly string[],
  options: { concurrency: number; requestMs: number; logger?: Logger; onProgress?: (done: number, total: number) => void },
): Promise<Map<string, ModelAnswerRecord[]>> => {
  const logger = options.logger ?? pino({ level: 'silent' })
  const total = items.length * models.length
  let done = 0
  const answers = new Map<string, ModelAnswerRecord[]>()
  for (const model of models) {
    const records = await runPool(items, options.concurrency, async (item, index): Promise<ModelAnswerRecord> => {
      const controller = new AbortController()
      const timer = setTimeout(() => controller.abort(), options.requestMs)
      const context: RequestContext = {
        requestId: `eval-cascade-${model}-${index}`,
        signal: controller.signal,
        deadline: Date.now() + options.requestMs,
        logger,
        timing: { upstreamSeconds: 0 },
      }
      try {
        const result = await core.decide({ dialogue: item.dialogue, speaker: item.speaker, model }, context)
        return { share: result.share, confidence: result.confidence, tokens: result.usage.total_tokens }
      } catch (error) {
        // Whatever the failure, the cascade moves on; what it cost is unknown, so count nothing.
        if (!isDriberError(error)) throw error
        return { share: null, confidence: 0, tokens: 0 }
      } finally {
        clearTimeout(timer)
        options.onProgress?.(++done, total)
      }
    })
    answers.set(model, records)
  }
  return answers
}

const round = (value: number, digits = 4): number => Math.round(value * 10 ** digits) / 10 ** digits

/** Replays the cascade over collected answers at one threshold. */
export const replayCascade = (answers: ReadonlyMap<string, readonly ModelAnswerRecord[]>, models: readonly string[], labels: readonly boolean[], threshold: number): CascadeRow => {
  const predictions: Array<boolean | null> = []
  const answeredBy: Record<string, number> = Object.fromEntries(models.map((model) => [model, 0]))
  let tokens = 0
  let escalated = 0
  labels.forEach((_, item) => {
    let held: { share: boolean; model: string } | undefined
    let answer: { share: boolean; model: string } | undefined
    for (let position = 0; position < models.length; position++) {
      const model = models[position] as string
      const record = (answers.get(model) as readonly ModelAnswerRecord[])[item] as ModelAnswerRecord
      tokens += record.tokens
      if (record.share === null) continue
      const last = position === models.length - 1
      if (last || record.confidence >= threshold) {
        answer = { share: record.share, model }
        break
      }
      held = { share: record.share, model }
    }
    answer ??= held
    const first = (answers.get(models[0] as string) as readonly ModelAnswerRecord[])[item] as ModelAnswerRecord
    if (first.share === null || first.confidence < threshold) escalated++
    if (answer !== undefined) answeredBy[answer.model] = (answeredBy[answer.model] ?? 0) + 1
    predictions.push(answer?.share ?? null)
  })
  const count = Math.max(1, labels.length)
  return {
    threshold,
    macro_f1: round(binaryMacroScores(predictions, [...labels]).f1 * 100, 2),
    escalated: round(escalated / count),
    mean_tokens: round(tokens / count, 1),
    answered_by: Object.fromEntries(Object.entries(answeredBy).map(([model, answered]) => [model, round(answered / count)])),
  }
}

/** The sweep, each model alone, and the recommendation. */
export const evaluateCascade = (
  answers: ReadonlyMap<string, readonly ModelAnswerRecord[]>,
  models: readonly string[],
  labels: readonly boolean[],
  options: { thresholds?: readonly number[]; margin: number },
): CascadeReport => {
  if (models.length < 2) throw new RangeError('a cascade needs at least two models')
  const count = Math.max(1, labels.length)
  const alone = models.map((model) => {
    const records = answers.get(model) as readonly ModelAnswerRecord[]
    const scores = binaryMacroScores(
      records.map((record) => record.share),
      [...labels],
    )
    return {
      model,
      macro_f1: round(scores.f1 * 100, 2),
      mean_tokens: round(records.reduce((sum, record) => sum + record.tokens, 0) / count, 1),
      failures: records.filter((record) => record.share === null).length,
      scores,
    }
  })
  const rows = (options.thresholds ?? DEFAULT_THRESHOLDS).map((threshold) => replayCascade(answers, models, labels, threshold))
  const largest = alone[alone.length - 1] as (typeof alone)[number]
  const reference = { model: largest.model, macro_f1: largest.macro_f1 }
  let recommended: CascadeRow | null = null
  for (const row of rows) {
    if (row.macro_f1 < reference.macro_f1 - options.margin) continue
    if (recommended === null || row.mean_tokens < recommended.mean_tokens || (row.mean_tokens === recommended.mean_tokens && row.macro_f1 > recommended.macro_f1)) {
      recommended = row
    }
  }
  return { models: [...models], items: labels.length, alone, rows, reference, margin: options.margin, recommended }
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`

/** The report as Markdown: each model alone, then one row per threshold, the recommendation marked. */
export const renderCascadeMarkdown = (report: CascadeReport, command: string): string => {
  const lines = [
    `# Cascade thresholds: ${report.models.join(' -> ')}`,
    '',
    `\`${command}\` over ${report.items} Decide items. Quality is macro-F1 (parse failures and errors count as wrong); cost is tokens per request, every call counted.`,
    '',
    '| model alone | macro-F1 | tokens / request | failed calls |',
    '| --- | --- | --- | --- |',
    ...report.alone.map((entry) => `| ${entry.model} | ${entry.macro_f1.toFixed(2)} | ${entry.mean_tokens.toFixed(1)} | ${entry.failures} |`),
    '',
    `| min_confidence | macro-F1 | escalated | tokens / request | ${report.models.map((model) => `answered by ${model}`).join(' | ')} |`,
    `| --- | --- | --- | --- | ${report.models.map(() => '---').join(' | ')} |`,
    ...report.rows.map((row) => {
      const mark = row === report.recommended ? ' **(recommended)**' : ''
      return `| ${row.threshold.toFixed(2)}${mark} | ${row.macro_f1.toFixed(2)} | ${percent(row.escalated)} | ${row.mean_tokens.toFixed(1)} | ${report.models.map((model) => percent(row.answered_by[model] ?? 0)).join(' | ')} |`
    }),
    '',
  ]
  if (report.recommended === null) {
    lines.push(`No threshold keeps macro-F1 within ${report.margin} points of ${report.reference.model} alone (${report.reference.macro_f1.toFixed(2)}): route to ${report.reference.model}.`)
  } else {
    const row = report.recommended
    const largest = report.alone[report.alone.length - 1] as CascadeReport['alone'][number]
    const saving = largest.mean_tokens === 0 ? 0 : 1 - row.mean_tokens / largest.mean_tokens
    const cost = `${percent(Math.abs(saving))} ${saving >= 0 ? 'fewer' : 'more'} than ${report.reference.model} alone`
    const setting = row.threshold === 0 ? `\`min_confidence: 0\` (${report.models[0]} alone is within the margin; a plain route to it is the same)` : `\`min_confidence: ${row.threshold.toFixed(2)}\` on every model but the last`
    lines.push(
      `Recommended: ${setting}. Macro-F1 ${row.macro_f1.toFixed(2)} against ${report.reference.macro_f1.toFixed(2)} for ${report.reference.model} alone (margin ${report.margin}), ${percent(row.escalated)} of requests escalated, ${row.mean_tokens.toFixed(1)} tokens per request (${cost}).`,
    )
  }
  lines.push('')
  return lines.join('\n')
}

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Quality against cost as a standalone SVG: the threshold curve, each model alone, the recommendation. */
export const renderCascadeSvg = (report: CascadeReport): string => {
  const width = 720
  const height = 440
  const margin = { left: 70, right: 30, top: 40, bottom: 60 }
  const points = [...report.rows.map((row) => ({ x: row.mean_tokens, y: row.macro_f1 })), ...report.alone.map((entry) => ({ x: entry.mean_tokens, y: entry.macro_f1 }))]
  const xMax = Math.max(1, ...points.map((point) => point.x)) * 1.05
  const yValues = points.map((point) => point.y)
  const yMin = Math.max(0, Math.floor(Math.min(...yValues) - 2))
  const yMax = Math.min(100, Math.ceil(Math.max(...yValues) + 2))
  const plotWidth = width - margin.left - margin.right
  const plotHeight = height - margin.top - margin.bottom
  const sx = (x: number): number => margin.left + (x / xMax) * plotWidth
  const sy = (y: number): number => margin.top + plotHeight - ((y - yMin) / Math.max(1e-9, yMax - yMin)) * plotHeight
  const fixed = (value: number): string => value.toFixed(1)
  const ordered = [...report.rows].sort((left, right) => left.mean_tokens - right.mean_tokens || left.threshold - right.threshold)
  const path = ordered.map((row, index) => `${index === 0 ? 'M' : 'L'}${fixed(sx(row.mean_tokens))},${fixed(sy(row.macro_f1))}`).join(' ')
  const ticks = (from: number, to: number, count: number): number[] => Array.from({ length: count + 1 }, (_, index) => from + ((to - from) * index) / count)
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img" aria-label="Cascade quality against cost">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(`Cascade ${report.models.join(' -> ')}: macro-F1 against tokens per request`)}</text>`,
  ]
  for (const tick of ticks(0, xMax, 5)) {
    parts.push(`<line x1="${fixed(sx(tick))}" y1="${margin.top}" x2="${fixed(sx(tick))}" y2="${margin.top + plotHeight}" stroke="#e5e5e5"/>`)
    parts.push(`<text x="${fixed(sx(tick))}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${tick.toFixed(0)}</text>`)
  }
  for (const tick of ticks(yMin, yMax, 5)) {
    parts.push(`<line x1="${margin.left}" y1="${fixed(sy(tick))}" x2="${margin.left + plotWidth}" y2="${fixed(sy(tick))}" stroke="#e5e5e5"/>`)
    parts.push(`<text x="${margin.left - 8}" y="${fixed(sy(tick) + 4)}" text-anchor="end">${tick.toFixed(1)}</text>`)
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333333"/>`)
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 18}" text-anchor="middle">tokens per request</text>`)
  parts.push(`<text transform="translate(18,${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">macro-F1</text>`)
  const bound = report.reference.macro_f1 - report.margin
  if (bound >= yMin) {
    parts.push(`<line x1="${margin.left}" y1="${fixed(sy(bound))}" x2="${margin.left + plotWidth}" y2="${fixed(sy(bound))}" stroke="#b45309" stroke-dasharray="6 4"/>`)
    parts.push(`<text x="${margin.left + plotWidth - 4}" y="${fixed(sy(bound) - 6)}" text-anchor="end" fill="#b45309">${escapeXml(`${report.reference.model} - ${report.margin}`)}</text>`)
  }
  parts.push(`<path d="${path}" fill="none" stroke="#1d4ed8" stroke-width="2"/>`)
  for (const row of report.rows) parts.push(`<circle cx="${fixed(sx(row.mean_tokens))}" cy="${fixed(sy(row.macro_f1))}" r="2.5" fill="#1d4ed8"><title>${escapeXml(`min_confidence ${row.threshold.toFixed(2)}: F1 ${row.macro_f1}, ${row.mean_tokens} tokens`)}</title></circle>`)
  for (const entry of report.alone) {
    parts.push(`<rect x="${fixed(sx(entry.mean_tokens) - 5)}" y="${fixed(sy(entry.macro_f1) - 5)}" width="10" height="10" fill="#111827"/>`)
    parts.push(`<text x="${fixed(sx(entry.mean_tokens) + 9)}" y="${fixed(sy(entry.macro_f1) + 4)}">${escapeXml(`${entry.model} alone`)}</text>`)
  }
  if (report.recommended !== null) {
    const row = report.recommended
    parts.push(`<circle cx="${fixed(sx(row.mean_tokens))}" cy="${fixed(sy(row.macro_f1))}" r="7" fill="none" stroke="#15803d" stroke-width="2.5"/>`)
    parts.push(`<text x="${fixed(sx(row.mean_tokens) + 10)}" y="${fixed(sy(row.macro_f1) - 10)}" fill="#15803d" font-weight="bold">${escapeXml(`recommended: ${row.threshold.toFixed(2)}`)}</text>`)
  }
  parts.push('</svg>', '')
  return parts.join('\n')
}
