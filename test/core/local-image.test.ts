import { Readable } from 'node:stream'
import t from 'tap'
import { testConfig } from '../../src/config.js'
import { createCore } from '../../src/core/create-core.js'
import type { LocalImageFile } from '../../src/retrieval/image-index.js'
import { driberErrorOf } from '../support/driber-error-of.js'
import { ListIndex, indexSet, scriptedRouter } from '../support/scripted-chat-model.js'

/** An index whose only local image is `turtle`; it records the ids it was asked for. */
class LocalFilesIndex extends ListIndex {
  readonly asked: string[] = []
  async localImage(id: string): Promise<LocalImageFile | undefined> {
    this.asked.push(id)
    if (id !== 'turtle') return undefined
    return { contentType: 'image/png', bytes: 3, modified: new Date(0), etag: '"3-0"', open: () => Readable.from([Buffer.from('png')]) }
  }
}

const build = () => {
  const local = new LocalFilesIndex('local', [])
  const core = createCore({
    config: testConfig(),
    router: scriptedRouter([]),
    indexes: indexSet([local, new ListIndex('web', [])], ['broken']),
    models: { list: () => ({ models: [], embedders: [], aliases: {}, routes: {} }) },
  })
  return { core, local }
}

t.test('the file of a record is found by index name and id', async (t) => {
  const { core, local } = build()
  const file = await core.localImage({ index: 'local', id: 'turtle' })
  t.equal(file.contentType, 'image/png')
  t.same(local.asked, ['turtle'])
})

t.test('no file, no index, no name: typed errors', async (t) => {
  const { core } = build()
  t.match(await driberErrorOf(core.localImage({ index: 'local', id: 'dog' })), { code: 'DRIBER_IMAGE_NOT_FOUND', details: { index: 'local', id: 'dog' } })
  t.match(await driberErrorOf(core.localImage({ index: 'web', id: 'turtle' })), { code: 'DRIBER_IMAGE_NOT_FOUND' }, 'an index without local files')
  t.match(await driberErrorOf(core.localImage({ index: 'nowhere', id: 'turtle' })), { code: 'DRIBER_UNKNOWN_INDEX' })
  t.match(await driberErrorOf(core.localImage({ index: 'broken', id: 'turtle' })), { code: 'DRIBER_INDEX_UNAVAILABLE' })
  t.match(await driberErrorOf(core.localImage({ index: 'local', id: '' })), { code: 'DRIBER_INVALID_ARGUMENT', details: { field: 'id' } })
  t.match(await driberErrorOf(core.localImage({ index: ' ', id: 'turtle' })), { code: 'DRIBER_INVALID_ARGUMENT', details: { field: 'index' } })
})
