import t from 'tap'
import { contextBeforeShare, everyPrefix, parseObjectLabels, parsePhotoChat, rankingView, sharerRunStart } from '../../src/evaluation/photochat-dataset.js'

const record = {
  dialogue_id: 7,
  photo_url: 'https://example.org/7.jpg',
  photo_description: 'The photo has your dad Mark. Objects in the photo: Dog, Ice cream.',
  dialogue: [
    { message: 'hi', share_photo: false, user_id: 1 },
    { message: 'hey', share_photo: false, user_id: 0 },
    { message: 'we got a dog', share_photo: false, user_id: 0 },
    { message: '', share_photo: true, user_id: 0 },
    { message: 'cute', share_photo: false, user_id: 1 },
  ],
}

t.test('reads PhotoChat JSON and JSONL, in PhotoChat or driber shape', async (t) => {
  const [dialogue] = parsePhotoChat(JSON.stringify([record]))
  t.equal(dialogue?.id, '7')
  t.equal(dialogue?.photoUrl, 'https://example.org/7.jpg')
  t.same(dialogue?.labels, ['Dog', 'Ice cream'])
  t.same(dialogue?.turns[0], { speaker: 'B', text: 'hi', share: false }, 'user 1 is B, user 0 is A')
  const jsonl = parsePhotoChat(`${JSON.stringify(record)}\n\n${JSON.stringify({ id: 'x', dialogue: [{ speaker: 'Ann', text: 'hello' }] })}\n`)
  t.equal(jsonl.length, 2)
  t.same(jsonl[1], { id: 'x', turns: [{ speaker: 'Ann', text: 'hello', share: false }], labels: [] })
  t.throws(() => parsePhotoChat('{"dialogue": []}\n{torn'), { code: 'DRIBER_INVALID_ARGUMENT', message: /line 2 is not JSON/ })
  t.throws(() => parsePhotoChat('[{"dialogue": [{"message": 3}]}]'), { code: 'DRIBER_INVALID_ARGUMENT' })
  t.same(parseObjectLabels('no list here'), [])
  t.same(parseObjectLabels(undefined), [])
})

t.test('views for each task', async (t) => {
  const [dialogue] = parsePhotoChat(JSON.stringify([record]))
  if (dialogue === undefined) throw new Error('no dialogue')
  t.same(contextBeforeShare(dialogue).map((turn) => turn.text), ['hi', 'hey', 'we got a dog'])
  t.same(rankingView(dialogue), {
    dialogue: [
      { speaker: 'B', text: 'hi' },
      { speaker: 'A', text: 'hey' },
      { speaker: 'A', text: 'we got a dog' },
      { speaker: 'B', text: 'cute' },
    ],
    gold: [[2]],
  })
  // Turn semantics: A's run "hey", "we got a dog", photo; B's "hi" (before the run) to "we got a dog" are hits.
  t.same(rankingView(dialogue, 'turn').gold, [[0, 1, 2]])
  // Message semantics: only t=3 (the photo is the next message) is positive. t=1 asks about A,
  // who has not spoken yet: kept, a product asks exactly that.
  t.same(
    everyPrefix(dialogue, 'message').map((item) => [item.id, item.dialogue.length, item.speaker, item.label]),
    [
      ['7#1', 1, 'A', false],
      ['7#2', 2, 'A', false],
      ['7#3', 3, 'A', true],
    ],
  )
  // Turn semantics (the default): every prefix inside A's run that carries the photo is positive,
  // from "B said hi, should A's next turn carry an image?" on.
  t.same(
    everyPrefix(dialogue).map((item) => [item.id, item.speaker, item.label]),
    [
      ['7#1', 'A', true],
      ['7#2', 'A', true],
      ['7#3', 'A', true],
    ],
  )
  t.same(everyPrefix({ id: 'n', turns: [{ speaker: 'A', text: 'x', share: false }], labels: [] }), [], 'no share, no items')
})

t.test('turn labels follow the sharer\'s run, not the last message', async (t) => {
  const turns = [
    { speaker: 'A', text: 'I adopted a puppy', share: false },
    { speaker: 'B', text: 'no way', share: false },
    { speaker: 'B', text: 'can I see him?', share: false },
    { speaker: 'A', text: 'sure', share: false },
    { speaker: 'A', text: '', share: true },
    { speaker: 'B', text: 'so cute', share: false },
  ]
  const dialogue = { id: 'p', turns, labels: [] }
  t.equal(sharerRunStart(turns, 4), 3)
  // t=1, 2 ask about B (B's turns carry no image); t=3 asks A after "can I see him?": yes; t=4 the rest of A's turn: yes.
  t.same(
    everyPrefix(dialogue, 'turn').map((item) => [item.speaker, item.label]),
    [
      ['B', false],
      ['B', false],
      ['A', true],
      ['A', true],
    ],
  )
  t.same(
    everyPrefix(dialogue, 'message').map((item) => item.label),
    [false, false, false, true],
  )
  // Hits: B's last message before A's run (position 2) and A's "sure" (3).
  t.same(rankingView(dialogue, 'turn').gold, [[2, 3]])
  t.same(rankingView(dialogue, 'message').gold, [[3]])
  // A photo that opens its sender's run: the only hit is the other person's last message, under both.
  const opening = { id: 'o', turns: [turns[0], turns[1], { speaker: 'A', text: '', share: true }], labels: [] } as typeof dialogue
  t.same(rankingView(opening, 'turn').gold, [[1]])
  t.same(everyPrefix(opening, 'turn').map((item) => item.label), [false, true])
})
