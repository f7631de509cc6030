import t from 'tap'
import { testConfig } from '../../src/config.js'
import { createCore } from '../../src/core/create-core.js'
import type { ImageResult } from '../../src/core/types.js'
import { DriberError } from '../../src/errors.js'
import type { ImageIndex, ImageIndexes } from '../../src/retrieval/image-index.js'
import { ListIndex, indexSet, recordingObserver, scriptedRouter, testContext } from '../support/scripted-chat-model.js'
import { driberErrorOf } from '../support/driber-error-of.js'

const images: ImageResult[] = Array.from({ length: 12 }, (_, index) => ({
  id: `img-${index}`,
  url: `https://images.example/${index}.jpg`,
  caption: `caption ${index}`,
  score: 1 - index / 100,
}))

const build = (indexes: ImageIndexes) => {
  const recorder = recordingObserver()
  const core = createCore({
    config: testConfig({ limits: { maxK: 10, maxDescriptions: 2, maxDescriptionChars: 50 } }),
    router: scriptedRouter([]),
    indexes,
    models: { list: () => ({ models: [], embedders: [], aliases: {}, routes: {} }) },
    observer: recorder.observer,
  })
  return { core, recorder }
}

t.test('top-k from the default index, k defaulting to 5', async (t) => {
  const index = new ListIndex('photos', images)
  const { core, recorder } = build(indexSet([index, new ListIndex('other', [])]))
  const scope = testContext()
  t.teardown(scope.dispose)
  const result = await core.retrieve({ descriptions: ['An image of a dog'] }, scope.context)
  t.equal(result.index, 'photos')
  t.same(result.results.map((image) => image.id), ['img-0', 'img-1', 'img-2', 'img-3', 'img-4'])
  t.same(index.queries, [['An image of a dog']])
  t.equal((await core.retrieve({ descriptions: ['x'], k: 10 }, scope.context)).results.length, 10)
  t.match(recorder.of('stageDone'), [{ stage: 'retrieve', model: 'photos', outcome: 'ok' }, { stage: 'retrieve' }])
})

t.test('a named index is used', async (t) => {
  const other = new ListIndex('other', images.slice(3))
  const { core } = build(indexSet([new ListIndex('photos', images), other]))
  const scope = testContext()
  t.teardown(scope.dispose)
  const result = await core.retrieve({ descriptions: ['x'], k: 1, index: 'other' }, scope.context)
  t.same([result.index, result.results[0]?.id], ['other', 'img-3'])
})

t.test('bad input is INVALID_ARGUMENT before the index is asked', async (t) => {
  const index = new ListIndex('photos', images)
  const { core } = build(indexSet([index]))
  const scope = testContext()
  t.teardown(scope.dispose)
  for (const input of [{ descriptions: [] }, { descriptions: ['a', 'b', 'c'] }, { descriptions: ['x'.repeat(51)] }, { descriptions: ['x'], k: 11 }, { descriptions: ['x'], k: 0 }, { descriptions: ['x'], index: '' }]) {
    t.equal((await driberErrorOf(core.retrieve(input as never, scope.context))).kind, 'INVALID_ARGUMENT', JSON.stringify(input).slice(0, 50))
  }
  t.same(index.queries, [])
})

t.test('no usable index: typed errors, never a crash', async (t) => {
  const scope = testContext()
  t.teardown(scope.dispose)
  const { core } = build(indexSet([new ListIndex('photos', images)], ['broken']))
  t.equal((await driberErrorOf(core.retrieve({ descriptions: ['x'], index: 'missing' }, scope.context))).kind, 'UNKNOWN_INDEX')
  t.equal((await driberErrorOf(core.retrieve({ descriptions: ['x'], index: 'broken' }, scope.context))).kind, 'INDEX_UNAVAILABLE')

  const empty = build(indexSet([], []))
  t.equal((await driberErrorOf(empty.core.retrieve({ descriptions: ['x'] }, scope.context))).kind, 'UNKNOWN_INDEX')

  const throwing: ImageIndexes = {
    defaultName: 'photos',
    get: () => {
      throw new Error('file not found')
    },
    names: () => [],
    status: () => [],
  }
  t.equal((await driberErrorOf(build(throwing).core.retrieve({ descriptions: ['x'] }, scope.context))).kind, 'INDEX_UNAVAILABLE')

  const noEmbedder: ImageIndex = {
    name: 'photos',
    embedderId: 'gone',
    size: 1,
    search: async () => {
      throw new DriberError('EMBEDDER_UNAVAILABLE')
    },
  }
  t.equal((await driberErrorOf(build(indexSet([noEmbedder])).core.retrieve({ descriptions: ['x'] }, scope.context))).kind, 'EMBEDDER_UNAVAILABLE')
})

t.test('a hanging index cannot outlive the request', async (t) => {
  const hanging: ImageIndex = { name: 'photos', embedderId: 'e', size: 1, search: () => new Promise(() => {}) }
  const { core } = build(indexSet([hanging]))
  const scope = testContext(60)
  t.teardown(scope.dispose)
  t.equal((await driberErrorOf(core.retrieve({ descriptions: ['x'] }, scope.context))).kind, 'DEADLINE_EXCEEDED')
})

t.test('filter and ef reach the index as given; absent or empty ones are not passed', async (t) => {
  const index = new ListIndex('photos', images)
  const { core } = build(indexSet([index]))
  const scope = testContext()
  t.teardown(scope.dispose)
  await core.retrieve({ descriptions: ['a dog'], filter: { labels: 'dog', url: 'https://images.example/1.jpg' }, ef: 200 }, scope.context)
  await core.retrieve({ descriptions: ['a dog'], filter: {} }, scope.context)
  await core.retrieve({ descriptions: ['a dog'] }, scope.context)
  t.same(index.tunings, [{ filter: { labels: 'dog', url: 'https://images.example/1.jpg' }, ef: 200 }, {}, {}])
})

t.test('a malformed filter or ef is INVALID_ARGUMENT naming the field, before the index is searched', async (t) => {
  const index = new ListIndex('photos', images)
  const { core } = build(indexSet([index]))
  const scope = testContext()
  t.teardown(scope.dispose)
  for (const [input, field] of [
    [{ ef: 0 }, 'ef'],
    [{ ef: 2.5 }, 'ef'],
    [{ filter: ['dog'] }, 'filter'],
    [{ filter: { labels: 3 } }, 'filter.labels'],
  ] as const) {
    const error = await driberErrorOf(core.retrieve({ descriptions: ['a dog'], ...input } as never, scope.context))
    t.equal(error.kind, 'INVALID_ARGUMENT', JSON.stringify(input))
    t.equal(error.details?.field, field)
  }
  t.same(index.queries, [], 'the index was never asked')
})
