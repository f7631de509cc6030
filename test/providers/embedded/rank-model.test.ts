import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { projectRoot } from '../../../src/config.js'
import { rankingView, readPhotoChat } from '../../../src/evaluation/photochat-dataset.js'
import { confidenceOfShare, createDecideModel, defaultWeightsPath, readDecideWeights, type DecideWeights } from '../../../src/providers/embedded/decide-model.js'
import { answerRank } from '../../../src/providers/embedded/embedded-chat-model.js'
import { loadEmbeddedRuntime } from '../../../src/providers/embedded/embedded-runtime.js'
import { sharedGloveVocabulary } from '../../../src/providers/embedded/glove-vocabulary.js'
import { fitRankWeights } from '../../../src/providers/embedded/rank-fitting.js'
import { RANK_SLOTS, turnProbabilities, visitRankTerms } from '../../../src/providers/embedded/rank-model.js'

const fixture = path.join(projectRoot, 'test', 'fixtures', 'embedded', 'photochat-mini.json')
const fixtureWeights = path.join(projectRoot, 'test', 'fixtures', 'embedded', 'decide-weights-mini.json')

t.test('the ranking head reads the message and its neighbours, by speaker', async (t) => {
  const dialogue = [
    { speaker: 'A', text: 'show me' },
    { speaker: 'B', text: 'here' },
    { speaker: 'A', text: 'wow' },
  ]
  const seen: string[] = []
  visitRankTerms(dialogue, 1, (slot, term) => seen.push(`${RANK_SLOTS[slot]}:${term}`))
  t.same(seen, ['candidate_message:here', 'next_message_by_other:wow', 'previous_message_by_other:show', 'previous_message_by_other:me', 'previous_message_by_other:show me'])
})

t.test('the shipped weights rank the message before the photo first', async (t) => {
  const runtime = loadEmbeddedRuntime()
  t.ok(runtime.rank !== undefined)
  const dialogue = [
    { speaker: 'Ana', text: 'hey, how was your weekend?' },
    { speaker: 'Ben', text: 'great, I adopted a puppy!' },
    { speaker: 'Ana', text: 'no way, can I see him?' },
    { speaker: 'Ben', text: 'sure, here he is' },
    { speaker: 'Ana', text: 'aww he is so cute!' },
  ]
  const { candidates } = answerRank(runtime, { stage: 'rank', dialogue }) as { candidates: Array<{ turn: number; confidence: number; rationale: string }> }
  t.equal(candidates.length, dialogue.length, 'every position is scored')
  const best = [...candidates].sort((left, right) => right.confidence - left.confidence)[0]
  t.ok(best !== undefined && [2, 3].includes(best.turn), `an image fits in Ben's answer to "can I see him?" (best: ${best?.turn})`)
  t.ok(candidates.every((candidate) => candidate.confidence >= 0 && candidate.confidence <= 1))
  t.ok((candidates[0]?.confidence ?? 1) < (best?.confidence ?? 0), 'not after the greeting')
  t.ok((best?.confidence ?? 0) >= 0.5, `where the photo went, the confidence reads as a yes, as Decide's would (${best?.confidence})`)
})

t.test("rank confidences are on Decide's footing and keep the head's order", async (t) => {
  const runtime = loadEmbeddedRuntime()
  const rank = runtime.rank
  if (rank === undefined) throw new Error('the shipped weights have a ranking head')
  t.ok(runtime.decide.weights.rank?.turnCalibration !== undefined, 'the shipped head has its turn calibration')
  const dialogue = [
    { speaker: 'Ana', text: 'I adopted a puppy yesterday!' },
    { speaker: 'Ben', text: 'No way! What breed? Can I see him?' },
    { speaker: 'Ana', text: 'A beagle, he is adorable' },
    { speaker: 'Ben', text: 'I bet he is' },
  ]
  const { candidates } = answerRank(runtime, { stage: 'rank', dialogue }) as { candidates: Array<{ turn: number; confidence: number; rationale: string }> }
  const probabilities = turnProbabilities(runtime.decide, dialogue).map((turn) => turn.probability)
  const raw = dialogue.map((_, position) => rank.score(dialogue, position, probabilities))
  const byConfidence = [...candidates].sort((left, right) => right.confidence - left.confidence).map((candidate) => candidate.turn)
  const byScore = raw.map((score, position) => ({ score, position })).sort((left, right) => right.score - left.score).map(({ position }) => position)
  t.same(byConfidence, byScore, "the confidences order positions as the head's raw scores do")
  for (const candidate of candidates) {
    const probability = rank.turnProbability(dialogue, candidate.turn, probabilities)
    t.equal(candidate.confidence, Math.round(confidenceOfShare(probability, runtime.decide.weights.threshold) * 10_000) / 10_000)
    t.match(candidate.rationale, new RegExp(`^Estimated ${Math.round(probability * 100)}% chance that the next turn after this message includes an image`), 'the rationale gives the calibrated probability')
  }
})

t.test('fitting the head on the fixture reproduces the committed fixture head', async (t) => {
  const weights = JSON.parse(readFileSync(fixtureWeights, 'utf8')) as DecideWeights
  const committed = weights.rank
  if (committed === undefined) throw new Error('fixture weights have no ranking head')
  const decide = createDecideModel(sharedGloveVocabulary(), readDecideWeights(fixtureWeights, sharedGloveVocabulary().dimension))
  // As `npm run embedded:fit` builds them.
  const samples = readPhotoChat(fixture).flatMap((dialogue) => {
    const message = rankingView(dialogue, 'message')
    return message.gold.length === 0 ? [] : [{ dialogue: message.dialogue, message: message.gold, turn: rankingView(dialogue, 'turn').gold, group: `photochat-mini.json:${dialogue.id}` }]
  })
  const fitted = fitRankWeights(decide, samples, { seed: 7 })
  t.same(fitted.training.splits, committed.training.splits)
  t.ok(fitted.weights.every((value, i) => Math.abs(value - (committed.weights[i] as number)) <= 1e-5), 'dense weights match')
  t.same(Object.keys(fitted.lexical.next_message_by_other), Object.keys(committed.lexical.next_message_by_other))
  t.ok(Math.abs(fitted.calibration.a - committed.calibration.a) <= 1e-5)
  const heldOut = fitted.training.held_out as Record<string, number>
  t.ok((heldOut.turn_recall_at_5 ?? 0) >= (heldOut.turn_recall_at_1 ?? 0), 'recall grows with K')
})

t.test('weights without a head still rank, by the next-turn probability', async (t) => {
  const weights = readDecideWeights(defaultWeightsPath(), sharedGloveVocabulary().dimension)
  const { rank: _head, ...withoutHead } = weights
  const runtime = { vocabulary: sharedGloveVocabulary(), decide: createDecideModel(sharedGloveVocabulary(), withoutHead as DecideWeights) }
  const { candidates } = answerRank(runtime, { stage: 'rank', dialogue: [{ speaker: 'A', text: 'hi' }, { speaker: 'B', text: 'can I see your cat?' }] }) as { candidates: Array<{ turn: number }> }
  t.equal(candidates.length, 2)
})
