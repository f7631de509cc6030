/**
 * In-memory doubles for core tests: a `ChatModel` that answers from a script, a router over such
 * models, an image-index set, and a request context whose abort and deadline a test controls.
 * No network; the HTTP-level fake upstream lives in fake-upstream.ts.
 */
import pino from 'pino'
import type { RequestContext } from '../../src/core/request-context.js'
import type { ModelRouter, RoutedModel } from '../../src/core/model-router.js'
import type { Stage, Usage } from '../../src/core/types.js'
import { DriberError } from '../../src/errors.js'
import type { ChatModel, ChatRequest, ChatResponse, FinishReason, OutputMode } from '../../src/providers/provider.js'
import type { ImageIndex, ImageIndexes, SearchOptions } from '../../src/retrieval/image-index.js'
import type { ImageResult } from '../../src/core/types.js'

/** One scripted answer. */
export type Step =
  /** A response; objects are JSON-encoded. */
  | { reply: unknown; finishReason?: FinishReason; refusal?: string; usage?: Usage }
  /** The provider throws this error. */
  | { fail: DriberError }
  /** Never answers; rejects when the request signal aborts (a well-behaved provider). */
  | { hang: true }
  /** Never answers and ignores every signal (a broken provider). */
  | { hangForever: true }
  /** Waits for `release()` before answering with `then`. */
  | { gate: Promise<void>; then: Step }

export const USAGE: Usage = { input_tokens: 10, output_tokens: 5, total_tokens: 15 }

export class ScriptedChatModel implements ChatModel {
  readonly provider = 'scripted'
  readonly requests: Array<ChatRequest & { at: number }> = []
  private readonly steps: Step[]

  /** `fallbackStep` answers once the script is used up (default: fail the test loudly with INTERNAL). */
  constructor(
    readonly id: string,
    steps: Step[] = [],
    private readonly fallbackStep?: Step,
  ) {
    this.steps = [...steps]
  }

  get calls(): number {
    return this.requests.length
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    this.requests.push({ ...request, messages: [...request.messages], at: Date.now() })
    const step = this.steps.shift() ?? this.fallbackStep
    if (step === undefined) throw new DriberError('INTERNAL', { message: `script for ${this.id} is used up` })
    return this.play(step, request)
  }

  private async play(step: Step, request: ChatRequest): Promise<ChatResponse> {
    if ('fail' in step) throw step.fail
    if ('hang' in step) {
      return new Promise<ChatResponse>((_resolve, reject) => {
        const onAbort = (): void => reject(new DriberError('UPSTREAM_TIMEOUT', { cause: request.signal.reason }))
        if (request.signal.aborted) onAbort()
        else request.signal.addEventListener('abort', onAbort, { once: true })
      })
    }
    if ('hangForever' in step) return new Promise<ChatResponse>(() => {})
    if ('gate' in step) {
      await step.gate
      return this.play(step.then, request)
    }
    return {
      content: typeof step.reply === 'string' ? step.reply : JSON.stringify(step.reply),
      finishReason: step.finishReason ?? 'stop',
      refusal: step.refusal ?? null,
      usage: step.usage ?? USAGE,
    }
  }
}

export interface RoutedOptions {
  output?: OutputMode
  timeoutMs?: number
  maxConcurrency?: number
  maxQueue?: number
}

export const routed = (chat: ChatModel, options: RoutedOptions = {}): RoutedModel => ({
  id: chat.id,
  provider: chat.provider,
  scale: 'small',
  output: options.output ?? 'json_schema',
  decoding: { temperature: 0 },
  timeoutMs: options.timeoutMs ?? 5_000,
  maxConcurrency: options.maxConcurrency ?? 8,
  maxQueue: options.maxQueue ?? 8,
  chat,
})

/** A router whose every stage uses `models` in order; a requested id narrows to that model. */
export const scriptedRouter = (models: RoutedModel[], routes: Partial<Record<Stage, RoutedModel[]>> = {}): ModelRouter & { asked: Array<{ stage: Stage; requested?: string }> } => {
  const asked: Array<{ stage: Stage; requested?: string }> = []
  return {
    asked,
    route(stage: Stage, requested?: string): readonly RoutedModel[] {
      asked.push(requested === undefined ? { stage } : { stage, requested })
      const route = routes[stage] ?? models
      if (requested === undefined) return route
      const chosen = models.filter((model) => model.id === requested)
      if (chosen.length === 0) throw new DriberError('UNKNOWN_MODEL', { details: { known: models.map((model) => model.id) } })
      return chosen
    },
  }
}

/** An image index answering from a fixed list, recording the descriptions it was asked about. */
export class ListIndex implements ImageIndex {
  readonly embedderId = 'test-embedder'
  readonly queries: string[][] = []
  /** The optional search parameters of each query (`filter`, `ef`), as the core passed them. */
  readonly tunings: Array<Pick<SearchOptions, 'filter' | 'ef'>> = []
  constructor(
    readonly name: string,
    private readonly images: ImageResult[],
  ) {}
  get size(): number {
    return this.images.length
  }
  async search(descriptions: string[], options: SearchOptions): Promise<ImageResult[]> {
    this.queries.push(descriptions)
    this.tunings.push({ ...(options.filter === undefined ? {} : { filter: options.filter }), ...(options.ef === undefined ? {} : { ef: options.ef }) })
    return this.images.slice(0, options.k)
  }
}

/** An index set over `indexes`; unknown names throw UNKNOWN_INDEX, names in `broken` INDEX_UNAVAILABLE. */
export const indexSet = (indexes: ImageIndex[], broken: string[] = []): ImageIndexes => ({
  defaultName: indexes[0]?.name ?? broken[0] ?? 'photochat',
  get(name?: string): ImageIndex {
    const wanted = name ?? this.defaultName
    if (broken.includes(wanted)) throw new DriberError('INDEX_UNAVAILABLE', { details: { index: wanted } })
    const found = indexes.find((index) => index.name === wanted)
    if (found === undefined) throw new DriberError('UNKNOWN_INDEX', { details: { index: wanted, known: indexes.map((index) => index.name) } })
    return found
  },
  names: () => indexes.map((index) => index.name),
  status: () => indexes.map((index) => ({ name: index.name, ready: true, size: index.size })),
})

export interface TestContext {
  context: RequestContext
  controller: AbortController
  /** Abort as a transport would when the client goes away. */
  cancel(): void
  dispose(): void
}

/** A request context with a deadline `budgetMs` from now; the deadline aborts with DEADLINE_EXCEEDED like the transports do. */
export const testContext = (budgetMs = 10_000): TestContext => {
  const controller = new AbortController()
  const deadline = Date.now() + budgetMs
  const timer = setTimeout(() => controller.abort(new DriberError('DEADLINE_EXCEEDED')), budgetMs)
  return {
    controller,
    context: {
      requestId: 'test-request',
      signal: controller.signal,
      deadline,
      logger: pino({ level: 'silent' }),
      timing: { upstreamSeconds: 0 },
    },
    cancel: () => controller.abort(new DriberError('CANCELLED')),
    dispose: () => clearTimeout(timer),
  }
}

/** An observer that records every event, by kind. */
export const recordingObserver = () => {
  const events: Array<{ kind: string; event: Record<string, unknown> }> = []
  const record = (kind: string) => (event: object) => {
    events.push({ kind, event: event as Record<string, unknown> })
  }
  return {
    events,
    of: (kind: string) => events.filter((entry) => entry.kind === kind).map((entry) => entry.event),
    observer: {
      upstreamCall: record('upstreamCall'),
      parseFailure: record('parseFailure'),
      retry: record('retry'),
      fallback: record('fallback'),
      escalation: record('escalation'),
      answered: record('answered'),
      stageDone: record('stageDone'),
      decideConfidence: record('decideConfidence'),
    },
  }
}

/** A promise plus its release, for gating scripted answers. */
export const gate = (): { promise: Promise<void>; release: () => void } => {
  let release: () => void = () => {}
  const promise = new Promise<void>((resolve) => {
    release = resolve
  })
  return { promise, release }
}
