/**
 * driber's Prometheus metrics: one prom-client `Registry` per app (never the global one), names in
 * base units with Prometheus suffixes, OpenTelemetry semantic-convention names and attribute names
 * (dots become underscores) where a convention exists, and only bounded label values: stage, model
 * and provider ids from the registry, outcomes, catalog error codes, parse-failure reasons. Nothing
 * a caller sends (dialogue text, user ids, request ids) ever becomes a label.
 *
 * Hot paths go through `ChildCache` and the metrics of `labelled-metrics.ts`: the child of a label
 * combination is found through nested maps keyed by label values and records into plain numbers,
 * so recording a sample allocates nothing after warm-up (prom-client's own metrics hash the label
 * object on every observation).
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import { ERROR_POLICY } from '../core/retry-policy.js'
import { ESCALATION_REASONS, PARSE_FAILURE_REASONS, STAGES, type EscalationReason, type Stage } from '../core/types.js'
import { ErrorCatalog, type ErrorKind } from '../errors.js'
import type { ModelList } from '../core/driber-core.js'
import type { FallbackReason } from '../core/stage-observer.js'
import { LabelledCounter, LabelledGauge, LabelledHistogram } from './labelled-metrics.js'

/** Where a request came in. */
export type Transport = 'http' | 'grpc'

/** Stages as labelled on `driber_stage_duration_seconds`: the model stages plus retrieve and the share chain. */
export type StageLabel = Stage | 'retrieve' | 'share'

export type BreakerState = 'closed' | 'half_open' | 'open'

/** The numeric value of each breaker state on `driber_circuit_breaker_state` (alerts compare against 2). */
export const BREAKER_STATE_VALUES: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 }

/** Seconds. The OTel HTTP semconv buckets, stretched to cover LLM-bound requests that take tens of seconds. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80]
/** Seconds. The buckets the OTel GenAI semconv advises for `gen_ai.client.operation.duration` (10 ms to 82 s, doubling). */
export const GEN_AI_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
/** Tokens. The buckets the OTel GenAI semconv advises for `gen_ai.client.token.usage` (powers of 4). */
export const GEN_AI_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
/** Seconds. driber's own work per request is expected in the sub-millisecond to tens-of-milliseconds range. */
export const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
/** Seconds. Retrieval embeds a few descriptions and searches an index: milliseconds locally, longer with a remote embedder. */
export const RETRIEVAL_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Confidence is a probability; ten equal bins show calibration drift. */
export const CONFIDENCE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]

/** prom-client default gauges whose names break Prometheus conventions (see `createMetrics`). */
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']

/** HTTP methods kept as label values; anything else is `_OTHER`, as the OTel HTTP semconv asks. */
const KNOWN_HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'])

/** Status codes as strings, made once (label values are strings; this keeps the hot path free of conversions). */
const STATUS_STRINGS: string[] = Array.from({ length: 600 }, (_, code) => String(code))

/**
 * Labelled children of one metric, kept in nested maps keyed by label values so a lookup
 * allocates nothing once the combination has been seen.
 */
class ChildCache<Child> {
  private readonly root = new Map<string, unknown>()

  constructor(
    private readonly depth: 1 | 2 | 3 | 4,
    private readonly make: (values: string[]) => Child,
  ) {}

  get(a: string, b = '', c = '', d = ''): Child {
    let node = this.root
    for (let level = 0; level < this.depth - 1; level++) {
      const key = level === 0 ? a : level === 1 ? b : c
      let next = node.get(key) as Map<string, unknown> | undefined
      if (next === undefined) {
        next = new Map<string, unknown>()
        node.set(key, next)
      }
      node = next
    }
    const leafKey = this.depth === 1 ? a : this.depth === 2 ? b : this.depth === 3 ? c : d
    let child = node.get(leafKey) as Child | undefined
    if (child === undefined) {
      child = this.make([a, b, c, d].slice(0, this.depth))
      node.set(leafKey, child)
    }
    return child
  }
}

/** Label names, shared by the metric definitions and the zero-initialisation of their children. */
const HTTP_LABELS = ['http_request_method', 'http_route', 'http_response_status_code']
const GRPC_LABELS = ['grpc_service', 'grpc_method', 'grpc_code']
const STAGE_LABELS = ['stage', 'model', 'outcome']
const UPSTREAM_LABELS = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'error_type']
const TOKEN_LABELS = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_token_type']
const PARSE_FAILURE_LABELS = ['stage', 'model', 'reason']
const RETRY_LABELS = ['stage', 'model', 'error_code']
const FALLBACK_LABELS = ['stage', 'from', 'to', 'reason']
const CONFIDENCE_LABELS = ['model', 'decision']
const RETRIEVAL_LABELS = ['index', 'outcome']
const ESCALATION_LABELS = ['stage', 'from', 'to', 'reason']
const ANSWER_LABELS = ['stage', 'scale']
const SCALE_TOKEN_LABELS = ['stage', 'scale', 'type']

/** A model as the registry routes it: what to pre-create label children for. */
export interface DeclaredModel {
  id: string
  provider: string
  /** Stages whose route includes the model. */
  stages: readonly string[]
  /** Size class (answers and tokens are also counted by scale). */
  scale?: string
  /** Cascade steps from this model: in `stage`, a low-confidence answer escalates to `to`. */
  escalatesTo?: ReadonlyArray<{ stage: string; to: string }>
}

/** The stages a model can serve (any model may be picked by a request, routed or not). */
const MODEL_STAGES: readonly Stage[] = STAGES
/** Error codes the policy retries on the same model: the `error_code` values of `driber_retries_total`. */
const RETRIED_CODES: readonly string[] = (Object.keys(ERROR_POLICY) as ErrorKind[])
  .filter((kind) => ERROR_POLICY[kind]?.action === 'retry')
  .map((kind) => ErrorCatalog[kind].code)

/** The models of a registry listing, with the stages that route to them (what `declareModels` takes). */
export const declaredModelsFrom = (list: ModelList): DeclaredModel[] =>
  list.models.map((model) => ({
    id: model.id,
    provider: model.provider,
    stages: model.routes.map((route) => route.stage),
    scale: model.scale,
    escalatesTo: model.routes.flatMap((route) => {
      const to = list.routes[route.stage]?.[route.position + 1]
      return route.min_confidence === undefined || to === undefined ? [] : [{ stage: route.stage, to }]
    }),
  }))

export interface Metrics {
  readonly registry: Registry
  /** Content-Type of the text exposition (Prometheus 0.0.4). */
  readonly contentType: string
  /** The text exposition of every metric in this app's registry. */
  render(): Promise<string>
  /**
   * Creates the label children for known models, stages and outcomes up front, so series exist at
   * zero from the first scrape (rates and ratios in alerts work without waiting for a first event).
   */
  declareModels(models: readonly DeclaredModel[]): void
  /** One finished HTTP request: `route` is the route template (`/v1/decide`), never the raw URL; "" when no route matched. */
  observeHttp(method: string, route: string, statusCode: number, seconds: number): void
  /** One finished gRPC call: `code` is the status name (`OK`, `INVALID_ARGUMENT` ...). */
  observeGrpc(service: string, method: string, code: string, seconds: number): void
  /** Time driber spent on a request itself: total minus upstream waits. */
  observeOverhead(transport: Transport, seconds: number): void
  /** A request started (+1) or finished (-1) on a transport. */
  trackInFlight(transport: Transport, delta: 1 | -1): void
  observeStage(stage: StageLabel, model: string, outcome: 'ok' | 'error', seconds: number): void
  /** One upstream call (`operation` per OTel GenAI: `chat`, `embeddings`); `errorType` is a catalog code, "" on success. */
  observeUpstream(operation: string, provider: string, model: string, errorType: string, seconds: number): void
  observeTokens(operation: string, provider: string, model: string, inputTokens: number, outputTokens: number): void
  countParseFailure(stage: string, model: string, reason: string): void
  countRetry(stage: string, model: string, errorCode: string): void
  countFallback(stage: string, from: string, to: string, reason: FallbackReason): void
  /** A cascade asked the next model although `from` answered validly. */
  countEscalation(stage: string, from: string, to: string, reason: EscalationReason): void
  /** A model stage answered; `scale` is the answering model's. */
  countAnswer(stage: string, scale: string): void
  /** Tokens of one upstream call, by the scale of the model called. */
  countTokensByScale(stage: string, scale: string, inputTokens: number, outputTokens: number): void
  observeDecideConfidence(model: string, share: boolean, confidence: number): void
  /** One search of a named image index (embedding the descriptions included). */
  observeRetrieval(index: string, outcome: 'ok' | 'error', seconds: number): void
  /**
   * Where `driber_circuit_breaker_state` reads breaker states at scrape time (the core's
   * `breakerStates()`). Declared models get one series per routed stage; others get `stage=""`.
   */
  setBreakerSource(source: () => Iterable<{ model: string; state: BreakerState }>): void
}

export interface CreateMetricsOptions {
  /** The registry to register into; a fresh one when absent. Never prom-client's global registry. */
  registry?: Registry
  /** Node process metrics (event loop lag, heap, GC, handles). Default true. */
  collectDefault?: boolean
  /** Reported on `driber_build_info`. */
  version?: string
}

/** Builds every driber metric in one registry. Call once per app. */
export const createMetrics = (options: CreateMetricsOptions = {}): Metrics => {
  const registry = options.registry ?? new Registry()
  const registers = [registry]

  if (options.collectDefault ?? true) {
    collectDefaultMetrics({ register: registry })
    // prom-client names these gauges with a `_total` suffix, which Prometheus reserves for
    // counters (promtool rejects the exposition); the rest of the defaults are kept.
    for (const misnamed of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(misnamed)
  }

  new Gauge({
    name: 'driber_build_info',
    help: 'Always 1; labels carry the driber version and the Node.js version.',
    labelNames: ['version', 'nodejs_version'],
    registers,
    // Across cluster workers (src/server-cluster.ts) it stays 1, not the number of workers.
    aggregator: 'max',
  }).set({ version: options.version ?? 'unknown', nodejs_version: process.versions.node }, 1)

  const httpDuration = new LabelledHistogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of inbound HTTP requests (OTel http.server.request.duration), by method, route template and status code.',
    labelNames: HTTP_LABELS,
    buckets: HTTP_DURATION_BUCKETS,
    registry,
  })
  const grpcHandled = new LabelledCounter({
    name: 'grpc_server_handled_total',
    help: 'Inbound gRPC calls completed, by service, method and status code.',
    labelNames: GRPC_LABELS,
    registry,
  })
  const grpcHandling = new LabelledHistogram({
    name: 'grpc_server_handling_seconds',
    help: 'Duration of inbound gRPC calls, by service, method and status code.',
    labelNames: GRPC_LABELS,
    buckets: HTTP_DURATION_BUCKETS,
    registry,
  })
  const overhead = new LabelledHistogram({
    name: 'driber_overhead_seconds',
    help: 'Time a request spent in driber itself (total minus waits on model and embedding backends), by transport.',
    labelNames: ['transport'],
    buckets: OVERHEAD_BUCKETS,
    registry,
  })
  const inFlight = new LabelledGauge({
    name: 'driber_requests_in_flight',
    help: 'Requests being handled now, by transport.',
    labelNames: ['transport'],
    registry,
  })
  const stageDuration = new LabelledHistogram({
    name: 'driber_stage_duration_seconds',
    help: 'Duration of a whole stage (retries, re-asks and fallbacks included), by stage, answering model and outcome.',
    labelNames: STAGE_LABELS,
    buckets: GEN_AI_DURATION_BUCKETS,
    registry,
  })
  const upstreamDuration = new LabelledHistogram({
    name: 'gen_ai_client_operation_duration_seconds',
    help: 'Duration of one call to a model or embedding backend (OTel gen_ai.client.operation.duration); error_type is the driber error code, empty on success.',
    labelNames: UPSTREAM_LABELS,
    buckets: GEN_AI_DURATION_BUCKETS,
    registry,
  })
  const tokenUsage = new LabelledHistogram({
    name: 'gen_ai_client_token_usage',
    help: 'Tokens per upstream call (OTel gen_ai.client.token.usage), by token type (input, output) and model.',
    labelNames: TOKEN_LABELS,
    buckets: GEN_AI_TOKEN_BUCKETS,
    registry,
  })
  const parseFailures = new LabelledCounter({
    name: 'driber_parse_failures_total',
    help: 'Model answers that failed to parse or validate, by stage, model and reason.',
    labelNames: PARSE_FAILURE_LABELS,
    registry,
  })
  const retries = new LabelledCounter({
    name: 'driber_retries_total',
    help: 'Upstream calls retried on the same model after a retryable error, by stage, model and error code.',
    labelNames: RETRY_LABELS,
    registry,
  })
  const fallbacks = new LabelledCounter({
    name: 'driber_fallbacks_total',
    help: 'Moves from one model to the next in a stage route, by stage, from, to and reason.',
    labelNames: FALLBACK_LABELS,
    registry,
  })
  const decideConfidence = new LabelledHistogram({
    name: 'driber_decide_confidence',
    help: 'Confidence of accepted Decide answers, by model and decision (share, no_share).',
    labelNames: CONFIDENCE_LABELS,
    buckets: CONFIDENCE_BUCKETS,
    registry,
  })
  const retrievalDuration = new LabelledHistogram({
    name: 'driber_retrieval_search_duration_seconds',
    help: 'Duration of one image-index search (embedding the descriptions included), by index and outcome.',
    labelNames: RETRIEVAL_LABELS,
    buckets: RETRIEVAL_BUCKETS,
    registry,
  })

  const escalations = new LabelledCounter({
    name: 'driber_cascade_escalations_total',
    help: 'Valid answers a cascade did not accept (below the model\'s min_confidence), so the next model was asked; by stage, from, to and reason.',
    labelNames: ESCALATION_LABELS,
    registry,
  })
  const answers = new LabelledCounter({
    name: 'driber_stage_answers_total',
    help: 'Model stages answered, by stage and the scale of the model whose answer was accepted.',
    labelNames: ANSWER_LABELS,
    registry,
  })
  const scaleTokens = new LabelledCounter({
    name: 'driber_tokens_total',
    help: 'Tokens spent on model calls, by stage, the scale of the model called, and type (input, output).',
    labelNames: SCALE_TOKEN_LABELS,
    registry,
  })

  let breakerSource: (() => Iterable<{ model: string; state: BreakerState }>) | undefined
  // Stages per model, from `declareModels`: the gauge repeats a model's state once per stage it
  // serves, so "every model of a stage is open" is a `min by (stage)` away.
  const stagesOfModel = new Map<string, readonly string[]>()
  const NO_STAGE: readonly string[] = ['']
  new Gauge({
    name: 'driber_circuit_breaker_state',
    help: 'Circuit breaker state per model, repeated for each stage whose route includes it: 0 closed, 1 half-open, 2 open.',
    labelNames: ['stage', 'model'],
    registers,
    // Each cluster worker has its own breakers: the aggregate shows the worst state, not a sum.
    aggregator: 'max',
    collect() {
      if (breakerSource === undefined) return
      // A failing source must not break the scrape of every other metric.
      try {
        for (const { model, state } of breakerSource()) {
          for (const stage of stagesOfModel.get(model) ?? NO_STAGE) this.set({ stage, model }, BREAKER_STATE_VALUES[state])
        }
      } catch {
        // Keep the last values.
      }
    },
  })

  // A child is created (at zero, in the exposition from then on) the first time its labels are
  // seen or declared, and kept: recording touches only its numbers.
  const httpChildren = new ChildCache(3, (values) => httpDuration.child(values))
  const grpcHandledChildren = new ChildCache(3, (values) => grpcHandled.child(values))
  const grpcHandlingChildren = new ChildCache(3, (values) => grpcHandling.child(values))
  const overheadChildren = new ChildCache(1, (values) => overhead.child(values))
  const inFlightChildren = new ChildCache(1, (values) => inFlight.child(values))
  const stageChildren = new ChildCache(3, (values) => stageDuration.child(values))
  const upstreamChildren = new ChildCache(4, (values) => upstreamDuration.child(values))
  const inputTokenChildren = new ChildCache(3, (values) => tokenUsage.child([...values, 'input']))
  const outputTokenChildren = new ChildCache(3, (values) => tokenUsage.child([...values, 'output']))
  const parseFailureChildren = new ChildCache(3, (values) => parseFailures.child(values))
  const retryChildren = new ChildCache(3, (values) => retries.child(values))
  const fallbackChildren = new ChildCache(4, (values) => fallbacks.child(values))
  const confidenceChildren = new ChildCache(2, (values) => decideConfidence.child(values))
  const retrievalChildren = new ChildCache(2, (values) => retrievalDuration.child(values))
  const escalationChildren = new ChildCache(4, (values) => escalations.child(values))
  const answerChildren = new ChildCache(2, (values) => answers.child(values))
  const scaleTokenChildren = new ChildCache(3, (values) => scaleTokens.child(values))

  // Both transports show up at zero from the start.
  for (const transport of ['http', 'grpc'] as const) {
    inFlightChildren.get(transport)
    overheadChildren.get(transport)
  }

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    declareModels(models) {
      for (const model of models) {
        if (model.stages.length > 0) stagesOfModel.set(model.id, [...model.stages])
        upstreamChildren.get('chat', model.provider, model.id, '')
        inputTokenChildren.get('chat', model.provider, model.id)
        outputTokenChildren.get('chat', model.provider, model.id)
        // Every stage, not only the routed ones: a request may pick any model by id, alias or scale.
        for (const stage of MODEL_STAGES) {
          for (const code of RETRIED_CODES) retryChildren.get(stage, model.id, code)
          stageChildren.get(stage, model.id, 'ok')
          stageChildren.get(stage, model.id, 'error')
          for (const reason of PARSE_FAILURE_REASONS) parseFailureChildren.get(stage, model.id, reason)
          if (stage === 'decide') {
            confidenceChildren.get(model.id, 'share')
            confidenceChildren.get(model.id, 'no_share')
          }
          if (model.scale !== undefined) {
            answerChildren.get(stage, model.scale)
            scaleTokenChildren.get(stage, model.scale, 'input')
            scaleTokenChildren.get(stage, model.scale, 'output')
          }
        }
        for (const step of model.escalatesTo ?? []) {
          for (const reason of ESCALATION_REASONS) escalationChildren.get(step.stage, model.id, step.to, reason)
        }
      }
    },
    observeHttp(method, route, statusCode, seconds) {
      const methodLabel = KNOWN_HTTP_METHODS.has(method) ? method : '_OTHER'
      const status = STATUS_STRINGS[statusCode] ?? String(statusCode)
      httpChildren.get(methodLabel, route, status).observe(seconds)
    },
    observeGrpc(service, method, code, seconds) {
      grpcHandledChildren.get(service, method, code).inc()
      grpcHandlingChildren.get(service, method, code).observe(seconds)
    },
    observeOverhead(transport, seconds) {
      overheadChildren.get(transport).observe(Math.max(0, seconds))
    },
    trackInFlight(transport, delta) {
      const child = inFlightChildren.get(transport)
      if (delta > 0) child.inc()
      else child.dec()
    },
    observeStage(stage, model, outcome, seconds) {
      stageChildren.get(stage, model, outcome).observe(seconds)
    },
    observeUpstream(operation, provider, model, errorType, seconds) {
      upstreamChildren.get(operation, provider, model, errorType).observe(seconds)
    },
    observeTokens(operation, provider, model, inputTokens, outputTokens) {
      inputTokenChildren.get(operation, provider, model).observe(inputTokens)
      outputTokenChildren.get(operation, provider, model).observe(outputTokens)
    },
    countParseFailure(stage, model, reason) {
      parseFailureChildren.get(stage, model, reason).inc()
    },
    countRetry(stage, model, errorCode) {
      retryChildren.get(stage, model, errorCode).inc()
    },
    countFallback(stage, from, to, reason) {
      fallbackChildren.get(stage, from, to, reason).inc()
    },
    countEscalation(stage, from, to, reason) {
      escalationChildren.get(stage, from, to, reason).inc()
    },
    countAnswer(stage, scale) {
      answerChildren.get(stage, scale).inc()
    },
    countTokensByScale(stage, scale, inputTokens, outputTokens) {
      scaleTokenChildren.get(stage, scale, 'input').inc(inputTokens)
      scaleTokenChildren.get(stage, scale, 'output').inc(outputTokens)
    },
    observeDecideConfidence(model, share, confidence) {
      confidenceChildren.get(model, share ? 'share' : 'no_share').observe(confidence)
    },
    observeRetrieval(index, outcome, seconds) {
      retrievalChildren.get(index, outcome).observe(seconds)
    },
    setBreakerSource(source) {
      breakerSource = source
    },
  }
}
