/**
 * Runs one model stage over its route: for each model in order, call it (inside its bulkhead and
 * circuit breaker, retrying what the policy table says to retry), parse and validate the answer,
 * re-ask the same model when the answer is unusable, and fall back to the next model when the model
 * cannot deliver. Everything it does is recorded in `attempts`, summed in `usage`, added to the
 * request's upstream time and reported to the observer.
 *
 * A parse failure is never turned into an answer: when no model produced a valid one, the stage
 * throws (PARSE_FAILURE when unusable answers were all there was, otherwise the most telling upstream error).
 */
import { performance } from 'node:perf_hooks'
import { isBrokenCircuitError, isTaskCancelledError, type RetryPolicy } from 'cockatiel'
import { DriberError, isDriberError, toDriberError, type ErrorKind } from '../errors.js'
import type { ChatMessage, ChatRequest, ChatResponse, StageTask } from '../providers/provider.js'
import { abortError, raceAbort, sleep, throwIfOver } from './abort.js'
import { Bulkheads } from './bulkheads.js'
import { CircuitBreakers, markUnansweredProbe, type BreakerState } from './circuit-breakers.js'
import type { ModelRouter, RoutedModel } from './model-router.js'
import { parseModelOutput, type SemanticCheck } from './output-parser.js'
import type { OutputContract } from './output-schemas.js'
import { renderReask } from './prompts/reask-prompt.js'
import type { RequestContext } from './request-context.js'
import { createRetryPolicy, markFinal, policyFor, retryDelayMs, type ResilienceSettings } from './retry-policy.js'
import type { FallbackReason, StageObserver } from './stage-observer.js'
import type { Attempt, ModelAnswer, Stage, Usage } from './types.js'

export interface StageRunnerOptions {
  router: ModelRouter
  observer: StageObserver
  resilience: ResilienceSettings
  /** Re-asks of the same model after an unusable answer, before falling back. */
  reasks: number
}

/** What a stage hands the runner: the prompt, the output contract, and the checks that give the answer meaning. */
export interface StageSpec<Raw, Result> {
  stage: Stage
  task: StageTask
  messages: ChatMessage[]
  contract: OutputContract<Raw>
  interpret: SemanticCheck<Raw, Result>
  /** A model id, alias or scale from the request. */
  model?: string
  /**
   * The answer's confidence, for cascades (Decide: the decision's; Rank: the top candidate's).
   * Absent, or returning undefined, means the answer is always accepted.
   */
  confidence?: (value: Result) => number | undefined
  /** False: accept the first valid answer even where the route cascades (the request opted out). */
  cascade?: boolean
  /** A model id to ask first, before the stage's route (Share's Describe following Decide's cascade). */
  prefer?: string
}

export interface StageOutcome<Result> {
  value: Result
  answer: ModelAnswer
}

/** The part of a stage spec an upstream call needs. */
type CallSpec = Pick<StageSpec<unknown, unknown>, 'stage' | 'task'> & { contract: Pick<OutputContract<unknown>, 'name' | 'schema'> }

type ModelOutcome<Result> = { ok: true; value: Result } | { ok: false; error: DriberError; reason: FallbackReason }

/** How telling each final error is when every model failed; the highest wins. */
const INFORMATIVENESS: Partial<Record<ErrorKind, number>> = {
  UPSTREAM_AUTH: 6,
  UPSTREAM_RATE_LIMITED: 5,
  UPSTREAM_TIMEOUT: 4,
  UPSTREAM_UNAVAILABLE: 3,
  INTERNAL: 2,
  OVERLOADED: 1,
  CIRCUIT_OPEN: 0,
}

/** The request itself is over: not the model's fault, nothing more is tried. */
const isRequestEnding = (error: unknown): boolean =>
  isDriberError(error) && (error.kind === 'DEADLINE_EXCEEDED' || error.kind === 'CANCELLED' || error.kind === 'SHUTTING_DOWN')

/** An attempt timeout that the request's deadline set is the deadline passing. */
const asDeadline = (error: unknown): unknown =>
  isDriberError(error) && error.kind === 'UPSTREAM_TIMEOUT' ? new DriberError('DEADLINE_EXCEEDED', { cause: error }) : error

/** Errors decided locally, without an upstream call. */
const LOCAL_REFUSALS = new Set<ErrorKind>(['OVERLOADED', 'CIRCUIT_OPEN'])

const zeroUsage = (): Usage => ({ input_tokens: 0, output_tokens: 0, total_tokens: 0 })

const addUsage = (total: Usage, extra: Usage | undefined): void => {
  if (extra === undefined) return
  total.input_tokens += extra.input_tokens
  total.output_tokens += extra.output_tokens
  total.total_tokens += extra.total_tokens
}

/** One attempt, in the stage's list and in the request's ledger (the same object: a re-ask updates both). */
const record = (context: RequestContext, attempts: Attempt[], attempt: Attempt): void => {
  attempts.push(attempt)
  context.attempts?.push(attempt)
}

const elapsedMs = (since: number): number => Math.round(performance.now() - since)

/** A copy of `error` whose details also carry the attempts made (details are read-only once built). */
const withAttempts = (error: DriberError, attempts: Attempt[]): DriberError =>
  new DriberError(error.kind, {
    message: error.message,
    details: { ...error.details, attempts },
    cause: error.cause ?? error,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  })

export class StageRunner {
  private readonly breakers: CircuitBreakers
  private readonly bulkheads: Bulkheads
  /** Stateless apart from its settings, so one instance serves every model. */
  private readonly retryPolicy: RetryPolicy

  constructor(private readonly options: StageRunnerOptions) {
    this.breakers = new CircuitBreakers(options.resilience.breaker)
    this.bulkheads = new Bulkheads(options.resilience.overloadRetryAfterMs)
    this.retryPolicy = createRetryPolicy(options.resilience)
  }

  /** In Share: Describe asks the model that answered an escalated Decide first (the registry's `share.describe_follows_decide`). */
  get describeFollowsDecide(): boolean {
    return this.options.router.describeFollowsDecide === true
  }

  /** Breaker state per model (models never called are closed), for /readyz and the breaker gauge. */
  breakerStates(known: readonly string[] = []): Array<{ model: string; state: BreakerState }> {
    return this.breakers.states(known)
  }

  /** Runs the stage; resolves with the interpreted answer, or throws a catalog error with `details.attempts`. */
  async run<Raw, Result>(spec: StageSpec<Raw, Result>, context: RequestContext): Promise<StageOutcome<Result>> {
    throwIfOver(context.signal, context.deadline)
    const route = this.routeFor(spec)
    if (route.length === 0) throw new DriberError('UNKNOWN_MODEL', { message: `No model is routed for ${spec.stage}`, details: { stage: spec.stage } })
    const thresholds = spec.model === undefined && spec.cascade !== false && spec.confidence !== undefined ? this.options.router.cascade?.(spec.stage) : undefined
    const attempts: Attempt[] = []
    const usage = zeroUsage()
    const failures: DriberError[] = []
    // The last valid answer a cascade escalated: answered when every model after it fails.
    let held: { value: Result; model: RoutedModel } | undefined
    for (let index = 0; index < route.length; index++) {
      const model = route[index] as RoutedModel
      const outcome = await this.runModel(model, spec, context, attempts, usage)
      if (outcome.ok) {
        const next = route[index + 1]
        const threshold = thresholds?.get(model.id)
        const confidence = threshold === undefined || next === undefined ? undefined : spec.confidence?.(outcome.value)
        if (threshold !== undefined && next !== undefined && confidence !== undefined && confidence < threshold) {
          this.escalate(attempts, confidence, threshold)
          this.options.observer.escalation({ stage: spec.stage, from: model.id, to: next.id, reason: 'low_confidence' })
          context.logger.debug({ stage: spec.stage, from: model.id, to: next.id, confidence, min_confidence: threshold }, 'cascade escalation')
          held = { value: outcome.value, model }
          continue
        }
        return this.answered(spec, model, outcome.value, attempts, usage)
      }
      const action = policyFor(outcome.error).action
      if (held !== undefined && !context.signal.aborted) return this.answered(spec, held.model, held.value, attempts, usage)
      if (action === 'stop' || action === 'fail') throw withAttempts(outcome.error, attempts)
      failures.push(outcome.error)
      const next = route[index + 1]
      if (next !== undefined) {
        this.options.observer.fallback({ stage: spec.stage, from: model.id, to: next.id, reason: outcome.reason })
        context.logger.debug({ stage: spec.stage, from: model.id, to: next.id, reason: outcome.reason, code: outcome.error.code }, 'model fallback')
      }
    }
    throw this.finalError(failures, attempts)
  }

  /** The route for this spec: the router's, with `prefer` moved (or added) to the front. */
  private routeFor<Raw, Result>(spec: StageSpec<Raw, Result>): readonly RoutedModel[] {
    const route = this.options.router.route(spec.stage, spec.model)
    if (spec.prefer === undefined || spec.model !== undefined || route[0]?.id === spec.prefer) return route
    const preferred = this.options.router.route(spec.stage, spec.prefer)[0]
    if (preferred === undefined) return route
    return [preferred, ...route.filter((model) => model.id !== preferred.id)]
  }

  /** Marks the model's accepted call (the last attempt) as escalated: valid, but below the cascade's threshold. */
  private escalate(attempts: Attempt[], confidence: number, threshold: number): void {
    const last = attempts[attempts.length - 1]
    if (last === undefined) return
    last.outcome = 'escalated'
    last.escalation_reason = 'low_confidence'
    last.confidence = confidence
    last.min_confidence = threshold
  }

  private answered<Result>(spec: { stage: Stage }, model: RoutedModel, value: Result, attempts: Attempt[], usage: Usage): StageOutcome<Result> {
    this.options.observer.answered({ stage: spec.stage, model: model.id, scale: model.scale })
    return { value, answer: { model: model.id, attempts, usage } }
  }

  /** One model: call (with retries), parse, re-ask on unusable answers. Never throws; says why it gave up. */
  private async runModel<Raw, Result>(
    model: RoutedModel,
    spec: StageSpec<Raw, Result>,
    context: RequestContext,
    attempts: Attempt[],
    usage: Usage,
  ): Promise<ModelOutcome<Result>> {
    if (this.breakers.shouldSkip(model.id)) {
      record(context, attempts, { model: model.id, outcome: 'skipped', code: 'DRIBER_CIRCUIT_OPEN', duration_ms: 0 })
      const retryAfterMs = this.breakers.retryAfterMs(model.id)
      const error = new DriberError('CIRCUIT_OPEN', { details: { model: model.id }, ...(retryAfterMs > 0 ? { retryAfterMs } : {}) })
      return { ok: false, error, reason: 'circuit_open' }
    }
    let messages = spec.messages
    for (let ask = 0; ; ask++) {
      let call: { response: ChatResponse; attempt: Attempt }
      try {
        call = await this.callWithRetry(model, spec, messages, context, attempts, usage)
      } catch (error) {
        const converted = context.signal.aborted ? abortError(context.signal, context.deadline) : toDriberError(error)
        const reason: FallbackReason =
          converted.kind === 'OVERLOADED' ? 'overloaded' : converted.kind === 'CIRCUIT_OPEN' ? 'circuit_open' : 'error'
        return { ok: false, error: converted, reason }
      }
      const parsed = parseModelOutput(call.response, spec.contract, spec.interpret)
      if (parsed.ok) return { ok: true, value: parsed.value }
      call.attempt.outcome = 'parse_failure'
      call.attempt.reason = parsed.failure.reason
      this.options.observer.parseFailure({ stage: spec.stage, model: model.id, reason: parsed.failure.reason })
      if (ask >= this.options.reasks) {
        return {
          ok: false,
          error: new DriberError('PARSE_FAILURE', { details: { model: model.id, reason: parsed.failure.reason } }),
          reason: 'parse_failure',
        }
      }
      messages = [...messages, ...renderReask(call.response.content, parsed.failure)]
    }
  }

  /**
   * Calls the model, retrying on the same model while the policy table, the attempt budget and the
   * deadline allow. The wait before each retry happens here (abortable, deadline-aware).
   */
  private async callWithRetry(
    model: RoutedModel,
    spec: CallSpec,
    messages: ChatMessage[],
    context: RequestContext,
    attempts: Attempt[],
    usage: Usage,
  ): Promise<{ response: ChatResponse; attempt: Attempt }> {
    let lastError: DriberError | undefined
    return this.retryPolicy.execute(async ({ attempt }) => {
      let onCalled: (() => void) | undefined
      if (attempt > 0 && lastError !== undefined) {
        const delay = retryDelayMs(attempt, lastError, this.options.resilience)
        if (delay === undefined || delay >= context.deadline - Date.now()) throw markFinal(lastError)
        const retried = lastError
        // Counted once the call is really made: a retry the breaker or the bulkhead refuses is none.
        onCalled = () => this.options.observer.retry({ stage: spec.stage, model: model.id, errorCode: retried.code })
        // Backoff is neither upstream time nor driber's own work: the overhead measure leaves it out.
        const waitStarted = performance.now()
        try {
          await sleep(delay, context.signal, context.deadline)
        } finally {
          context.timing.retryWaitSeconds = (context.timing.retryWaitSeconds ?? 0) + (performance.now() - waitStarted) / 1000
        }
      }
      try {
        return await this.callOnce(model, spec, messages, context, attempts, usage, onCalled)
      } catch (error) {
        lastError = toDriberError(error)
        throw lastError
      }
    }, context.signal)
  }

  /** One upstream call through the model's bulkhead and breaker, with a hard per-attempt time limit. */
  private async callOnce(
    model: RoutedModel,
    spec: CallSpec,
    messages: ChatMessage[],
    context: RequestContext,
    attempts: Attempt[],
    usage: Usage,
    onCalled?: () => void,
  ): Promise<{ response: ChatResponse; attempt: Attempt }> {
    throwIfOver(context.signal, context.deadline)
    const remainingMs = context.deadline - Date.now()
    const timeoutMs = Math.max(1, Math.min(model.timeoutMs, remainingMs))
    // When the request's deadline, not the model's timeout, bounds the attempt, a timeout is the
    // deadline's doing: labelled DEADLINE_EXCEEDED whichever of the two timers fires first.
    const deadlineBound = remainingMs <= model.timeoutMs
    const queuedAt = performance.now()
    let calledAt: number | undefined
    const breaker = this.breakers.get(model.id)
    const work = this.bulkheads.get(model).execute(
      () =>
        breaker.execute(async () => {
          calledAt = performance.now()
          const probe = this.breakers.state(model.id) === 'half_open'
          onCalled?.()
          try {
            return await this.guardedChat(model, spec, messages, timeoutMs, context)
          } catch (error) {
            const converted = deadlineBound ? asDeadline(error) : error
            // A copy is marked: the request's own abort reason may be shared by other waits.
            if (probe && isDriberError(converted) && isRequestEnding(converted)) throw markUnansweredProbe(new DriberError(converted.kind, { cause: converted.cause ?? converted }))
            throw converted
          }
        }),
      context.signal,
    )
    try {
      const response = await raceAbort(work, context.signal, context.deadline)
      const duration = performance.now() - (calledAt ?? queuedAt)
      context.timing.upstreamSeconds += duration / 1000
      addUsage(usage, response.usage)
      const attempt: Attempt = { model: model.id, outcome: 'ok', duration_ms: Math.round(duration) }
      record(context, attempts, attempt)
      this.options.observer.upstreamCall({
        stage: spec.stage,
        model: model.id,
        provider: model.provider,
        scale: model.scale,
        durationSeconds: duration / 1000,
        usage: response.usage,
      })
      return { response, attempt }
    } catch (error) {
      const converted = this.convertCallError(deadlineBound ? asDeadline(error) : error, model.id, context)
      if (calledAt === undefined) {
        record(context, attempts, { model: model.id, outcome: 'skipped', code: converted.code, duration_ms: elapsedMs(queuedAt) })
      } else {
        const duration = performance.now() - calledAt
        context.timing.upstreamSeconds += duration / 1000
        record(context, attempts, { model: model.id, outcome: 'error', code: converted.code, duration_ms: Math.round(duration) })
        this.options.observer.upstreamCall({
          stage: spec.stage,
          model: model.id,
          provider: model.provider,
          scale: model.scale,
          durationSeconds: duration / 1000,
          errorCode: converted.code,
        })
      }
      throw converted
    }
  }

  private convertCallError(error: unknown, model: string, context: RequestContext): DriberError {
    if (context.signal.aborted || isTaskCancelledError(error)) return abortError(context.signal, context.deadline)
    if (isBrokenCircuitError(error)) {
      // The breaker opened during this request (it was closed when routing looked): the same hint
      // as when it was already open.
      const retryAfterMs = this.breakers.retryAfterMs(model)
      return new DriberError('CIRCUIT_OPEN', { details: { model }, ...(retryAfterMs > 0 ? { retryAfterMs } : {}) })
    }
    return toDriberError(this.bulkheads.convert(error, model))
  }

  /**
   * The provider call with its own signal (aborted when the request aborts or the attempt runs out
   * of time) and a hard limit slightly past the per-attempt timeout, so even a provider that ignores
   * its timeout cannot hold the request.
   */
  private async guardedChat(
    model: RoutedModel,
    spec: CallSpec,
    messages: ChatMessage[],
    timeoutMs: number,
    context: RequestContext,
  ): Promise<ChatResponse> {
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    let onRequestAbort: () => void = () => {}
    // Settles (rejects) when the attempt runs out of time or the request ends, whichever is first,
    // so the timer and the listener below never outlive the attempt, even if the provider hangs.
    const limit = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const error = new DriberError('UPSTREAM_TIMEOUT', { message: `Model ${model.id} did not answer within ${timeoutMs} ms`, details: { model: model.id } })
        controller.abort(error)
        reject(error)
      }, timeoutMs + this.options.resilience.timeoutGraceMs)
      onRequestAbort = () => {
        controller.abort(context.signal.reason)
        reject(abortError(context.signal, context.deadline))
      }
    })
    context.signal.addEventListener('abort', onRequestAbort, { once: true })
    const request: ChatRequest = {
      stage: spec.stage,
      task: spec.task,
      messages,
      output: { mode: model.output, name: spec.contract.name, schema: spec.contract.schema },
      decoding: model.decoding,
      timeoutMs,
      signal: controller.signal,
      requestId: context.requestId,
    }
    try {
      const chat = Promise.resolve().then(() => model.chat.chat(request))
      chat.catch(() => {})
      return await Promise.race([chat, limit])
    } finally {
      clearTimeout(timer)
      context.signal.removeEventListener('abort', onRequestAbort)
    }
  }

  /** The error for a stage where every model failed (and none asked to stop or fail at once). */
  private finalError(failures: DriberError[], attempts: Attempt[]): DriberError {
    const upstream = failures.filter((error) => error.kind !== 'PARSE_FAILURE' && !LOCAL_REFUSALS.has(error.kind))
    const parseFailures = failures.filter((error) => error.kind === 'PARSE_FAILURE')
    if (parseFailures.length > 0 && upstream.length === 0) {
      const reasons = [...new Set(parseFailures.map((error) => String(error.details?.reason)))]
      return new DriberError('PARSE_FAILURE', {
        message: `No model produced a valid answer (${reasons.join(', ')})`,
        details: { attempts },
      })
    }
    let best: DriberError | undefined
    for (const error of failures) {
      if (error.kind === 'PARSE_FAILURE') continue
      if (best === undefined || (INFORMATIVENESS[error.kind] ?? 2) > (INFORMATIVENESS[best.kind] ?? 2)) best = error
    }
    return withAttempts(best ?? new DriberError('CIRCUIT_OPEN'), attempts)
  }
}
