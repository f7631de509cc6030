/**
 * The pgvector backend: images in a PostgreSQL table with an HNSW cosine index, queried through
 * the ordinary `pg` wire client, so the same code serves any Postgres with pgvector by
 * connection string (tests use PGlite with its bundled pgvector behind a socket server).
 *
 * At open the migration (`migrations/001_images.sql`) is applied, and the table is filled from
 * the configured index file when the meta table says it holds another build: the sha256 of the
 * index's data is the build's identity, so restarts of many replicas do not reload the data.
 */
import { readFileSync } from 'node:fs'
import { projectRoot } from '../config.js'
import { DriberError } from '../errors.js'
import { compileFilter } from './metadata-filter.js'
import type { ImageRecord, StoreHit, StoreSearchOptions, VectorStore } from './vector-store.js'
import path from 'node:path'

/** The part of `pg.PoolClient` this store uses. */
export interface SqlConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
  release(error?: Error | boolean): void
}

/** The part of `pg.Pool` this store uses; `pg.Pool` satisfies it as is. */
export interface SqlPool {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
  connect(): Promise<SqlConnection>
  end(): Promise<void>
}

export const MIGRATION_FILE = path.join('migrations', '001_images.sql')
const ROWS_PER_INSERT = 500

export interface PgvectorNames {
  table: string
  metaTable: string
  embeddingIndex: string
  labelsIndex: string
}

export const pgvectorNames = (table: string): PgvectorNames => {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(table) || table.length > 40) throw new DriberError('CONFIG_INVALID', { message: `pgvector table name "${table}" must be a plain identifier of at most 40 characters` })
  return { table, metaTable: `${table}_meta`, embeddingIndex: `${table}_embedding_hnsw`, labelsIndex: `${table}_labels_gin` }
}

/** The migration's statements with its psql variables filled in (identifiers are validated, then quoted). */
export const renderMigration = (names: PgvectorNames, dimension: number, sql = readFileSync(path.join(projectRoot, MIGRATION_FILE), 'utf8')): string[] => {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 16_000) throw new DriberError('CONFIG_INVALID', { message: `pgvector dimension ${dimension} is out of range` })
  const variables: Record<string, string> = {
    table: names.table,
    meta_table: names.metaTable,
    embedding_index: names.embeddingIndex,
    labels_index: names.labelsIndex,
  }
  const rendered = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .replace(/:"([a-z_]+)"/g, (_match, name: string) => {
      const value = variables[name]
      if (value === undefined) throw new DriberError('INTERNAL', { message: `${MIGRATION_FILE} uses an unknown variable ${name}` })
      return `"${value}"`
    })
    .replace(/:dimension\b/g, String(dimension))
  return rendered
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0)
}

/** pgvector's text form of a vector. */
export const vectorLiteral = (vector: ArrayLike<number>): string => `[${Array.prototype.join.call(vector, ',')}]`

export interface PgvectorSource {
  /** Identity of the build (e.g. the sha256 of its vectors file). */
  build: string
  vectors: Float32Array
  records: ImageRecord[]
}

export interface OpenPgvectorOptions {
  pool: SqlPool
  table: string
  embedder: string
  dimension: number
  /** Fill the table from these when it holds another build; omit to serve what the table holds. */
  source?: PgvectorSource
  efSearch: number
  onNotice?: (message: string) => void
}

export class PgvectorVectorStore implements VectorStore {
  readonly backend = 'pgvector' as const
  readonly dimension: number
  readonly #pool: SqlPool
  readonly #names: PgvectorNames
  readonly #efSearch: number
  readonly #size: number

  private constructor(pool: SqlPool, names: PgvectorNames, dimension: number, efSearch: number, size: number) {
    this.#pool = pool
    this.#names = names
    this.dimension = dimension
    this.#efSearch = efSearch
    this.#size = size
  }

  /** Applies the migration, checks the table belongs to this embedder and dimension, loads the source if needed. */
  static async open(options: OpenPgvectorOptions): Promise<PgvectorVectorStore> {
    const names = pgvectorNames(options.table)
    const notice = options.onNotice ?? (() => {})
    for (const statement of renderMigration(names, options.dimension)) await options.pool.query(statement)

    const columnType = await options.pool.query(
      `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'embedding'`,
      [`"${names.table}"`],
    )
    const type = String(columnType.rows[0]?.type ?? '')
    if (type !== `vector(${options.dimension})`) {
      throw new DriberError('INDEX_MISMATCH', {
        message: `Table ${names.table} stores ${type || 'no embedding column'}, but this index has ${options.dimension}-dimensional vectors; use another table or drop it`,
        details: { table: names.table, column: type, dimension: options.dimension },
      })
    }
    const meta = new Map<string, string>()
    for (const row of (await options.pool.query(`SELECT key, value FROM "${names.metaTable}"`)).rows) meta.set(String(row.key), String(row.value))
    const storedEmbedder = meta.get('embedder')

    if (options.source !== undefined && (meta.get('build') !== options.source.build || storedEmbedder !== options.embedder)) {
      notice(`loading ${options.source.records.length} images into ${names.table}`)
      await load(options.pool, names, options.embedder, options.source)
    } else if (storedEmbedder !== undefined && storedEmbedder !== options.embedder) {
      throw new DriberError('INDEX_MISMATCH', {
        message: `Table ${names.table} was filled with embedder "${storedEmbedder}" but is configured with "${options.embedder}"`,
        details: { table: names.table, built: storedEmbedder, configured: options.embedder },
      })
    }
    const count = Number((await options.pool.query(`SELECT count(*)::int AS count FROM "${names.table}"`)).rows[0]?.count ?? 0)
    return new PgvectorVectorStore(options.pool, names, options.dimension, options.efSearch, count)
  }

  get size(): number {
    return this.#size
  }

  async search(query: Float32Array, options: StoreSearchOptions): Promise<StoreHit[]> {
    const values: unknown[] = [vectorLiteral(query), Math.min(options.k, Math.max(this.#size, 1))]
    const conditions = compileFilter(options.filter).map((clause) => {
      values.push(clause.value)
      return clause.field === 'labels' ? `$${values.length} = ANY(labels)` : `${clause.field} = $${values.length}`
    })
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`
    const sql = `SELECT id, url, caption, labels, 1 - (embedding <=> $1::vector) AS score FROM "${this.#names.table}" ${where} ORDER BY embedding <=> $1::vector, position LIMIT $2`
    // ef_search is per session in pgvector: set it for this transaction only, on the connection that runs the query.
    const connection = await this.#pool.connect()
    try {
      await connection.query('BEGIN')
      await connection.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(Math.max(options.ef ?? this.#efSearch, options.k))])
      const result = await connection.query(sql, values)
      await connection.query('COMMIT')
      connection.release()
      return result.rows.map((row) => ({
        record: { id: String(row.id), url: String(row.url), caption: String(row.caption), labels: (row.labels as string[] | null) ?? [] },
        score: Number(row.score),
      }))
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => {})
      connection.release(error instanceof Error ? error : true)
      throw new DriberError('INDEX_UNAVAILABLE', { message: `pgvector query on ${this.#names.table} failed`, cause: error })
    }
  }

  async close(): Promise<void> {
    await this.#pool.end()
  }
}

/** Replaces the table's rows with the source, in one transaction, and records the build in the meta table. */
const load = async (pool: SqlPool, names: PgvectorNames, embedder: string, source: PgvectorSource): Promise<void> => {
  const dimension = source.records.length === 0 ? 0 : source.vectors.length / source.records.length
  const connection = await pool.connect()
  try {
    await connection.query('BEGIN')
    // Replicas starting together: one loads, the others wait here and then find the build recorded.
    await connection.query('SELECT pg_advisory_xact_lock(hashtext($1))', [names.table])
    const current = await connection.query(`SELECT value FROM "${names.metaTable}" WHERE key = 'build'`)
    const currentEmbedder = await connection.query(`SELECT value FROM "${names.metaTable}" WHERE key = 'embedder'`)
    if (current.rows[0]?.value === source.build && currentEmbedder.rows[0]?.value === embedder) {
      await connection.query('COMMIT')
      connection.release()
      return
    }
    await connection.query(`DELETE FROM "${names.table}"`)
    for (let start = 0; start < source.records.length; start += ROWS_PER_INSERT) {
      const end = Math.min(start + ROWS_PER_INSERT, source.records.length)
      const values: unknown[] = []
      const tuples: string[] = []
      for (let row = start; row < end; row++) {
        const record = source.records[row] as ImageRecord
        const base = values.length
        values.push(row, record.id, record.url, record.caption, record.labels, vectorLiteral(source.vectors.subarray(row * dimension, (row + 1) * dimension)))
        tuples.push(`($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}::vector)`)
      }
      await connection.query(`INSERT INTO "${names.table}" (position, id, url, caption, labels, embedding) VALUES ${tuples.join(', ')}`, values)
    }
    for (const [key, value] of [['embedder', embedder], ['build', source.build], ['dimension', String(dimension)]] as const) {
      await connection.query(`INSERT INTO "${names.metaTable}" (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [key, value])
    }
    await connection.query('COMMIT')
    connection.release()
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => {})
    connection.release(error instanceof Error ? error : true)
    throw error
  }
}
