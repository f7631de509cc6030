import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { HnswVectorStore } from '../../src/retrieval/hnsw-vector-store.js'
import { MemoryVectorStore } from '../../src/retrieval/memory-vector-store.js'
import { randomUnitVectors } from '../../src/retrieval/random-unit-vectors.js'
import type { ImageRecord } from '../../src/retrieval/vector-store.js'

const dimension = 32
const count = 3000
const vectors = randomUnitVectors(count, dimension, 21)
const records: ImageRecord[] = Array.from({ length: count }, (_, row) => ({ id: `img-${row}`, url: `u${row}`, caption: '', labels: row % 2 === 0 ? ['even'] : ['odd'] }))
const exact = new MemoryVectorStore({ vectors, dimension, records })
const approximate = HnswVectorStore.build({ vectors, dimension, records }, { m: 16, efConstruction: 100, efSearch: 64, seed: 5 })
const queries = randomUnitVectors(50, dimension, 22)

const recallAt10 = async (store: HnswVectorStore, ef?: number): Promise<number> => {
  let found = 0
  for (let index = 0; index < 50; index++) {
    const query = queries.subarray(index * dimension, (index + 1) * dimension)
    const truth = new Set((await exact.search(query, { k: 10 })).map((hit) => hit.record.id))
    const hits = await store.search(query, { k: 10, ...(ef === undefined ? {} : { ef }) })
    found += hits.filter((hit) => truth.has(hit.record.id)).length
  }
  return found / 500
}

t.test('HNSW Recall@10 against exact search stays above the floor on a fixed seed', async (t) => {
  const recall = await recallAt10(approximate, 128)
  t.ok(recall >= 0.95, `recall@10 = ${recall}`)
})

t.test('a larger ef does not lower recall, and scores are cosines', async (t) => {
  const narrow = await recallAt10(approximate, 10)
  const wide = await recallAt10(approximate, 256)
  t.ok(wide >= narrow, `ef 10: ${narrow}, ef 256: ${wide}`)
  const query = queries.subarray(0, dimension)
  const [hnswHit] = await approximate.search(query, { k: 1, ef: 256 })
  const [exactHit] = await exact.search(query, { k: 1 })
  t.equal(hnswHit?.record.id, exactHit?.record.id)
  t.ok(Math.abs((hnswHit?.score ?? 0) - (exactHit?.score ?? 1)) < 1e-5)
})

t.test('a graph written to disk loads back and answers the same', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-hnsw-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const file = path.join(directory, 'hnsw.bin')
  approximate.writeGraph(file)
  const loaded = HnswVectorStore.load(file, dimension, records, 64)
  const query = queries.subarray(dimension, 2 * dimension)
  t.same((await loaded.search(query, { k: 10, ef: 64 })).map((hit) => hit.record.id), (await approximate.search(query, { k: 10, ef: 64 })).map((hit) => hit.record.id))
  t.throws(() => HnswVectorStore.load(file, dimension, records.slice(1), 64), /metadata/)
})

t.test('the filter keeps only matching images', async (t) => {
  const hits = await approximate.search(queries.subarray(0, dimension), { k: 10, filter: { labels: 'odd' } })
  t.equal(hits.length, 10)
  t.ok(hits.every((hit) => hit.record.labels.includes('odd')))
})
