import t from 'tap'
import { evaluateCascade, renderCascadeMarkdown, renderCascadeSvg, replayCascade, type ModelAnswerRecord } from '../../src/evaluation/cascade-evaluation.js'

const answer = (share: boolean | null, confidence: number, tokens: number): ModelAnswerRecord => ({ share, confidence, tokens })

// Four items; the small model is right on the two it is sure of and wrong on the two it is not.
const labels = [true, false, true, false]
const answers = new Map<string, ModelAnswerRecord[]>([
  ['small', [answer(true, 0.95, 10), answer(false, 0.9, 10), answer(false, 0.6, 10), answer(true, 0.55, 10)]],
  ['large', [answer(true, 0.99, 100), answer(false, 0.99, 100), answer(true, 0.9, 100), answer(false, 0.9, 100)]],
])

t.test('replay: accepted when sure, escalated when not, every call paid for', async (t) => {
  const row = replayCascade(answers, ['small', 'large'], labels, 0.8)
  t.equal(row.macro_f1, 100, 'the unsure two go to the large model, which gets them right')
  t.equal(row.escalated, 0.5)
  t.equal(row.mean_tokens, 60, '4 small calls + 2 large calls over 4 items')
  t.same(row.answered_by, { small: 0.5, large: 0.5 })
  const never = replayCascade(answers, ['small', 'large'], labels, 0.5)
  t.equal(never.escalated, 0)
  t.equal(never.mean_tokens, 10)
  t.equal(never.macro_f1, 50)
  const always = replayCascade(answers, ['small', 'large'], labels, 1)
  t.equal(always.escalated, 1)
  t.equal(always.mean_tokens, 110)
})

t.test('replay: a failed call falls through; when the large model fails the escalated answer stands', async (t) => {
  const failing = new Map<string, ModelAnswerRecord[]>([
    ['small', [answer(null, 0, 0), answer(false, 0.6, 10)]],
    ['large', [answer(true, 0.9, 100), answer(null, 0, 0)]],
  ])
  const row = replayCascade(failing, ['small', 'large'], [true, false], 0.8)
  t.same(row.answered_by, { small: 0.5, large: 0.5 })
  t.equal(row.macro_f1, 100)
  t.equal(row.escalated, 1)
})

t.test('the recommendation is the cheapest threshold within the margin of the largest model', async (t) => {
  const report = evaluateCascade(answers, ['small', 'large'], labels, { thresholds: [0.5, 0.7, 0.8, 0.9, 1], margin: 1 })
  t.equal(report.reference.model, 'large')
  t.equal(report.reference.macro_f1, 100)
  t.equal(report.recommended?.threshold, 0.7, '0.7 already sends both unsure items up, at the same cost as 0.8')
  t.same(
    report.alone.map((entry) => [entry.model, entry.macro_f1, entry.mean_tokens]),
    [
      ['small', 50, 10],
      ['large', 100, 100],
    ],
  )
  const strict = evaluateCascade(answers, ['small', 'large'], labels, { thresholds: [0.5], margin: 1 })
  t.equal(strict.recommended, null, 'no threshold within the margin')
  t.match(renderCascadeMarkdown(strict, 'driber eval --cascade'), /No threshold keeps macro-F1 within 1 points of large alone/)
  t.throws(() => evaluateCascade(answers, ['small'], labels, { margin: 1 }), RangeError)
})

t.test('the Markdown table and the SVG plot say the same thing', async (t) => {
  const report = evaluateCascade(answers, ['small', 'large'], labels, { thresholds: [0.5, 0.7, 1], margin: 1 })
  const markdown = renderCascadeMarkdown(report, 'driber eval --cascade --data x.json')
  t.match(markdown, '| 0.70 **(recommended)** | 100.00 | 50.0% | 60.0 | 50.0% | 50.0% |')
  t.match(markdown, /Recommended: `min_confidence: 0.70`.*40\.0% fewer than large alone/)
  const svg = renderCascadeSvg(report)
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  t.match(svg, 'recommended: 0.70')
  t.match(svg, 'small alone')
  t.equal((svg.match(/<circle /g) ?? []).length, 4, 'one point per threshold plus the recommendation ring')
  t.notMatch(svg, /NaN|undefined/)
})
