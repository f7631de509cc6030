import t from 'tap'
import { contextBeforeShare, everyPrefix, parseObjectLabels, parsePhotoChat, rankingView } from '../../src/evaluation/photochat-dataset.js'

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
    gold: [2],
  })
  // t=1 (A has not spoken yet) is left out; t=2 negative; t=3 the share.
  t.same(
    everyPrefix(dialogue).map((item) => [item.dialogue.length, item.speaker, item.label]),
    [
      [2, 'A', false],
      [3, 'A', true],
    ],
  )
  t.same(everyPrefix({ id: 'n', turns: [{ speaker: 'A', text: 'x', share: false }], labels: [] }), [], 'no share, no items')
})
