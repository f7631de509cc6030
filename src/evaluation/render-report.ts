/**
 * The Markdown form of an evaluation report: one table per task, the model beside the random
 * baseline, item counts and failures on every row group.
 */
import type { EvaluationReport, Failures } from './evaluate-model.js'

const figure = (value: number): string => value.toFixed(3)

const failureNote = (failures: Failures): string => {
  const codes = Object.entries(failures.error_codes)
    .map(([code, count]) => `${code} x${count}`)
    .join(', ')
  return `parse failures ${failures.parse_failures}, other errors ${failures.errors}${codes === '' ? '' : ` (${codes})`}, re-asked parse failures ${failures.recovered_parse_attempts}`
}

/** Renders the report; `command` (the exact command line) is shown when given. */
export const renderMarkdownReport = (report: EvaluationReport, command?: string): string => {
  const lines: string[] = []
  const answered = Object.entries(report.answered_by)
    .map(([id, calls]) => `${id} (${calls} calls)`)
    .join(', ')
  lines.push(`## driber eval: ${report.model ?? 'default route'}`, '')
  if (command !== undefined) lines.push('```sh', command, '```', '')
  lines.push(
    `Dialogues: ${report.dialogues}; seed ${report.seed}; answered by ${answered === '' ? 'none' : answered}; ` +
      `usage ${report.usage.input_tokens} in / ${report.usage.output_tokens} out; ${report.duration_seconds} s.`,
    '',
  )
  lines.push('| Task | Metric | Items | Model | Random |', '|---|---|---:|---:|---:|')
  const semantics = report.semantics
  const decide = report.decide
  if (decide !== undefined) {
    for (const name of semantics) {
      const scored = decide[name]
      if (scored === undefined) continue
      const rows: Array<[string, typeof scored.balanced | null, typeof scored.balanced | null]> = [
        ['balanced', scored.balanced, scored.baseline.balanced],
        ['every prefix', scored.every_prefix, scored.baseline.every_prefix],
      ]
      for (const [set, scores, baseline] of rows) {
        if (scores === null || baseline === null) continue
        const label = `Decide, ${name} (${set})`
        lines.push(`| ${label} | macro precision | ${scores.items} | ${figure(scores.precision)} | ${figure(baseline.precision)} |`)
        lines.push(`| ${label} | macro recall | ${scores.items} | ${figure(scores.recall)} | ${figure(baseline.recall)} |`)
        lines.push(`| ${label} | macro F1 | ${scores.items} | ${figure(scores.f1)} | ${figure(baseline.f1)} |`)
        lines.push(`| ${label} | share P / R / F1 | ${scores.share.support} | ${figure(scores.share.precision)} / ${figure(scores.share.recall)} / ${figure(scores.share.f1)} | ${figure(baseline.share.precision)} / ${figure(baseline.share.recall)} / ${figure(baseline.share.f1)} |`)
      }
    }
  }
  const rank = report.rank
  if (rank !== undefined) {
    for (const name of semantics) {
      const scored = rank[name]
      if (scored === undefined) continue
      scored.at_k.forEach((scores, index) => {
        const baseline = scored.baseline.at_k[index]
        if (baseline === undefined) return
        lines.push(`| Decide ranking, ${name} | P@${scores.k} / R@${scores.k} / F1@${scores.k} | ${scores.items} | ${figure(scores.precision)} / ${figure(scores.recall)} / ${figure(scores.f1)} | ${figure(baseline.precision)} / ${figure(baseline.recall)} / ${figure(baseline.f1)} |`)
      })
    }
  }
  const describe = report.describe
  if (describe !== undefined) {
    lines.push(`| Describe | gold label coverage | ${describe.coverage.items} | ${figure(describe.coverage.mean)} | ${figure(describe.baseline.coverage.mean)} |`)
    lines.push(`| Describe | distinct-1 | ${describe.descriptions} | ${figure(describe.distinct_1)} | ${figure(describe.baseline.distinct_1)} |`)
    lines.push(`| Describe | distinct-2 | ${describe.descriptions} | ${figure(describe.distinct_2)} | ${figure(describe.baseline.distinct_2)} |`)
  }
  const retrieve = report.retrieve
  if (retrieve !== undefined) {
    const baseline = retrieve.baseline?.scores
    const cell = (value: number | undefined): string => (value === undefined ? 'n/a' : figure(value))
    lines.push(`| Retrieve | Recall@1 | ${retrieve.scores.items} | ${figure(retrieve.scores.recall_at_1)} | ${cell(baseline?.recall_at_1)} |`)
    lines.push(`| Retrieve | Recall@5 | ${retrieve.scores.items} | ${figure(retrieve.scores.recall_at_5)} | ${cell(baseline?.recall_at_5)} |`)
    lines.push(`| Retrieve | Recall@10 | ${retrieve.scores.items} | ${figure(retrieve.scores.recall_at_10)} | ${cell(baseline?.recall_at_10)} |`)
    lines.push(`| Retrieve | MRR | ${retrieve.scores.items} | ${figure(retrieve.scores.mrr)} | ${cell(baseline?.mrr)} |`)
  }
  lines.push('')
  // The calls are shared by both label sets, so failures are the same in each: reported once.
  const decideScored = decide === undefined ? undefined : semantics.map((name) => decide[name]).find((scored) => scored !== undefined)
  if (decideScored !== undefined) lines.push(`- Decide: ${failureNote(decideScored.failures)}; baseline: ${decideScored.baseline.kind}.`)
  const rankScored = rank === undefined ? undefined : semantics.map((name) => rank[name]).find((scored) => scored !== undefined)
  if (rankScored !== undefined) lines.push(`- Decide ranking: ${failureNote(rankScored.failures)}; baseline: ${rankScored.baseline.kind}.`)
  if (decideScored !== undefined || rankScored !== undefined) {
    lines.push(
      "- Semantics: `turn` asks whether the speaker's next turn (a run of their consecutive messages) carries an image, and a ranking hit is any position of the sharer's turn; " +
        '`message` asks whether the very next message is the photo (PhotoChat, the paper\'s setup).',
    )
  }
  if (describe !== undefined) lines.push(`- Describe (restrictions: ${describe.restrictions.join(', ') || 'none'}): ${failureNote(describe.failures)}; baseline: ${describe.baseline.kind}.`)
  if (retrieve !== undefined) {
    lines.push(
      `- Retrieve (index ${retrieve.index ?? 'default'}${retrieve.index_size === null ? '' : `, ${retrieve.index_size} images`}, top ${retrieve.k}, queries are the model's own descriptions): ` +
        `${failureNote(retrieve.failures)}; photos not in the index: ${retrieve.not_in_index}; baseline: ${retrieve.baseline?.kind ?? 'n/a (index size unknown)'}.`,
    )
  }
  return `${lines.join('\n')}\n`
}
