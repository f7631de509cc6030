/**
 * The service's configuration: one TypeBox schema, validated once, types derived from it.
 * This is the only module that reads `process.env`; everything else receives a `Config`.
 *
 * Precedence, lowest first: schema defaults, the optional config file (`DRIBER_CONFIG`,
 * YAML or JSON), then the documented `DRIBER_*` environment variables.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { parse as parseYaml } from 'yaml'
import { DriberError } from './errors.js'

/** The repository root, so default data files resolve the same from `src/` (tsx, tap), the bundle in `dist/` and its `dist/chunks/`. */
export const projectRoot: string = (() => {
  let directory = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    try {
      readFileSync(path.join(directory, 'package.json'))
      return directory
    } catch {
      directory = path.dirname(directory)
    }
  }
  return process.cwd()
})()

const Port = Type.Integer({ minimum: 0, maximum: 65535 })
const Milliseconds = Type.Integer({ minimum: 1, maximum: 3_600_000 })

/** One configured API key: an id for logs and limits, the key's digest, and optionally its own rate. */
const ApiKeySchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9_.:-]+$' }),
    hash: Type.String({ pattern: '^sha256:[0-9a-f]{64}$' }),
    rate: Type.Optional(
      Type.Object({ max: Type.Integer({ minimum: 1 }), windowMs: Type.Integer({ minimum: 1, maximum: 3_600_000 }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
)

export const ConfigSchema = Type.Object(
  {
    http: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        /** Largest request body accepted, in bytes. */
        bodyLimitBytes: Type.Integer({ minimum: 1024, default: 1_048_576 }),
        /** Serve Swagger UI at /docs. */
        docs: Type.Boolean({ default: true }),
        /** Serve the playground page at /playground (static files; the API calls it makes need a key like any other). */
        playground: Type.Boolean({ default: true }),
      },
      { default: {}, additionalProperties: false },
    ),
    grpc: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 50051 }),
        maxReceiveMessageBytes: Type.Integer({ minimum: 1024, default: 1_048_576 }),
        maxSendMessageBytes: Type.Integer({ minimum: 1024, default: 4_194_304 }),
      },
      { default: {}, additionalProperties: false },
    ),
    /**
     * Server processes (node:cluster) sharing the HTTP and gRPC ports: 1 = a single process (no
     * cluster), 0 = one per available core. With more than one, the primary serves /metrics
     * aggregated across workers on `metrics.port` (see src/server-cluster.ts).
     */
    workers: Type.Integer({ minimum: 0, maximum: 256, default: 1 }),
    /** Path of the model registry YAML (relative paths resolve from the working directory). */
    registryPath: Type.String({ default: 'config/registry.yaml' }),
    limits: Type.Object(
      {
        maxTurns: Type.Integer({ minimum: 1, default: 64 }),
        maxTurnChars: Type.Integer({ minimum: 1, default: 2000 }),
        maxTotalChars: Type.Integer({ minimum: 1, default: 24_000 }),
        maxSpeakerChars: Type.Integer({ minimum: 1, default: 64 }),
        /** Names in a request's `participants` (the chat's members who may not have spoken yet). */
        maxParticipants: Type.Integer({ minimum: 1, default: 32 }),
        maxDescriptions: Type.Integer({ minimum: 1, default: 8 }),
        maxDescriptionChars: Type.Integer({ minimum: 1, default: 1000 }),
        maxN: Type.Integer({ minimum: 1, default: 5 }),
        maxK: Type.Integer({ minimum: 1, default: 100 }),
      },
      { default: {}, additionalProperties: false },
    ),
    parsing: Type.Object(
      {
        /** How many times to re-ask the same model with the validation error before falling back. */
        reasks: Type.Integer({ minimum: 0, maximum: 3, default: 1 }),
      },
      { default: {}, additionalProperties: false },
    ),
    deadlines: Type.Object(
      {
        /** Overall budget for one request when the client gives none. */
        requestMs: Type.Optional(Milliseconds),
        defaultRequestMs: Type.Integer({ minimum: 1, default: 60_000 }),
        /** Time allowed for in-flight requests to finish after SIGTERM. */
        drainMs: Type.Integer({ minimum: 0, default: 25_000 }),
        /**
         * While draining, the HTTP listener stays open (answering 503 DRIBER_SHUTTING_DOWN) until
         * nothing is in flight and no request has arrived for this long (counted from the signal
         * at the earliest), within `drainMs`: closing it earlier resets connections clients have
         * already sent requests on.
         */
        drainQuietMs: Type.Integer({ minimum: 0, default: 1_000 }),
      },
      { default: {}, additionalProperties: false },
    ),
    /** Who may call: API keys, stored as `sha256:<hex>` digests only (see src/auth/README.md). */
    auth: Type.Object(
      {
        /**
         * Unset: on when keys are configured or either server binds a non-loopback address
         * (then, without keys, every protected call is refused). Set false to run open on purpose.
         */
        enabled: Type.Optional(Type.Boolean()),
        keys: Type.Array(ApiKeySchema, { default: [] }),
        /** A YAML or JSON file holding more keys (a list, or `{keys: [...]}`), e.g. a mounted secret. */
        keysFile: Type.Optional(Type.String({ minLength: 1 })),
        /** HTTP paths served without a key; an entry ending in `*` matches a prefix. */
        openPaths: Type.Array(Type.String({ minLength: 1 }), { default: ['/healthz', '/readyz', '/metrics', '/playground', '/playground/*'] }),
        /** gRPC services served without a key (full names). */
        openGrpcServices: Type.Array(Type.String({ minLength: 1 }), { default: ['grpc.health.v1.Health'] }),
      },
      { default: {}, additionalProperties: false },
    ),
    /**
     * Per-caller request rate, the same on HTTP and gRPC: keyed by API key id, or by client IP when
     * auth is off. `enabled` unset (the default) means "on exactly when auth is on": an internal
     * service without keys is not throttled by address (every loopback or proxied caller would share
     * one allowance), and per-key limits apply as soon as keys are configured.
     */
    rateLimit: Type.Object(
      {
        enabled: Type.Optional(Type.Boolean()),
        max: Type.Integer({ minimum: 1, default: 600 }),
        windowMs: Type.Integer({ minimum: 1, maximum: 3_600_000, default: 60_000 }),
        /** Callers tracked at once; the oldest windows are forgotten beyond it, so memory stays bounded. */
        maxTrackedCallers: Type.Integer({ minimum: 1, default: 10_000 }),
      },
      { default: {}, additionalProperties: false },
    ),
    /** Load shedding on process pressure (`@fastify/under-pressure`); 0 turns a check off. */
    pressure: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        maxEventLoopDelayMs: Type.Integer({ minimum: 0, default: 1000 }),
        maxEventLoopUtilization: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
        maxHeapUsedBytes: Type.Integer({ minimum: 0, default: 0 }),
        maxRssBytes: Type.Integer({ minimum: 0, default: 0 }),
        sampleIntervalMs: Type.Integer({ minimum: 10, default: 1000 }),
        retryAfterSeconds: Type.Integer({ minimum: 1, default: 10 }),
      },
      { default: {}, additionalProperties: false },
    ),
    /** TLS for both servers; on when both `certPath` and `keyPath` are set (PEM files). */
    tls: Type.Object(
      {
        certPath: Type.Optional(Type.String({ minLength: 1 })),
        keyPath: Type.Optional(Type.String({ minLength: 1 })),
        /** CA bundle for client certificates; with `requireClientCert`, callers must present one it signed. */
        caPath: Type.Optional(Type.String({ minLength: 1 })),
        requireClientCert: Type.Boolean({ default: false }),
      },
      { default: {}, additionalProperties: false },
    ),
    retrieval: Type.Object(
      {
        defaultIndex: Type.String({ default: 'photochat' }),
        indexes: Type.Array(
          Type.Object(
            {
              name: Type.String({ minLength: 1, pattern: '^[a-zA-Z0-9_.-]+$' }),
              /** A JSONL file of `{id, url, caption, vector?}` or an index directory built by `driber index build`. */
              path: Type.String({ minLength: 1 }),
              /** Embedder id from the registry. */
              embedder: Type.String({ minLength: 1 }),
              backend: Type.Union([Type.Literal('memory'), Type.Literal('hnsw'), Type.Literal('pgvector')], { default: 'memory' }),
              /**
               * `start`: loaded before the service reports ready. `first_use`: loaded by the first search
               * that needs it (that request waits). Unset: first use when the index's embedder is the
               * embedded tier's and no registry model uses the tier, at start otherwise.
               */
              load: Type.Optional(Type.Union([Type.Literal('start'), Type.Literal('first_use')])),
              /** pgvector only: a connection string. */
              connectionString: Type.Optional(Type.String()),
              /** pgvector only: the environment variable holding the connection string (preferred: it may carry a password). */
              connectionStringEnv: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
              table: Type.Optional(Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' })),
              /** hnsw only: overrides of `retrieval.hnsw` for this index. */
              hnsw: Type.Optional(
                Type.Object(
                  {
                    m: Type.Optional(Type.Integer({ minimum: 2, maximum: 128 })),
                    efConstruction: Type.Optional(Type.Integer({ minimum: 8, maximum: 4096 })),
                    efSearch: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_536 })),
                    maxEf: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_536 })),
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          {
            default: [{ name: 'photochat', path: 'data/gallery/photochat.jsonl', embedder: 'driber-lite-embed', backend: 'memory' }],
          },
        ),
        /** HNSW defaults (the `hnsw` backend and the pgvector index's `ef_search`); an index may override them. */
        hnsw: Type.Object(
          {
            /** Graph degree: 16 keeps 1M x 512-d in memory with good recall; raise it for hard (high intrinsic dimension) data. */
            m: Type.Integer({ minimum: 2, maximum: 128, default: 16 }),
            efConstruction: Type.Integer({ minimum: 8, maximum: 4096, default: 200 }),
            /** Search breadth when a request gives no `ef`. */
            efSearch: Type.Integer({ minimum: 1, maximum: 65_536, default: 128 }),
            /** Largest `ef` a request may ask for; larger ones are rejected with INVALID_ARGUMENT. */
            maxEf: Type.Integer({ minimum: 1, maximum: 65_536, default: 1024 }),
          },
          { default: {}, additionalProperties: false },
        ),
        /** Captions embedded per embedder call while loading a JSONL gallery that lacks vectors. */
        embedBatchSize: Type.Integer({ minimum: 1, maximum: 4096, default: 64 }),
        /** Check each index file's sha256 against its manifest at load (size is always checked). */
        verifyChecksums: Type.Boolean({ default: true }),
        /** pgvector connections per index. */
        pgPoolSize: Type.Integer({ minimum: 1, maximum: 256, default: 4 }),
        /**
         * On-disk cache of JSONL gallery caption vectors from remote (non-embedded) embedders, keyed
         * by embedder and captions, so restarts do not embed the gallery again. `dir` defaults to
         * `$XDG_CACHE_HOME/driber` or `~/.cache/driber` (`DRIBER_CACHE_DIR`); with no directory
         * known, nothing is cached.
         */
        vectorCache: Type.Object(
          {
            enabled: Type.Boolean({ default: true }),
            dir: Type.Optional(Type.String({ minLength: 1 })),
          },
          { default: {}, additionalProperties: false },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    logging: Type.Object(
      {
        level: Type.Union(
          [Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')],
          { default: 'info' },
        ),
        pretty: Type.Boolean({ default: false }),
        /** Off by default: dialogue text is user data and does not belong in logs. */
        logDialogue: Type.Boolean({ default: false }),
      },
      { default: {}, additionalProperties: false },
    ),
    metrics: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Serve /metrics on its own port as well (0 = the HTTP port only). */
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
        collectDefault: Type.Boolean({ default: true }),
      },
      { default: {}, additionalProperties: false },
    ),
    /** How the process's JavaScript heap may grow; applied by src/server.ts through src/heap-growth.ts. */
    memory: Type.Object(
      {
        /**
         * After each full garbage collection V8 lets the old generation grow to this much more than
         * what survived before collecting again. 0 keeps V8's adaptive factor, which under steady load
         * let the heap reach about 2.5 times its live size (garbage collected late, held as RSS).
         */
        heapGrowthPercent: Type.Integer({ minimum: 0, maximum: 300, default: 30 }),
      },
      { default: {}, additionalProperties: false },
    ),
    /** Retry, circuit-breaker and backpressure policy for model calls (the table itself lives in src/core/retry-policy.ts). */
    resilience: Type.Object(
      {
        /** Calls per model for one request when errors are retryable (1 = no retry). */
        maxAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
        /** Exponential backoff with full jitter: the n-th retry waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
        baseDelayMs: Type.Integer({ minimum: 0, maximum: 60_000, default: 200 }),
        maxDelayMs: Type.Integer({ minimum: 0, maximum: 300_000, default: 4_000 }),
        /** An upstream Retry-After longer than this is not waited for: the next model is tried instead. */
        retryAfterCapMs: Type.Integer({ minimum: 0, maximum: 300_000, default: 10_000 }),
        /** Retry-After sent to clients when a model's concurrency queue is full. */
        overloadRetryAfterMs: Type.Integer({ minimum: 0, maximum: 300_000, default: 1_000 }),
        /** Extra time past a model's timeout before the core itself gives up on a provider that ignores its timeout. */
        timeoutGraceMs: Type.Integer({ minimum: 0, maximum: 60_000, default: 1_000 }),
        breaker: Type.Object(
          {
            /** Opens when more than this share of the calls in the window failed. */
            failureRatio: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.5 }),
            /** Calls in the sliding window. */
            windowSize: Type.Integer({ minimum: 1, maximum: 10_000, default: 20 }),
            /** No opening before this many calls are in the window (capped at windowSize). */
            minimumCalls: Type.Integer({ minimum: 1, maximum: 10_000, default: 10 }),
            /** Cool-down before one probe call is let through (half-open). */
            halfOpenAfterMs: Type.Integer({ minimum: 1, maximum: 3_600_000, default: 10_000 }),
          },
          { default: {}, additionalProperties: false },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export type ConfigData = Static<typeof ConfigSchema>

/** Looks a secret up by the environment variable name the registry gives; never logged, never serialised. */
export type SecretLookup = (name: string) => string | undefined

export interface Config extends ConfigData {
  readonly secrets: SecretLookup
}

/** Environment variables driber reads, and where each lands in the config. */
const environmentBindings: ReadonlyArray<[name: string, path: string[], kind: 'string' | 'integer' | 'boolean']> = [
  ['DRIBER_REGISTRY', ['registryPath'], 'string'],
  ['DRIBER_WORKERS', ['workers'], 'integer'],
  ['DRIBER_HEAP_GROWTH_PERCENT', ['memory', 'heapGrowthPercent'], 'integer'],
  ['DRIBER_HOST', ['http', 'host'], 'string'],
  ['DRIBER_HTTP_PORT', ['http', 'port'], 'integer'],
  ['DRIBER_GRPC_HOST', ['grpc', 'host'], 'string'],
  ['DRIBER_GRPC_PORT', ['grpc', 'port'], 'integer'],
  ['DRIBER_METRICS_PORT', ['metrics', 'port'], 'integer'],
  ['DRIBER_LOG_LEVEL', ['logging', 'level'], 'string'],
  ['DRIBER_LOG_PRETTY', ['logging', 'pretty'], 'boolean'],
  ['DRIBER_LOG_DIALOGUE', ['logging', 'logDialogue'], 'boolean'],
  ['DRIBER_AUTH_ENABLED', ['auth', 'enabled'], 'boolean'],
  ['DRIBER_API_KEYS_FILE', ['auth', 'keysFile'], 'string'],
  ['DRIBER_RATE_LIMIT_ENABLED', ['rateLimit', 'enabled'], 'boolean'],
  ['DRIBER_CACHE_DIR', ['retrieval', 'vectorCache', 'dir'], 'string'],
  ['DRIBER_TLS_CERT', ['tls', 'certPath'], 'string'],
  ['DRIBER_TLS_KEY', ['tls', 'keyPath'], 'string'],
  ['DRIBER_TLS_CA', ['tls', 'caPath'], 'string'],
]

const setPath = (target: Record<string, unknown>, keys: string[], value: unknown): void => {
  let node = target
  for (const key of keys.slice(0, -1)) {
    const next = node[key]
    if (typeof next !== 'object' || next === null) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  node[keys[keys.length - 1] as string] = value
}

const coerce = (name: string, raw: string, kind: 'string' | 'integer' | 'boolean'): unknown => {
  if (kind === 'string') return raw
  if (kind === 'integer') {
    if (!/^-?\d+$/.test(raw.trim())) throw new DriberError('CONFIG_INVALID', { message: `${name} must be an integer, got "${raw}"` })
    return Number.parseInt(raw, 10)
  }
  if (/^(1|true|yes|on)$/i.test(raw)) return true
  if (/^(0|false|no|off)$/i.test(raw)) return false
  throw new DriberError('CONFIG_INVALID', { message: `${name} must be true or false, got "${raw}"` })
}

export interface LoadConfigOptions {
  /** Defaults to `process.env`; tests pass their own. */
  env?: Record<string, string | undefined>
  /** Overrides applied last (tests, the CLI). Deep-merged over file and environment. */
  overrides?: DeepPartial<ConfigData>
}

export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const deepMerge = (base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) continue
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value
  }
  return out
}

/** Validates raw data against the schema, filling defaults; throws CONFIG_INVALID listing every problem. */
export const parseConfigData = (raw: unknown): ConfigData => {
  const withDefaults = Value.Default(ConfigSchema, Value.Clone(raw ?? {}))
  if (!Value.Check(ConfigSchema, withDefaults)) {
    const problems = [...Value.Errors(ConfigSchema, withDefaults)].map(
      (error) => `${error.instancePath || '/'}: ${error.message}`,
    )
    throw new DriberError('CONFIG_INVALID', {
      message: `Invalid configuration: ${problems.join('; ')}`,
      details: { problems },
    })
  }
  return withDefaults as ConfigData
}

/** Builds the one `Config` of a process (or of a test) from file, environment and overrides. */
export const loadConfig = (options: LoadConfigOptions = {}): Config => {
  const env = options.env ?? process.env
  let fileData: Record<string, unknown> = {}
  const file = env.DRIBER_CONFIG
  if (file !== undefined && file !== '') {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw new DriberError('CONFIG_INVALID', { message: `Cannot read DRIBER_CONFIG file ${file}`, cause: error })
    }
    const parsed: unknown = parseYaml(text)
    if (!isPlainObject(parsed)) throw new DriberError('CONFIG_INVALID', { message: `${file} must hold a mapping` })
    fileData = parsed
  }
  const fromEnv: Record<string, unknown> = {}
  for (const [name, keys, kind] of environmentBindings) {
    const raw = env[name]
    if (raw !== undefined && raw !== '') setPath(fromEnv, keys, coerce(name, raw, kind))
  }
  const merged = deepMerge(deepMerge(fileData, fromEnv), (options.overrides ?? {}) as Record<string, unknown>)
  const data = parseConfigData(merged)
  data.retrieval.vectorCache.dir ??= defaultCacheDirectory(env)
  const snapshot = { ...env }
  return Object.freeze({ ...data, secrets: (name: string) => snapshot[name] })
}

/** The per-user cache directory (XDG), or undefined when the environment names no home. */
export const defaultCacheDirectory = (env: Record<string, string | undefined>): string | undefined => {
  const xdg = env.XDG_CACHE_HOME
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'driber')
  const home = env.HOME ?? env.USERPROFILE
  return home !== undefined && path.isAbsolute(home) ? path.join(home, '.cache', 'driber') : undefined
}

/** A config for tests and tools: defaults plus overrides, no environment (so no cache directory unless given). */
export const testConfig = (overrides: DeepPartial<ConfigData> = {}, secrets: Record<string, string> = {}): Config =>
  Object.freeze({ ...parseConfigData(overrides), secrets: (name: string) => secrets[name] })

/** Resolve a path from config: absolute stays, relative resolves against the project root when it exists there. */
export const resolveDataPath = (file: string): string => (path.isAbsolute(file) ? file : path.resolve(projectRoot, file))

/** Whether this process runs under CI (`CI` set to anything but false/0): CLIs print plain progress lines there. */
export const runningInCi = (env: Record<string, string | undefined> = process.env): boolean => {
  const value = env.CI
  return value !== undefined && value !== '' && !/^(0|false|no|off)$/i.test(value)
}
