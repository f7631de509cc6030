/**
 * `/metrics` on its own port (`config.metrics.port`), so scrapes reach the exposition even when
 * the API port is saturated or sits behind an authenticating proxy. A bare `node:http` server:
 * it serves one path and nothing else.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { METRICS_PATH } from './http-metrics-plugin.js'
import type { Metrics } from './metrics.js'

export interface MetricsServer {
  readonly server: Server
  /** The bound port (useful with port 0). */
  readonly port: number
  close(): Promise<void>
}

export interface StartMetricsServerOptions {
  /** Anything that renders an exposition: an app's metrics, or the cluster primary's aggregate. */
  metrics: Pick<Metrics, 'render' | 'contentType'>
  host: string
  port: number
}

/** Starts listening; resolves once bound, rejects if the port cannot be bound. */
export const startMetricsServer = async (options: StartMetricsServerOptions): Promise<MetricsServer> => {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n')
      return
    }
    options.metrics.render().then(
      (body) => {
        response.writeHead(200, { 'content-type': options.metrics.contentType })
        response.end(request.method === 'HEAD' ? undefined : body)
      },
      () => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n')
      },
    )
  })
  // Scrapers keep connections alive; do not let an idle one hold shutdown.
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
  }
}
