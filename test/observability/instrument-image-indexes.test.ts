import t from 'tap'
import { DriberError } from '../../src/errors.js'
import { instrumentImageIndexes } from '../../src/observability/instrument-image-indexes.js'
import { createMetrics } from '../../src/observability/metrics.js'
import type { ImageIndex, ImageIndexes } from '../../src/retrieval/image-index.js'

/** A small in-memory index: finds captions sharing a word with a description; "explode" fails. */
class WordIndex implements ImageIndex {
  readonly embedderId = 'words'
  #closed = false
  constructor(readonly name: string, private readonly captions: string[]) {}
  get size(): number {
    return this.captions.length
  }
  async search(descriptions: string[]) {
    if (descriptions.includes('explode')) throw new DriberError('INDEX_UNAVAILABLE')
    const words = new Set(descriptions.flatMap((text) => text.toLowerCase().split(/\W+/)))
    return this.captions
      .map((caption, position) => ({ id: String(position), url: `https://img.example/${position}`, caption, score: caption.split(' ').filter((word) => words.has(word)).length }))
      .filter((result) => result.score > 0)
  }
  async close(): Promise<void> {
    this.#closed = true
  }
  get closed(): boolean {
    return this.#closed
  }
}

t.test('searches are timed per index and outcome, results and errors pass through', async (t) => {
  const index = new WordIndex('gallery', ['a red bicycle', 'a sleeping cat'])
  const indexes: ImageIndexes & { closeAll(): Promise<void> } = {
    defaultName: 'gallery',
    get: (name) => {
      if (name !== undefined && name !== 'gallery') throw new DriberError('UNKNOWN_INDEX')
      return index
    },
    names: () => ['gallery'],
    status: () => [{ name: 'gallery', ready: true, size: index.size }],
    closeAll: () => index.close(),
  }
  const metrics = createMetrics({ collectDefault: false })
  const instrumented = instrumentImageIndexes(indexes, metrics) as typeof indexes

  const results = await instrumented.get().search(['sleeping cat'], { k: 5, signal: new AbortController().signal, requestId: 'r' })
  t.same(results.map((result) => result.caption), ['a sleeping cat'])
  await t.rejects(instrumented.get('gallery').search(['explode'], { k: 5, signal: new AbortController().signal, requestId: 'r' }), { code: 'DRIBER_INDEX_UNAVAILABLE' })
  t.throws(() => instrumented.get('other'), { code: 'DRIBER_UNKNOWN_INDEX' })
  t.equal(instrumented.get(), instrumented.get(), 'one wrapper per index')
  t.equal(instrumented.get().size, 2)
  t.equal(instrumented.defaultName, 'gallery')
  t.same(instrumented.names(), ['gallery'])

  const text = await metrics.render()
  t.match(text, /driber_retrieval_search_duration_seconds_count\{index="gallery",outcome="ok"\} 1/)
  t.match(text, /driber_retrieval_search_duration_seconds_count\{index="gallery",outcome="error"\} 1/)

  await instrumented.closeAll()
  t.ok(index.closed, 'members beyond the interface still reach the real object')
})
