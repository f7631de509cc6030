/**
 * `/playground`: a page for trying the API by hand, served by the service itself so it works
 * offline and behind the same address as the API. Its few files (plain HTML, CSS and ES modules
 * under `public/playground/`, no build step) are read once at start and answered from memory: a
 * fixed list, so no request names a file. The page holds no secret; the API calls it makes carry
 * the key typed into it, so `/playground` is an open path by default.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { projectRoot } from '../../config.js'
import { DriberError } from '../../errors.js'

/** Where the page's files live: beside `src/` and `dist/` alike, and copied into the container image. */
export const PLAYGROUND_DIRECTORY = path.join(projectRoot, 'public', 'playground')

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/**
 * Scripts and styles only from here; API calls only to this origin; images also from the web
 * (indexes may hold web urls) and from blob: (local images fetched with the key).
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' https: http: blob: data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

interface PlaygroundFile {
  body: Buffer
  contentType: string
  etag: string
}

/** Every servable file of the directory, by name (no subdirectories, nothing but the listed types). */
export const loadPlaygroundFiles = (directory: string = PLAYGROUND_DIRECTORY): Map<string, PlaygroundFile> => {
  const files = new Map<string, PlaygroundFile>()
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const contentType = CONTENT_TYPES[path.extname(entry.name)]
    if (!entry.isFile() || contentType === undefined) continue
    const body = readFileSync(path.join(directory, entry.name))
    files.set(entry.name, { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` })
  }
  if (!files.has('index.html')) throw new DriberError('CONFIG_INVALID', { message: `The playground has no index.html in ${directory}` })
  return files
}

export interface PlaygroundRouteOptions {
  directory?: string
}

export const playgroundRoutes: FastifyPluginAsync<PlaygroundRouteOptions> = async (app, options) => {
  const files = loadPlaygroundFiles(options.directory)
  const send = (file: PlaygroundFile, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    reply
      .header('content-security-policy', PLAYGROUND_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      // Revalidate every time (a 304 is cheap): an upgraded service must never run an old page.
      .header('cache-control', 'no-cache')
      .header('etag', file.etag)
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send()
    return reply.type(file.contentType).send(file.body)
  }
  const hidden = { schema: { hide: true } }
  // Relative links in the page resolve under /playground/ (so it also works behind a path prefix).
  app.get('/playground', hidden, async (_request, reply) => reply.redirect('playground/', 301))
  app.get('/playground/', hidden, async (request, reply) => send(files.get('index.html') as PlaygroundFile, request, reply))
  app.get<{ Params: { file: string } }>('/playground/:file', hidden, async (request, reply) => {
    const file = files.get(request.params.file)
    if (file === undefined) throw new DriberError('ROUTE_NOT_FOUND', { message: `The playground has no file ${request.params.file}` })
    return send(file, request, reply)
  })
}
