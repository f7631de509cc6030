import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { openLocalImageFile, sniffImageType } from '../../src/retrieval/local-image-file.js'
import { drawPng } from '../support/local-image-gallery.js'

t.test('the four served formats are known by their magic bytes', async (t) => {
  t.equal(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1])), 'image/jpeg')
  t.equal(sniffImageType(drawPng(2, 2, [0, 0, 0], [255, 255, 255]).subarray(0, 16)), 'image/png')
  t.equal(sniffImageType(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00', 'latin1')), 'image/gif')
  t.equal(sniffImageType(Buffer.from('GIF87a\x01\x00\x01\x00\x00\x00', 'latin1')), 'image/gif')
  t.equal(sniffImageType(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1')), 'image/webp')
  t.equal(sniffImageType(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1')), undefined, 'another RIFF format')
  t.equal(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">')), undefined, 'SVG (scriptable) is not served')
  t.equal(sniffImageType(Buffer.alloc(0)), undefined)
})

t.test('a file is opened by its bytes, the extension counts only for unrecognised binary', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-local-image-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const png = path.join(directory, 'named-wrongly.jpg')
  writeFileSync(png, drawPng(4, 3, [10, 20, 30], [200, 100, 50]))
  const opened = await openLocalImageFile(png)
  t.equal(opened?.contentType, 'image/png', 'the bytes win over the name')
  t.equal(opened?.bytes, drawPng(4, 3, [10, 20, 30], [200, 100, 50]).length)
  t.match(opened?.etag, /^"[0-9a-f]+-[0-9a-f]+"$/)

  const unknownBinary = path.join(directory, 'photo.webp')
  writeFileSync(unknownBinary, Buffer.from([0, 1, 2, 3, 250, 251]))
  t.equal((await openLocalImageFile(unknownBinary))?.contentType, 'image/webp', 'binary the sniffer does not know: by extension')
  const text = path.join(directory, 'secrets.png')
  writeFileSync(text, 'password=hunter2\n')
  t.equal(await openLocalImageFile(text), undefined, 'text is never served as an image')
  t.equal(await openLocalImageFile(path.join(directory, 'missing.png')), undefined)
  t.equal(await openLocalImageFile(directory), undefined, 'a directory')
})
