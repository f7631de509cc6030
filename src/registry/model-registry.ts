/**
 * Validated registry data -> the lookups the core needs: routes per stage, narrowing by id, alias
 * or scale, embedders by id, and a secret-free listing. Models are built once, on first use, by
 * the provider factory their entry names; route arrays are computed once per (stage, name) so a
 * request allocates nothing here.
 */
import type { SecretLookup } from '../config.js'
import type { ModelInfo, ModelList } from '../core/driber-core.js'
import type { ModelRouter, RoutedModel } from '../core/model-router.js'
import { SCALES, STAGES, type Scale, type Stage } from '../core/types.js'
import { DriberError } from '../errors.js'
import type { ProviderFactory } from '../providers/provider-factory.js'
import type { ChatModel, Decoding, EmbeddingModel } from '../providers/provider.js'
import { routeEntryName, type EmbedderEntry, type ModelEntry, type RegistryData, type RouteEntry } from './registry-schema.js'

export type ProviderName = ProviderFactory['name']

export interface ModelRegistryOptions {
  /** Output of `loadRegistry` or `parseRegistry`. */
  data: RegistryData
  /** `config.secrets`: resolves each entry's `api_key_env`. */
  secrets: SecretLookup
  /** One factory per provider name the registry uses; app.ts composes the map. */
  providers: Partial<Record<ProviderName, ProviderFactory>>
}

/** Decide and rank are classification: greedy unless the entry asks otherwise. Describe keeps the upstream's sampling. */
const decodingFor = (entry: ModelEntry, stage: Stage): Decoding => {
  if (stage === 'describe') return { ...entry.decoding.describe }
  const own = stage === 'rank' ? (entry.decoding.rank ?? entry.decoding.decide) : entry.decoding.decide
  return { temperature: 0, ...own }
}

/** A base URL as safe to show: no credentials or query string, which some deployments put there. */
const publicUrl = (value: string): string => {
  try {
    const url = new URL(value)
    url.username = ''
    url.password = ''
    url.search = ''
    url.hash = ''
    return url.toString().replace(/\/$/, '')
  } catch {
    return '(invalid URL)'
  }
}

export class ModelRegistry implements ModelRouter {
  readonly #data: RegistryData
  readonly #secrets: SecretLookup
  readonly #providers: Partial<Record<ProviderName, ProviderFactory>>
  readonly #modelsById = new Map<string, ModelEntry>()
  readonly #embeddersById = new Map<string, EmbedderEntry>()
  /** alias -> model id, from the top-level map and the per-model lists. */
  readonly #aliases = new Map<string, string>()
  /** Effective route per stage, as model ids (`rank` falls back to `decide`). */
  readonly #routeIds: Record<Stage, readonly string[]>
  /** Per stage, the cascade thresholds of its default route (model id -> min_confidence); absent when none. */
  readonly #cascades: Partial<Record<Stage, ReadonlyMap<string, number>>> = {}
  readonly describeFollowsDecide: boolean
  readonly #chatModels = new Map<string, ChatModel>()
  readonly #embeddingModels = new Map<string, EmbeddingModel>()
  readonly #routed = new Map<string, RoutedModel>()
  readonly #routeCache = new Map<string, readonly RoutedModel[]>()
  #closed = false

  constructor(options: ModelRegistryOptions) {
    this.#data = options.data
    this.#secrets = options.secrets
    this.#providers = options.providers
    for (const model of options.data.models) this.#modelsById.set(model.id, model)
    for (const embedder of options.data.embedders) this.#embeddersById.set(embedder.id, embedder)
    for (const [alias, target] of Object.entries(options.data.aliases)) this.#aliases.set(alias, target)
    for (const model of options.data.models) for (const alias of model.aliases ?? []) this.#aliases.set(alias, model.id)

    const missing = new Set<string>()
    for (const entry of [...options.data.models, ...options.data.embedders]) {
      if (this.#providers[entry.provider] === undefined) missing.add(entry.provider)
    }
    if (missing.size > 0) {
      const problems = [...missing].map((name) => `provider "${name}" is used by the registry but not available in this build`)
      throw new DriberError('REGISTRY_INVALID', { message: problems.join('; '), details: { problems } })
    }

    const resolve = (entry: RouteEntry): string => {
      const name = routeEntryName(entry)
      return this.#aliases.get(name) ?? name
    }
    const thresholds = (entries: readonly RouteEntry[]): ReadonlyMap<string, number> | undefined => {
      const map = new Map<string, number>()
      for (const entry of entries) if (typeof entry !== 'string') map.set(resolve(entry), entry.min_confidence)
      return map.size === 0 ? undefined : map
    }
    const routes = options.data.routes
    const decide = routes.decide.map(resolve)
    this.#routeIds = {
      decide,
      rank: routes.rank?.map(resolve) ?? decide,
      describe: routes.describe.map(resolve),
    }
    const decideCascade = thresholds(routes.decide)
    const rankCascade = routes.rank === undefined ? decideCascade : thresholds(routes.rank)
    if (decideCascade !== undefined) this.#cascades.decide = decideCascade
    if (rankCascade !== undefined) this.#cascades.rank = rankCascade
    this.describeFollowsDecide = options.data.share?.describe_follows_decide === true
  }

  /**
   * The stage's cascade: model id -> the confidence its answer needs to be accepted, for the models
   * of the default route that have one. Undefined when the route is a plain fallback list.
   */
  cascade(stage: Stage): ReadonlyMap<string, number> | undefined {
    return this.#cascades[stage]
  }

  /**
   * The models to try for `stage`, primary first. `requested` narrows the route: an id or alias gives
   * exactly that model (even one outside the route); a scale gives every model of that scale, those in
   * the stage's route first (in route order), then the rest in registry order.
   */
  route(stage: Stage, requested?: string): readonly RoutedModel[] {
    const key = requested === undefined ? stage : `${stage}\u0000${requested}`
    const cached = this.#routeCache.get(key)
    if (cached !== undefined) return cached
    const ids = this.#resolveIds(stage, requested)
    const models = Object.freeze(ids.map((id) => this.#routedModel(stage, id)))
    // Only known names reach this point, so the cache is bounded by ids + aliases + scales per stage.
    this.#routeCache.set(key, models)
    return models
  }

  /** The embedding model with this id; throws EMBEDDER_UNAVAILABLE listing the configured ids. */
  embedder(id: string): EmbeddingModel {
    const existing = this.#embeddingModels.get(id)
    if (existing !== undefined) return existing
    const entry = this.#embeddersById.get(id)
    if (entry === undefined) {
      const embedders = [...this.#embeddersById.keys()]
      throw new DriberError('EMBEDDER_UNAVAILABLE', {
        message: `No embedder "${id}" in the model registry; embedders: ${embedders.join(', ') || '(none)'}`,
        details: { requested: id, embedders },
      })
    }
    this.#assertOpen()
    const model = this.#factory(entry.provider).createEmbeddingModel(entry, this.#secrets)
    this.#embeddingModels.set(id, model)
    return model
  }

  /** The registry as clients may see it: no key values, no key variable names, no URL credentials. */
  list(): ModelList {
    const aliasesOf = new Map<string, string[]>()
    for (const [alias, target] of this.#aliases) {
      const list = aliasesOf.get(target) ?? []
      list.push(alias)
      aliasesOf.set(target, list)
    }
    const models: ModelInfo[] = this.#data.models.map((entry) => {
      const routes: ModelInfo['routes'] = []
      for (const stage of STAGES) {
        const position = this.#routeIds[stage].indexOf(entry.id)
        if (position < 0) continue
        const minConfidence = this.#cascades[stage]?.get(entry.id)
        routes.push(minConfidence === undefined ? { stage, position } : { stage, position, min_confidence: minConfidence })
      }
      const info: ModelInfo = {
        id: entry.id,
        provider: entry.provider,
        scale: entry.scale,
        output: entry.output,
        aliases: aliasesOf.get(entry.id) ?? [],
        routes,
      }
      if (entry.parameters !== undefined) info.parameters = entry.parameters
      if (entry.upstream_model !== undefined) info.upstream_model = entry.upstream_model
      if (entry.base_url !== undefined) info.base_url = publicUrl(entry.base_url)
      return info
    })
    const embedders = this.#data.embedders.map((entry) => {
      const dimension = entry.dimension ?? this.#embeddingModels.get(entry.id)?.dimension
      return {
        id: entry.id,
        provider: entry.provider,
        modalities: [...entry.modalities],
        ...(dimension === undefined ? {} : { dimension }),
      }
    })
    return {
      models,
      embedders,
      aliases: Object.fromEntries(this.#aliases),
      routes: Object.fromEntries(STAGES.map((stage) => [stage, [...this.#routeIds[stage]]])),
    }
  }

  /** Closes every model built so far (connection pools, workers). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const closing: Array<Promise<void> | undefined> = [
      ...[...this.#chatModels.values()].map((model) => model.close?.()),
      ...[...this.#embeddingModels.values()].map((model) => model.close?.()),
    ]
    this.#chatModels.clear()
    this.#embeddingModels.clear()
    this.#routed.clear()
    this.#routeCache.clear()
    await Promise.all(closing)
  }

  #resolveIds(stage: Stage, requested: string | undefined): readonly string[] {
    const route = this.#routeIds[stage]
    if (requested === undefined) return route
    if (this.#modelsById.has(requested)) return [requested]
    const aliased = this.#aliases.get(requested)
    if (aliased !== undefined) return [aliased]
    if ((SCALES as readonly string[]).includes(requested)) {
      const scale = requested as Scale
      const inRoute = route.filter((id) => this.#modelsById.get(id)?.scale === scale)
      const others = this.#data.models.filter((model) => model.scale === scale && !inRoute.includes(model.id)).map((model) => model.id)
      const ids = [...inRoute, ...others]
      if (ids.length > 0) return ids
      throw this.#unknown(requested, `No model in the registry has scale "${requested}"`)
    }
    throw this.#unknown(requested, `No model has the id, alias or scale "${requested}"`)
  }

  #unknown(requested: string, message: string): DriberError {
    const available = new Set<string>(this.#data.models.map((model) => model.scale))
    return new DriberError('UNKNOWN_MODEL', {
      message,
      details: {
        requested,
        models: [...this.#modelsById.keys()],
        aliases: [...this.#aliases.keys()],
        scales: SCALES.filter((scale) => available.has(scale)),
      },
    })
  }

  #routedModel(stage: Stage, id: string): RoutedModel {
    const key = `${stage}\u0000${id}`
    const existing = this.#routed.get(key)
    if (existing !== undefined) return existing
    const entry = this.#modelsById.get(id)
    // Validation guarantees every route entry resolves; this guards against hand-built data.
    if (entry === undefined) throw this.#unknown(id, `The registry routes ${stage} to unknown model "${id}"`)
    const routed: RoutedModel = Object.freeze({
      id: entry.id,
      provider: entry.provider,
      scale: entry.scale,
      output: entry.output,
      decoding: Object.freeze(decodingFor(entry, stage)),
      timeoutMs: entry.timeout_ms,
      maxConcurrency: entry.max_concurrency,
      maxQueue: entry.max_queue,
      chat: this.#chatModel(entry),
    })
    this.#routed.set(key, routed)
    return routed
  }

  #chatModel(entry: ModelEntry): ChatModel {
    const existing = this.#chatModels.get(entry.id)
    if (existing !== undefined) return existing
    this.#assertOpen()
    const model = this.#factory(entry.provider).createChatModel(entry, this.#secrets)
    this.#chatModels.set(entry.id, model)
    return model
  }

  #factory(name: ProviderName): ProviderFactory {
    const factory = this.#providers[name]
    if (factory === undefined) throw new DriberError('INTERNAL', { message: `No provider factory for "${name}"` })
    return factory
  }

  #assertOpen(): void {
    if (this.#closed) throw new DriberError('SHUTTING_DOWN')
  }
}
