import pg from 'pg'
import t from 'tap'
import { MemoryVectorStore } from '../../src/retrieval/memory-vector-store.js'
import { PgvectorVectorStore, pgvectorNames, renderMigration, type SqlPool } from '../../src/retrieval/pgvector-vector-store.js'
import { randomUnitVectors } from '../../src/retrieval/random-unit-vectors.js'
import type { ImageRecord } from '../../src/retrieval/vector-store.js'
import { startPgliteServer } from '../support/pglite-server.js'

const server = await startPgliteServer()
t.teardown(() => server.close())
const newPool = (): SqlPool => {
  const pool = new pg.Pool({ connectionString: server.connectionString, max: 2 })
  return pool as unknown as SqlPool
}

const dimension = 16
const count = 150
const vectors = randomUnitVectors(count, dimension, 31)
const records: ImageRecord[] = Array.from({ length: count }, (_, row) => ({ id: `img-${row}`, url: `https://img.test/${row}`, caption: `caption ${row}`, labels: row % 4 === 0 ? ['beach', 'sea'] : ['city'] }))
const exact = new MemoryVectorStore({ vectors, dimension, records })
const queries = randomUnitVectors(10, dimension, 32)

t.test('the migration renders with quoted identifiers and the dimension', async (t) => {
  const statements = renderMigration(pgvectorNames('gallery'), 512)
  t.ok(statements.some((statement) => statement.includes('CREATE TABLE IF NOT EXISTS "gallery"') && statement.includes('vector(512)')))
  t.ok(statements.some((statement) => statement.includes('"gallery_embedding_hnsw" ON "gallery" USING hnsw (embedding vector_cosine_ops)')))
  t.notOk(statements.some((statement) => statement.includes(':')), 'every psql variable is filled')
  t.throws(() => pgvectorNames('bad name; drop table x'), { code: 'DRIBER_CONFIG_INVALID' })
})

t.test('pgvector over the pg wire client returns the same top k as exact search', async (t) => {
  const pool = newPool()
  const store = await PgvectorVectorStore.open({ pool, table: 'images_same', embedder: 'e1', dimension, source: { build: 'b1', vectors, records }, efSearch: 200 })
  t.teardown(() => store.close())
  t.equal(store.size, count)
  for (let index = 0; index < 10; index++) {
    const query = queries.subarray(index * dimension, (index + 1) * dimension)
    const expected = await exact.search(query, { k: 10 })
    const hits = await store.search(query, { k: 10, ef: 200 })
    t.same(hits.map((hit) => hit.record.id), expected.map((hit) => hit.record.id), `query ${index}`)
    hits.forEach((hit, rank) => t.ok(Math.abs(hit.score - (expected[rank]?.score ?? 9)) < 1e-4))
  }
  const [first] = await store.search(queries.subarray(0, dimension), { k: 1 })
  t.same(first?.record, (await exact.search(queries.subarray(0, dimension), { k: 1 }))[0]?.record, 'records round-trip with labels')
})

t.test('filters run in SQL and match the exact backend', async (t) => {
  const pool = newPool()
  const store = await PgvectorVectorStore.open({ pool, table: 'images_filter', embedder: 'e1', dimension, source: { build: 'b1', vectors, records }, efSearch: 200 })
  t.teardown(() => store.close())
  const query = queries.subarray(0, dimension)
  const hits = await store.search(query, { k: 5, ef: 400, filter: { labels: 'beach' } })
  t.same(hits.map((hit) => hit.record.id), (await exact.search(query, { k: 5, filter: { labels: 'beach' } })).map((hit) => hit.record.id))
  t.same((await store.search(query, { k: 5, filter: { id: 'img-7' } })).map((hit) => hit.record.id), ['img-7'])
  await t.rejects(store.search(query, { k: 5, filter: { colour: 'red' } }), { code: 'DRIBER_INVALID_ARGUMENT' })
})

t.test('a table keeps its build across restarts and refuses another embedder', async (t) => {
  const first = await PgvectorVectorStore.open({ pool: newPool(), table: 'images_meta', embedder: 'e1', dimension, source: { build: 'b1', vectors, records }, efSearch: 40 })
  await first.close()
  const notices: string[] = []
  const again = await PgvectorVectorStore.open({ pool: newPool(), table: 'images_meta', embedder: 'e1', dimension, source: { build: 'b1', vectors, records }, efSearch: 40, onNotice: (message) => notices.push(message) })
  t.same(notices, [], 'same build: nothing reloaded')
  await again.close()
  const served = await PgvectorVectorStore.open({ pool: newPool(), table: 'images_meta', embedder: 'e1', dimension, efSearch: 40 })
  t.equal(served.size, count, 'without a source it serves what the table holds')
  await served.close()
  const pool = newPool()
  t.teardown(() => pool.end())
  await t.rejects(PgvectorVectorStore.open({ pool, table: 'images_meta', embedder: 'e2', dimension, efSearch: 40 }), { code: 'DRIBER_INDEX_MISMATCH', message: /"e1".*"e2"/ })
  await t.rejects(PgvectorVectorStore.open({ pool, table: 'images_meta', embedder: 'e1', dimension: 8, efSearch: 40 }), { code: 'DRIBER_INDEX_MISMATCH', message: /vector\(16\)/ })
})

t.test('a new build replaces the rows', async (t) => {
  const store1 = await PgvectorVectorStore.open({ pool: newPool(), table: 'images_reload', embedder: 'e1', dimension, source: { build: 'b1', vectors, records }, efSearch: 40 })
  await store1.close()
  const store2 = await PgvectorVectorStore.open({ pool: newPool(), table: 'images_reload', embedder: 'e1', dimension, source: { build: 'b2', vectors: vectors.subarray(0, 10 * dimension), records: records.slice(0, 10) }, efSearch: 40 })
  t.teardown(() => store2.close())
  t.equal(store2.size, 10)
})
