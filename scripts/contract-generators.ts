/**
 * The generated contracts committed in this repository, one entry each. `generate-contracts.ts`
 * writes them and `check-contracts.ts` (part of `npm test`) fails when a committed file differs
 * from what the sources produce now. Adding a contract is adding one entry to the list.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import openapiTS, { astToString } from 'openapi-typescript'
import pino from 'pino'
import { testConfig } from '../src/config.js'
import type { DriberCore } from '../src/core/driber-core.js'
import { ErrorCatalog, GrpcStatus } from '../src/errors.js'
import { createHttpApp } from '../src/http/create-http-app.js'
import { grpcTypesContract } from './grpc-types-generator.js'

export interface GeneratedFile {
  /** Path relative to the repository root. */
  path: string
  content: string
}

export interface ContractGenerator {
  name: string
  /** Files or directories (relative to the root) this contract owns: nothing else may live in an owned directory. */
  outputs: string[]
  /** Every file this contract owns, as the sources produce it now. */
  generate(): Promise<GeneratedFile[]>
}

/** The first line where two texts differ, with the two versions of it, or undefined when equal. */
export const firstDifference = (committed: string, generated: string): string | undefined => {
  if (committed === generated) return undefined
  const left = committed.split('\n')
  const right = generated.split('\n')
  let line = 0
  while (line < Math.max(left.length, right.length) && left[line] === right[line]) line++
  return [
    `  first difference at line ${line + 1}:`,
    `  - committed: ${left[line] ?? '(end of file)'}`,
    `  + generated: ${right[line] ?? '(end of file)'}`,
  ].join('\n')
}

/** The repository root (scripts/ sits in it). */
export const repositoryRoot: string = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')

/** Every file under `relative` (a file or a directory), as paths relative to `root`, sorted. */
export const listFiles = (root: string, relative: string): string[] => {
  const absolute = path.join(root, relative)
  if (!existsSync(absolute)) return []
  if (!statSync(absolute).isDirectory()) return [relative]
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort()
}

/**
 * Adapts a generator that writes its files under a given root (as code generators run as a
 * command do) to the list: it runs in a temporary directory and its outputs are read back.
 */
export const fromDirectoryWriter = (contract: {
  name: string
  outputs: string[]
  generate(outputRoot: string): void | Promise<void>
}): ContractGenerator => ({
  name: contract.name,
  outputs: contract.outputs,
  async generate() {
    const root = mkdtempSync(path.join(tmpdir(), 'driber-contracts-'))
    try {
      await contract.generate(root)
      return contract.outputs.flatMap((output) =>
        listFiles(root, output).map((file) => ({ path: file, content: readFileSync(path.join(root, file), 'utf8') })),
      )
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  },
})

/** JSON with object keys sorted at every level (arrays keep their order) and a trailing newline, so diffs stay stable. */
export const stableJson = (value: unknown): string => {
  const sort = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(sort)
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.keys(node)
          .sort()
          .map((key) => [key, sort((node as Record<string, unknown>)[key])]),
      )
    }
    return node
  }
  return `${JSON.stringify(sort(value), null, 2)}\n`
}

/** The spec is a function of the route schemas only, so the app is built with a core that is never called. */
const unusedCore = new Proxy({} as DriberCore, {
  get: (_target, property) => () => {
    throw new Error(`the OpenAPI generator does not call the core (${String(property)})`)
  },
})

export const openApiGenerator: ContractGenerator = {
  name: 'OpenAPI (HTTP route schemas)',
  outputs: ['openapi/driber.v1.json'],
  async generate() {
    const app = await createHttpApp({
      config: testConfig({ http: { docs: false } }),
      core: unusedCore,
      logger: pino({ level: 'silent' }),
      readiness: () => ({ status: 'not_ready', registry: false, draining: false, indexes: [], models: [] }),
      draining: () => false,
      version: 'v1',
    })
    try {
      await app.ready()
      return [{ path: 'openapi/driber.v1.json', content: stableJson(app.swagger()) }]
    } finally {
      await app.close()
    }
  },
}

const grpcStatusNames = new Map<number, string>(Object.entries(GrpcStatus).map(([name, value]) => [value, name]))

/** The README's error table, one row per catalog entry, in catalog order. */
export const errorTable = (): string =>
  [
    '| Code | HTTP | gRPC | Retryable | Meaning |',
    '| --- | --- | --- | --- | --- |',
    ...Object.values(ErrorCatalog).map(
      (entry) =>
        `| \`${entry.code}\` | ${entry.httpStatus} | ${grpcStatusNames.get(entry.grpcStatus) ?? entry.grpcStatus} | ${entry.retryable ? 'yes' : 'no'} | ${entry.message} |`,
    ),
  ].join('\n')

export const ERRORS_START = '<!-- errors:start -->'
export const ERRORS_END = '<!-- errors:end -->'

/** Replaces the README's error table (between the markers) with the catalog's; the rest of the README is left alone. */
export const readmeErrorsGenerator: ContractGenerator = {
  name: 'README error table (src/errors.ts)',
  outputs: ['README.md'],
  async generate() {
    const readme = readFileSync(path.join(repositoryRoot, 'README.md'), 'utf8')
    const start = readme.indexOf(ERRORS_START)
    const end = readme.indexOf(ERRORS_END)
    if (start < 0 || end < start) throw new Error(`README.md must contain ${ERRORS_START} and ${ERRORS_END} around the error table`)
    const content = `${readme.slice(0, start + ERRORS_START.length)}\n${errorTable()}\n${readme.slice(end)}`
    return [{ path: 'README.md', content }]
  },
}

export const CLIENT_TYPES_FILE = 'src/client/generated/driber-api.ts'

/**
 * The typed client's types (`paths`, `operations`, `components`), made by openapi-typescript from
 * the committed OpenAPI document. It reads the file the OpenAPI generator wrote just before it (in
 * `npm run generate`), so one command refreshes both; a stale document fails its own check first.
 */
export const clientTypesGenerator: ContractGenerator = {
  name: 'TypeScript client types (openapi-typescript)',
  outputs: ['src/client/generated'],
  async generate() {
    const document = JSON.parse(readFileSync(path.join(repositoryRoot, 'openapi/driber.v1.json'), 'utf8')) as Parameters<typeof openapiTS>[0]
    const header = [
      '// Generated by `npm run generate` from openapi/driber.v1.json with openapi-typescript. Do not edit:',
      '// change the route schemas in src/http/schemas, then regenerate (`npm run contracts:check` finds drift).',
      '',
    ].join('\n')
    return [{ path: CLIENT_TYPES_FILE, content: `${header}${astToString(await openapiTS(document))}` }]
  },
}

/** Every generated contract. One line per contract; the client types come after the OpenAPI document they read. */
export const contractGenerators: ContractGenerator[] = [openApiGenerator, clientTypesGenerator, readmeErrorsGenerator, fromDirectoryWriter(grpcTypesContract)]
