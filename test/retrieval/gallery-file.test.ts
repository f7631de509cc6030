import t from 'tap'
import { parseCsvGallery, parseCsvRows, parseJsonlGallery } from '../../src/retrieval/gallery-file.js'

t.test('JSONL rows become records; numeric ids become strings; blank lines are skipped', async (t) => {
  const entries = parseJsonlGallery('{"id":1,"url":"u1","caption":"a dog","labels":["dog"]}\n\n{"id":"b","url":"u2","vector":[1,2]}\n', 'g.jsonl')
  t.same(entries, [
    { id: '1', url: 'u1', caption: 'a dog', labels: ['dog'] },
    { id: 'b', url: 'u2', caption: '', labels: [], vector: [1, 2] },
  ])
})

t.test('JSONL problems name the line', async (t) => {
  t.throws(() => parseJsonlGallery('{"id":"a","url":"u"}', 'g.jsonl'), { code: 'DRIBER_INDEX_CORRUPT', message: /line 1: needs a "caption"/ })
  t.throws(() => parseJsonlGallery('{"id":"a","url":"u","caption":"x"}\n{oops', 'g.jsonl'), { message: /line 2: not valid JSON/ })
  t.throws(() => parseJsonlGallery('{"id":"a","url":"u","vector":[1,"x"]}', 'g.jsonl'), { message: /"vector" must be/ })
  t.throws(() => parseJsonlGallery('{"id":"a","url":"u","caption":"c","labels":"dog"}', 'g.jsonl'), { message: /"labels" must be/ })
})

t.test('CSV follows RFC 4180 quoting', async (t) => {
  t.same(parseCsvRows('a,b\r\n"x, y","say ""hi""\nthere"\n'), [
    { line: 1, fields: ['a', 'b'] },
    { line: 2, fields: ['x, y', 'say "hi"\nthere'] },
  ])
  const entries = parseCsvGallery('id,url,caption,labels,vector\n1,u1,a cat,cat|pet,\n2,u2,,,"[0.5,0.5]"\n3,u3,,,1 2;3\n', 'g.csv')
  t.same(entries, [
    { id: '1', url: 'u1', caption: 'a cat', labels: ['cat', 'pet'] },
    { id: '2', url: 'u2', caption: '', labels: [], vector: [0.5, 0.5] },
    { id: '3', url: 'u3', caption: '', labels: [], vector: [1, 2, 3] },
  ])
  t.throws(() => parseCsvGallery('url,caption\nu,c\n', 'g.csv'), { message: /"id" column/ })
  t.throws(() => parseCsvGallery('id,url,caption\n1,u\n', 'g.csv'), { message: /line 2: expected 3 fields/ })
})

t.test('a gallery row may carry the absolute path of a local image (shared with the image server)', async (t) => {
  t.same(parseJsonlGallery('{"id":"a","url":"file:///photos/a.png","caption":"a dog","path":"/photos/a.png"}', 'g.jsonl'), [
    { id: 'a', url: 'file:///photos/a.png', caption: 'a dog', labels: [], path: '/photos/a.png' },
  ])
  t.throws(() => parseJsonlGallery('{"id":"a","url":"u","caption":"c","path":"photos/a.png"}', 'g.jsonl'), { code: 'DRIBER_INDEX_CORRUPT', message: /"path" must be an absolute file path/ })
})
