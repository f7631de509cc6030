/**
 * A registry model served by an OpenAI-compatible chat-completions endpoint, called through the
 * real `openai` SDK. One call is one attempt: the SDK never retries, the attempt is bounded by its
 * own timer and by the request's signal, and every failure leaves as a catalog error.
 */
import type OpenAI from 'openai'
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions'
import type { Usage } from '../../core/types.js'
import { DriberError } from '../../errors.js'
import type { ModelEntry } from '../../registry/registry-schema.js'
import type { ChatModel, ChatRequest, ChatResponse, FinishReason } from '../provider.js'
import type { ClientLease } from './openai-client-pool.js'
import { withAttempt } from './openai-attempt.js'

/**
 * `finish_reason` spellings of OpenAI-compatible servers (and the proxies in front of other APIs),
 * lower-cased. Only a token-limit stop may become `length`: the core reports `truncated` for it
 * alone, and the runbook answers `truncated` with "raise max_tokens".
 */
const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  eos: 'stop',
  eos_token: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  length: 'length',
  max_tokens: 'length',
  model_length: 'length',
  content_filter: 'content_filter',
  safety: 'content_filter',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  tool_use: 'tool_calls',
}

/** A wire `finish_reason` -> ours; anything unknown is `unknown` (never `length`). */
export const toFinishReason = (wire: unknown): FinishReason => (typeof wire === 'string' ? FINISH_REASONS[wire.toLowerCase()] : undefined) ?? 'unknown'

/** OpenAI usage -> ours; servers that omit usage (some local ones) report zeros rather than guesses. */
export const toUsage = (usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null | undefined): Usage => {
  const input = usage?.prompt_tokens ?? 0
  const output = usage?.completion_tokens ?? 0
  return { input_tokens: input, output_tokens: output, total_tokens: usage?.total_tokens ?? input + output }
}

/** `response_format` for the model's structured-output capability. */
export const responseFormatFor = (output: ChatRequest['output']): ChatCompletionCreateParamsNonStreaming['response_format'] => {
  switch (output.mode) {
    case 'json_schema':
      return { type: 'json_schema', json_schema: { name: output.name, schema: output.schema, strict: true } }
    case 'json_object':
      return { type: 'json_object' }
    case 'text':
      return undefined
  }
}

export class OpenAIChatModel implements ChatModel {
  readonly id: string
  readonly provider = 'openai'
  readonly #entry: ModelEntry
  readonly #lease: ClientLease
  readonly #client: OpenAI
  readonly #headers: Record<string, string>
  /** Built once: the SDK merges it into every request, so a per-call object would be pure garbage. */
  readonly #fetchOptions: Record<string, unknown>

  constructor(entry: ModelEntry, lease: ClientLease) {
    this.id = entry.id
    this.#entry = entry
    this.#lease = lease
    this.#client = lease.client
    this.#headers = { ...entry.headers }
    this.#fetchOptions = { dispatcher: lease.dispatcher }
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: this.#entry.upstream_model ?? this.#entry.id,
      messages: request.messages,
      ...decodingParameters(request.decoding),
    }
    const responseFormat = responseFormatFor(request.output)
    if (responseFormat !== undefined) body.response_format = responseFormat

    const completion: ChatCompletion = await withAttempt(
      { model: this.id, timeoutMs: request.timeoutMs, requestSignal: request.signal },
      (signal, budgetMs) =>
        this.#client.chat.completions.create(body, {
          signal,
          timeout: budgetMs,
          maxRetries: 0,
          headers: { ...this.#headers, 'x-request-id': request.requestId },
          fetchOptions: this.#fetchOptions,
        }),
    )
    return toChatResponse(completion, this.id)
  }

  async close(): Promise<void> {
    await this.#lease.release()
  }
}

const decodingParameters = (decoding: ChatRequest['decoding']): Partial<ChatCompletionCreateParamsNonStreaming> => {
  const out: Partial<ChatCompletionCreateParamsNonStreaming> = {}
  if (decoding.temperature !== undefined) out.temperature = decoding.temperature
  if (decoding.top_p !== undefined) out.top_p = decoding.top_p
  // `max_tokens` rather than `max_completion_tokens`: every OpenAI-compatible server understands it.
  if (decoding.max_tokens !== undefined) out.max_tokens = decoding.max_tokens
  if (decoding.seed !== undefined) out.seed = decoding.seed
  return out
}

const toChatResponse = (completion: ChatCompletion, model: string): ChatResponse => {
  // A 200 without choices is a broken upstream, not an empty answer.
  const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined
  if (choice === undefined) {
    throw new DriberError('UPSTREAM_UNAVAILABLE', { message: 'The model backend answered without choices', details: { model } })
  }
  const message = choice.message as ChatCompletion.Choice['message'] | undefined
  return {
    content: typeof message?.content === 'string' ? message.content : '',
    finishReason: toFinishReason(choice.finish_reason),
    refusal: typeof message?.refusal === 'string' ? message.refusal : null,
    usage: toUsage(completion.usage),
  }
}
