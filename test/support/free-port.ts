import { createServer } from 'node:net'

/**
 * A TCP port free on 127.0.0.1 right now, for servers that must be told a port rather than bind
 * port 0 and report it (Prometheus; a `DRIBER_WORKERS` cluster, whose workers share the ports).
 * Another process could take it before it is used; the tests accept that small race.
 */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
