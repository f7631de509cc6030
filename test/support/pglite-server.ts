/**
 * An in-process PostgreSQL with pgvector for offline tests: PGlite (WASM Postgres with its bundled
 * vector extension) behind pglite-socket's wire-protocol server on 127.0.0.1:0, so the code under
 * test talks to it with the ordinary `pg` client, exactly as to any Postgres.
 */
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite/vector'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

export interface PgliteServer {
  connectionString: string
  database: PGlite
  close(): Promise<void>
}

export const startPgliteServer = async (maxConnections = 4): Promise<PgliteServer> => {
  const database = await PGlite.create({ extensions: { vector } })
  const server = new PGLiteSocketServer({ db: database, port: 0, host: '127.0.0.1', maxConnections })
  await server.start()
  return {
    connectionString: `postgres://postgres:postgres@${server.getServerConn()}/postgres`,
    database,
    close: async () => {
      await server.stop()
      await database.close()
    },
  }
}
