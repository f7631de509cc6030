-- driber image index on PostgreSQL with pgvector: one row per image, cosine HNSW over the
-- unit-length embeddings, a GIN index for label filters, and a small key/value table that
-- records which embedder and which index build filled the table.
--
-- driber applies this file itself at start (every statement is idempotent). To apply it by hand:
--   psql "$DATABASE_URL" -v table=driber_images -v meta_table=driber_images_meta \
--     -v embedding_index=driber_images_embedding_hnsw -v labels_index=driber_images_labels_gin \
--     -v dimension=512 -f migrations/001_images.sql

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE IF NOT EXISTS :"table" (
  -- Row order of the index file; keeps ties in the same order as the in-process backends.
  position integer NOT NULL,
  id text PRIMARY KEY,
  url text NOT NULL,
  caption text NOT NULL DEFAULT '',
  labels text[] NOT NULL DEFAULT '{}',
  embedding vector(:dimension) NOT NULL
);

-- pgvector's defaults (m = 16, ef_construction = 64); ef_search is set per query by driber.
CREATE INDEX IF NOT EXISTS :"embedding_index" ON :"table" USING hnsw (embedding vector_cosine_ops);

CREATE INDEX IF NOT EXISTS :"labels_index" ON :"table" USING gin (labels);

CREATE TABLE IF NOT EXISTS :"meta_table" (
  key text PRIMARY KEY,
  value text NOT NULL
);
