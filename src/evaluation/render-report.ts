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
  const decide = report.decide
  if (decide !== undefined) {
    const rows: Array<[string, typeof decide.balanced | null, typeof decide.balanced | null]> = [
      ['balanced', decide.balanced, decide.baseline.balanced],
      ['every prefix', decide.every_prefix, decide.baseline.every_prefix],
    ]
    for (const [set, scores, baseline] of rows) {
      if (scores === null || baseline === null) continue
      lines.push(`| Decide (${set}) | macro precision | ${scores.items} | ${figure(scores.precision)} | ${figure(baseline.precision)} |`)
      lines.push(`| Decide (${set}) | macro recall | ${scores.items} | ${figure(scores.recall)} | ${figure(baseline.recall)} |`)
      lines.push(`| Decide (${set}) | macro F1 | ${scores.items} | ${figure(scores.f1)} | ${figure(baseline.f1)} |`)
    }
  }
  const rank = report.rank
  if (rank !== undefined) {
    rank.at_k.forEach((scores, index) => {
      const baseline = rank.baseline.at_k[index]
      if (baseline === undefined) return
      lines.push(`| Decide ranking | P@${scores.k} / R@${scores.k} / F1@${scores.k} | ${scores.items} | ${figure(scores.precision)} / ${figure(scores.recall)} / ${figure(scores.f1)} | ${figure(baseline.precision)} / ${figure(baseline.recall)} / ${figure(baseline.f1)} |`)
    })
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
  if (decide !== undefined) lines.push(`- Decide: ${failureNote(decide.failures)}; baseline: ${decide.baseline.kind}.`)
  if (rank !== undefined) lines.push(`- Decide ranking: ${failureNote(rank.failures)}; baseline: ${rank.baseline.kind}.`)
  if (describe !== undefined) lines.push(`- Describe (restrictions: ${describe.restrictions.join(', ') || 'none'}): ${failureNote(describe.failures)}; baseline: ${describe.baseline.kind}.`)
  if (retrieve !== undefined) {
    lines.push(
      `- Retrieve (index ${retrieve.index ?? 'default'}${retrieve.index_size === null ? '' : `, ${retrieve.index_size} images`}, top ${retrieve.k}, queries are the model's own descriptions): ` +
        `${failureNote(retrieve.failures)}; photos not in the index: ${retrieve.not_in_index}; baseline: ${retrieve.baseline?.kind ?? 'n/a (index size unknown)'}.`,
    )
  }
  return `${lines.join('\n')}\n`
}
