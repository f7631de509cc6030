/**
 * Decides, once at start, whether callers must present a key, which keys exist and what is open.
 * The rule: auth is off by default only when every listening server binds a loopback address and
 * no key is configured. A non-loopback bind turns it on; without keys that means every protected
 * call is refused (fail closed) and a loud warning says so. `auth.enabled: false` runs open on
 * purpose (e.g. behind a mesh that authenticates), also with a loud warning when not on loopback.
 */
import { readFileSync } from 'node:fs'
import { Value } from 'typebox/value'
import { Type } from 'typebox'
import { parse as parseYaml } from 'yaml'
import { ConfigSchema, type Config } from '../config.js'
import { DriberError } from '../errors.js'
import type { ApiKeyRecord } from './api-key-authenticator.js'

export interface PolicyWarning {
  level: 'warn' | 'error'
  message: string
}

export interface AccessPolicy {
  /** Callers must present a valid key (outside the open paths and services). */
  readonly enabled: boolean
  readonly keys: readonly ApiKeyRecord[]
  /** Is this HTTP path (no query string) served without a key? */
  isOpenPath(path: string): boolean
  /** Is this gRPC method (`/package.Service/Method`) served without a key? */
  isOpenGrpcMethod(methodPath: string): boolean
  /** To be logged at start by whoever owns the logger. */
  readonly warnings: readonly PolicyWarning[]
}

/** Loopback names and addresses; `0.0.0.0`, `::` and anything else count as reachable from outside. */
export const isLoopbackHost = (host: string): boolean => {
  const normalised = host.trim().toLowerCase().replace(/^\[|\]$/g, '')
  return (
    normalised === 'localhost' ||
    normalised === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(normalised) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(normalised)
  )
}

const KeyListSchema = Type.Array(ConfigSchema.properties.auth.properties.keys.items)

/** Keys from `auth.keysFile`: a YAML/JSON list, or a mapping with `keys`. Validated like inline keys. */
export const readKeysFile = (file: string): ApiKeyRecord[] => {
  let parsed: unknown
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new DriberError('CONFIG_INVALID', { message: `Cannot read the API keys file ${file}`, cause: error })
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown } | null)?.keys
  if (!Value.Check(KeyListSchema, list)) {
    const problems = [...Value.Errors(KeyListSchema, list ?? null)].map((error) => `${error.instancePath || '/'}: ${error.message}`)
    throw new DriberError('CONFIG_INVALID', {
      message: `The API keys file ${file} must hold a list of {id, hash: sha256:<hex>, rate?}: ${problems.slice(0, 5).join('; ')}`,
    })
  }
  return list
}

const pathMatcher = (patterns: readonly string[]): ((path: string) => boolean) => {
  const exact = new Set(patterns.filter((pattern) => !pattern.endsWith('*')))
  const prefixes = patterns.filter((pattern) => pattern.endsWith('*')).map((pattern) => pattern.slice(0, -1))
  return (path) => exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix))
}

/** Builds the policy from config (reading `auth.keysFile` if set). Throws CONFIG_INVALID on bad or duplicate keys. */
export const resolveAccessPolicy = (config: Config): AccessPolicy => {
  const keys: ApiKeyRecord[] = [...config.auth.keys, ...(config.auth.keysFile === undefined ? [] : readKeysFile(config.auth.keysFile))]
  const seen = new Set<string>()
  for (const key of keys) {
    if (seen.has(key.id)) throw new DriberError('CONFIG_INVALID', { message: `API key id "${key.id}" is configured twice` })
    seen.add(key.id)
  }
  const binds = [config.http.host, ...(config.grpc.enabled ? [config.grpc.host] : [])]
  const exposed = binds.filter((host) => !isLoopbackHost(host))
  const enabled = config.auth.enabled ?? (keys.length > 0 || exposed.length > 0)
  const warnings: PolicyWarning[] = []
  if (enabled && keys.length === 0) {
    warnings.push({
      level: 'error',
      message: `AUTH IS ON BUT NO API KEY IS CONFIGURED: every call outside the open paths will be refused with DRIBER_UNAUTHENTICATED. ${
        exposed.length > 0 ? `(Binding ${exposed.join(', ')} turns auth on.) ` : ''
      }Add keys (driber hash-key) or set auth.enabled: false to run open on purpose.`,
    })
  }
  if (!enabled && exposed.length > 0) {
    warnings.push({
      level: 'error',
      message: `AUTH IS OFF WHILE LISTENING ON ${exposed.join(', ')}: anyone who can reach this address can call every model. Configure API keys unless something in front of driber authenticates.`,
    })
  }
  const isOpenPath = pathMatcher(config.auth.openPaths)
  const openServices = new Set(config.auth.openGrpcServices)
  return {
    enabled,
    keys,
    isOpenPath,
    isOpenGrpcMethod: (methodPath) => openServices.has(methodPath.split('/')[1] ?? ''),
    warnings,
  }
}
