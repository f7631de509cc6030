/** What `--images` lists: folders walked in a stable order, and JSONL/CSV lists whose bad rows are counted, not fatal. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { listImageFile, listImageFolder, listImageSources } from '../../src/retrieval/image-sources.js'
import { sniffImageType } from '../../src/retrieval/sniff-image-type.js'
import { tinyGif, tinyJpeg, tinyPng, tinyWebp } from '../support/tiny-images.js'

const directory = mkdtempSync(path.join(tmpdir(), 'driber-sources-'))
t.teardown(() => rmSync(directory, { recursive: true, force: true }))

t.test('magic bytes decide the format', async (t) => {
  t.equal(sniffImageType(tinyPng('x')), 'image/png')
  t.equal(sniffImageType(tinyJpeg()), 'image/jpeg')
  t.equal(sniffImageType(tinyGif()), 'image/gif')
  t.equal(sniffImageType(tinyWebp()), 'image/webp')
  t.equal(sniffImageType(Buffer.from('RIFF\0\0\0\0WAVEfmt ')), undefined, 'a RIFF file that is not WebP')
  t.equal(sniffImageType(Buffer.from('<html>')), undefined)
  t.equal(sniffImageType(new Uint8Array()), undefined)
})

t.test('a CSV list: labels split on |, paths relative to the list, bad rows reported with their line', async (t) => {
  mkdirSync(path.join(directory, 'lists'), { recursive: true })
  const file = path.join(directory, 'lists', 'images.csv')
  writeFileSync(file, 'id,path,url,caption,labels\nsea,../pics/sea.png,,"waves, sand",beach|sea\n,,https://img.test/a.jpg,,\nx,a.png,https://img.test/b.jpg,,\nshort,row\n')
  const listing = listImageFile(file)
  t.same(listing.sources.map((source) => [source.id, source.location, source.caption, source.labels]), [
    ['sea', { kind: 'file', path: path.join(directory, 'pics', 'sea.png') }, 'waves, sand', ['beach', 'sea']],
    ['https://img.test/a.jpg', { kind: 'url', url: 'https://img.test/a.jpg' }, '', []],
  ])
  t.same(listing.problems, [
    { where: `${file} line 4`, detail: 'needs exactly one of "url" or "path"' },
    { where: `${file} line 5`, detail: 'expected 5 fields, got 2' },
  ])
  writeFileSync(path.join(directory, 'bad.csv'), 'id,caption\na,b\n')
  t.throws(() => listImageFile(path.join(directory, 'bad.csv')), { code: 'DRIBER_INVALID_ARGUMENT', message: /must name a "url" or a "path" column/ })
  t.throws(() => listImageSources(path.join(directory, 'nowhere')), { code: 'DRIBER_INVALID_ARGUMENT', message: /does not exist/ })
})

t.test('a folder: sorted, hidden entries and linked folders left out, ids relative with forward slashes', async (t) => {
  const root = path.join(directory, 'library')
  mkdirSync(path.join(root, 'b', 'c'), { recursive: true })
  mkdirSync(path.join(root, '.cache'), { recursive: true })
  writeFileSync(path.join(root, 'b', 'c', 'z.PNG'), tinyPng('z'))
  writeFileSync(path.join(root, 'a.jpeg'), 'text pretending')
  writeFileSync(path.join(root, 'scan'), tinyGif())
  writeFileSync(path.join(root, 'notes.md'), '# holiday')
  writeFileSync(path.join(root, '.cache', 'x.png'), tinyPng('x'))
  symlinkSync(path.join(root, 'b'), path.join(root, 'loop'))
  const listing = listImageFolder(root)
  t.same(listing.sources.map((source) => source.id), ['a.jpeg', 'b/c/z.PNG', 'scan'])
  t.equal(listing.ignored, 1, 'notes.md')
  t.match(listing.sources[1]?.key, new RegExp(`^file:${path.join(root, 'b', 'c', 'z.PNG').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+$`), 'keyed by path, size and modification time')
})
