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
 * Inlined: driber's own modules and the ES module packages (TypeBox, the `openai` SDK, cockatiel,
 * the TypeBox type provider, openapi-fetch), whose per-file loading is the cost. Left in
 * node_modules: the CommonJS packages, because several read files beside their own sources
 * (`__dirname`: grpc-js's and the health and reflection services' protos, the Swagger UI assets,
 * pino's transports and worker threads) and the native and optional ones (hnswlib-node, pg) load
 * with `require` as they expect; CommonJS loading is cheap next to ES module loading on Node 20.
 * Every module-relative path in driber itself (`projectRoot`, `createRequire(import.meta.url)`)
 * walks up from the file's own URL, so it resolves the same from `dist/`, `dist/chunks/` and `src/`.
 */
import { build, type BuildOptions } from 'esbuild'
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outdir = path.join(projectRoot, 'dist')

/** What users run, by output file under `dist/` (without `.js`) -> its source. */
export const BUNDLE_ENTRIES: Readonly<Record<string, string>> = { server: 'src/server.ts', 'cli/main': 'src/cli/main.ts' }

/** Packages bundled into the output; every other dependency stays an `import` of node_modules. */
export const INLINED_PACKAGES: readonly string[] = ['typebox', 'openai', 'cockatiel', '@fastify/type-provider-typebox', 'openapi-fetch']

const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
const external = Object.keys(manifest.dependencies).filter((name) => !INLINED_PACKAGES.includes(name))

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Lazy `import()`s stay lazy: each becomes a chunk loaded on first use.
  splitting: true,
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  external,
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
  metafile: true,
}

/** Empties `dist/` and writes the server and CLI bundles; resolves to the files written. */
export const bundleDist = async (): Promise<string[]> => {
  rmSync(outdir, { recursive: true, force: true })
  // Two builds, not one with two entries: the server's own code must stay in `dist/server.js`
  // (its "am I the main module" check compares `import.meta.url` with argv[1]), and a shared
  // build would move it into a chunk the CLI's `serve` command also imports.
  const results = await Promise.all(Object.entries(BUNDLE_ENTRIES).map(([out, source]) => build({ ...common, entryPoints: { [out]: path.join(projectRoot, source) } })))
  return results.flatMap((result) => Object.keys(result.metafile?.outputs ?? {})).filter((file) => file.endsWith('.js'))
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const files = await bundleDist()
  process.stdout.write(`bundled ${files.length} files into dist/\n`)
}
