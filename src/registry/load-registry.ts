/**
 * The registry file -> validated `RegistryData`. Validation reports every problem at once, each
 * with its path in the file (`models[2].scale: ...`) and, when read from YAML, its line, so an
 * operator fixes a broken registry in one pass instead of one error per restart.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Settings } from 'typebox/system'
import { Value } from 'typebox/value'
import { LineCounter, parseDocument, type Document } from 'yaml'
import type { SecretLookup } from '../config.js'
import { resolveDataPath } from '../config.js'
import { SCALES } from '../core/types.js'
import { DriberError } from '../errors.js'
import { RegistrySchema, routeEntryName, type RegistryData, type RouteEntry } from './registry-schema.js'

export interface ParseRegistryOptions {
  /**
   * When given, every `api_key_env` must name a variable that is set (non-empty). Only the variable's
   * name ever appears in an error, never its value.
   */
  secrets?: SecretLookup
  /** Where the data came from, for messages (a file path). */
  source?: string
}

/** One schema error, as TypeBox reports it (only the fields we read). */
interface SchemaError {
  keyword: string
  instancePath: string
  message: string
  params: Record<string, unknown>
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/

/** `/models/2/scale` -> `models[2].scale`; the root is `registry`. */
export const formatPath = (segments: ReadonlyArray<string | number>): string => {
  let out = ''
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out === '' ? 'registry' : out
}

const pointerSegments = (pointer: string): Array<string | number> =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment))

/** A problem found in the registry, located by its path in the data. */
interface Problem {
  segments: Array<string | number>
  message: string
}

/**
 * Turns TypeBox's errors into one readable problem per path: a union of literals becomes
 * "must be one of a|b|c" rather than five "must be equal to constant" lines.
 */
const schemaProblems = (errors: SchemaError[]): Problem[] => {
  const byPath = new Map<string, SchemaError[]>()
  for (const error of errors) {
    const list = byPath.get(error.instancePath) ?? []
    list.push(error)
    byPath.set(error.instancePath, list)
  }
  const problems: Problem[] = []
  const pointers = [...byPath.keys()]
  for (const [pointer, list] of byPath) {
    const segments = pointerSegments(pointer)
    // A union (a route entry is an id or {model, min_confidence}) also reports the branch the value
    // did not take ("must be string"); when an error inside the value says what is wrong, that one is enough.
    if (list.every((error) => error.keyword === 'type' || error.keyword === 'anyOf') && pointers.some((other) => other.startsWith(`${pointer}/`))) continue
    const constants = list.filter((error) => error.keyword === 'const').map((error) => String(error.params.allowedValue))
    if (constants.length > 0) {
      problems.push({ segments, message: `must be one of ${constants.join('|')}` })
      continue
    }
    for (const error of list) {
      if (error.keyword === 'anyOf') continue
      if (error.keyword === 'boolean') {
        problems.push({ segments, message: 'is not a known field' })
        continue
      }
      // Reported per field through the `boolean` errors above.
      if (error.keyword === 'additionalProperties') continue
      if (error.keyword === 'required') {
        const missing = (error.params.requiredProperties as string[] | undefined) ?? []
        for (const name of missing) problems.push({ segments: [...segments, name], message: 'is required' })
        continue
      }
      problems.push({ segments, message: error.message })
    }
  }
  return problems
}

/** Registry files are small and written by operators: report every error, not TypeBox's default first eight. */
const MAX_REGISTRY_ERRORS = 500

const allErrors = (value: unknown): SchemaError[] => {
  const previous = Settings.Get().maxErrors
  // Synchronous, so no other validation can observe the raised limit.
  Settings.Set({ maxErrors: MAX_REGISTRY_ERRORS })
  try {
    return [...Value.Errors(RegistrySchema, value)] as unknown as SchemaError[]
  } finally {
    Settings.Set({ maxErrors: previous })
  }
}

const isSet = (secrets: SecretLookup, name: string): boolean => {
  const value = secrets(name)
  return value !== undefined && value !== ''
}

const checkUrl = (value: string): string | undefined => {
  try {
    const url = new URL(value)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL'
    return undefined
  } catch {
    return 'must be an absolute URL such as http://localhost:11434/v1'
  }
}

/** The checks a schema cannot express: uniqueness, references between sections, secrets present. */
const crossCheck = (data: RegistryData, options: ParseRegistryOptions): Problem[] => {
  const problems: Problem[] = []
  const scales = new Set<string>(SCALES)
  const modelIds = new Map<string, number>()
  data.models.forEach((model, index) => {
    const first = modelIds.get(model.id)
    if (first !== undefined) problems.push({ segments: ['models', index, 'id'], message: `duplicate model id "${model.id}" (also models[${first}])` })
    else modelIds.set(model.id, index)
    if (scales.has(model.id)) problems.push({ segments: ['models', index, 'id'], message: `"${model.id}" is a scale name and cannot be a model id` })
  })
  const embedderIds = new Map<string, number>()
  data.embedders.forEach((embedder, index) => {
    const first = embedderIds.get(embedder.id)
    if (first !== undefined) problems.push({ segments: ['embedders', index, 'id'], message: `duplicate embedder id "${embedder.id}" (also embedders[${first}])` })
    else embedderIds.set(embedder.id, index)
  })

  for (const [section, entries] of [['models', data.models], ['embedders', data.embedders]] as const) {
    entries.forEach((entry, index) => {
      if (entry.provider === 'openai') {
        if (entry.base_url === undefined) problems.push({ segments: [section, index, 'base_url'], message: 'is required for provider openai' })
        else {
          const urlProblem = checkUrl(entry.base_url)
          if (urlProblem !== undefined) problems.push({ segments: [section, index, 'base_url'], message: urlProblem })
        }
      }
      if (entry.api_key_env !== undefined && options.secrets !== undefined && !isSet(options.secrets, entry.api_key_env)) {
        problems.push({
          segments: [section, index, 'api_key_env'],
          message: `environment variable ${entry.api_key_env} is not set (export it, or remove api_key_env for a keyless server)`,
        })
      }
    })
  }

  // Aliases: one name -> one model, never shadowing an id or a scale, from either place they are declared.
  const aliasTargets = new Map<string, { target: string; where: string }>()
  const addAlias = (alias: string, target: string, segments: Array<string | number>): void => {
    const where = formatPath(segments)
    if (!ID_PATTERN.test(alias)) {
      problems.push({ segments, message: `alias "${alias}" must match ${ID_PATTERN.source}` })
      return
    }
    if (modelIds.has(alias)) {
      problems.push({ segments, message: `alias "${alias}" collides with a model id` })
      return
    }
    if (scales.has(alias)) {
      problems.push({ segments, message: `alias "${alias}" collides with the scale of that name` })
      return
    }
    const existing = aliasTargets.get(alias)
    if (existing !== undefined && existing.target !== target) {
      problems.push({ segments, message: `alias "${alias}" already names "${existing.target}" (${existing.where})` })
      return
    }
    aliasTargets.set(alias, { target, where })
  }
  for (const [alias, target] of Object.entries(data.aliases)) {
    if (!modelIds.has(target)) {
      problems.push({ segments: ['aliases', alias], message: `refers to unknown model "${target}"; models: ${[...modelIds.keys()].join(', ')}` })
      continue
    }
    addAlias(alias, target, ['aliases', alias])
  }
  data.models.forEach((model, index) => {
    model.aliases?.forEach((alias, position) => addAlias(alias, model.id, ['models', index, 'aliases', position]))
  })

  for (const [stage, entries] of Object.entries(data.routes) as Array<[string, RouteEntry[] | undefined]>) {
    if (entries === undefined) continue
    const seen = new Set<string>()
    entries.forEach((entry, position) => {
      const name = routeEntryName(entry)
      if (typeof entry !== 'string' && position === entries.length - 1) {
        problems.push({
          segments: ['routes', stage, position, 'min_confidence'],
          message: 'the last model of a cascade always answers; remove min_confidence or add a model after it',
        })
      }
      const id = modelIds.has(name) ? name : aliasTargets.get(name)?.target
      if (id === undefined) {
        problems.push({
          segments: ['routes', stage, position],
          message: `unknown model "${name}"; models: ${[...modelIds.keys()].join(', ')}; aliases: ${[...aliasTargets.keys()].join(', ') || '(none)'}`,
        })
        return
      }
      if (seen.has(id)) problems.push({ segments: ['routes', stage, position], message: `model "${id}" appears twice in this route` })
      seen.add(id)
    })
  }
  return problems
}

const throwProblems = (problems: Problem[], describe: (problem: Problem) => string, source: string | undefined): never => {
  const lines = problems.map(describe)
  const origin = source === undefined ? 'The model registry' : `The model registry ${source}`
  throw new DriberError('REGISTRY_INVALID', {
    message: `${origin} is invalid:\n  - ${lines.join('\n  - ')}`,
    details: { problems: lines, ...(source === undefined ? {} : { source }) },
  })
}

const validate = (raw: unknown, options: ParseRegistryOptions, locate: (segments: Array<string | number>) => string): RegistryData => {
  const describe = (problem: Problem): string => `${formatPath(problem.segments)}: ${problem.message}${locate(problem.segments)}`
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return throwProblems([{ segments: [], message: 'must be a mapping with version, models and routes' }], describe, options.source)
  }
  const withDefaults = Value.Default(RegistrySchema, Value.Clone(raw))
  if (!Value.Check(RegistrySchema, withDefaults)) throwProblems(schemaProblems(allErrors(withDefaults)), describe, options.source)
  const data = withDefaults as RegistryData
  const problems = crossCheck(data, options)
  if (problems.length > 0) throwProblems(problems, describe, options.source)
  return data
}

/**
 * Validates registry data already in memory (tests, tools): fills defaults, checks the schema and the
 * cross-references. Throws `REGISTRY_INVALID` with `details.problems`, one string per problem.
 */
export const parseRegistry = (data: unknown, options: ParseRegistryOptions = {}): RegistryData => validate(data, options, () => '')

/** Parses registry YAML text; syntax errors carry their line and column. */
export const parseRegistryYaml = (text: string, options: ParseRegistryOptions = {}): RegistryData => {
  const lineCounter = new LineCounter()
  const document: Document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true })
  if (document.errors.length > 0) {
    const lines = document.errors.map((error) => {
      const position = error.linePos?.[0]
      const where = position === undefined ? '' : `line ${position.line}, column ${position.col}: `
      // Pretty errors append " at line L, column C:" and a code frame; we keep the sentence and say where once.
      const sentence = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '')
      return `${where}${sentence}`
    })
    const origin = options.source === undefined ? 'The model registry' : `The model registry ${options.source}`
    throw new DriberError('REGISTRY_INVALID', {
      message: `${origin} is not valid YAML:\n  - ${lines.join('\n  - ')}`,
      details: { problems: lines, ...(options.source === undefined ? {} : { source: options.source }) },
    })
  }
  const locate = (segments: Array<string | number>): string => {
    // The nearest node that exists: a missing field is reported at its parent's line.
    for (let length = segments.length; length >= 0; length--) {
      const node = document.getIn(segments.slice(0, length), true) as { range?: [number, number, number] } | undefined
      if (node?.range !== undefined) return ` (line ${lineCounter.linePos(node.range[0]).line})`
    }
    return ''
  }
  return validate(document.toJS(), options, locate)
}

/**
 * Reads and validates the registry file named by the config. A relative path resolves from the
 * working directory, then from the project root (so the default `config/registry.yaml` is found
 * wherever the service is started).
 */
export const loadRegistry = (file: string, options: Omit<ParseRegistryOptions, 'source'> = {}): RegistryData => {
  const candidates = path.isAbsolute(file) ? [file] : [path.resolve(file), resolveDataPath(file)]
  const found = candidates.find((candidate) => existsSync(candidate))
  if (found === undefined) {
    throw new DriberError('REGISTRY_INVALID', {
      message: `The model registry file ${file} does not exist (set DRIBER_REGISTRY or registryPath)`,
      details: { problems: [`${file}: file not found`], source: file },
    })
  }
  let text: string
  try {
    text = readFileSync(found, 'utf8')
  } catch (error) {
    throw new DriberError('REGISTRY_INVALID', {
      message: `Cannot read the model registry file ${file}`,
      details: { problems: [`${file}: cannot be read`], source: file },
      cause: error,
    })
  }
  return parseRegistryYaml(text, { ...options, source: file })
}
