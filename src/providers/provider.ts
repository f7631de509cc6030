/**
 * The provider boundary. A provider turns a rendered prompt into raw model text (chat) or
 * text into vectors (embeddings), and converts every failure into a catalog `DriberError`
 * before it returns. Providers never parse or validate stage output: the core does.
 */
import type { Dialogue, Restriction, Stage, Usage } from '../core/types.js'

export type OutputMode = 'json_schema' | 'json_object' | 'text'

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** The structured stage input; in-process providers (embedded) answer from it instead of the prompt. */
export type StageTask =
  /** `speakers`: everyone the answer may name (dialogue speakers, declared participants, the requested speaker). */
  | { stage: 'decide'; dialogue: Dialogue; speakers?: readonly string[]; speaker?: string }
  | { stage: 'rank'; dialogue: Dialogue }
  | { stage: 'describe'; dialogue: Dialogue; speaker?: string; restrictions: Restriction[]; n: number }

export interface Decoding {
  temperature?: number
  top_p?: number
  max_tokens?: number
  seed?: number
}

export interface ChatRequest {
  stage: Stage
  task: StageTask
  messages: ChatMessage[]
  output: { mode: OutputMode; name: string; schema: Record<string, unknown> }
  decoding: Decoding
  /** Per-attempt budget; the provider aborts the upstream call when it runs out. */
  timeoutMs: number
  /** The request's signal (client gone, overall deadline). */
  signal: AbortSignal
  requestId: string
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'unknown'

export interface ChatResponse {
  content: string
  finishReason: FinishReason
  /** Set when the upstream declined explicitly (OpenAI `message.refusal`). */
  refusal: string | null
  usage: Usage
}

export interface ChatModel {
  readonly id: string
  readonly provider: string
  chat(request: ChatRequest): Promise<ChatResponse>
  close?(): Promise<void>
}

export interface EmbedRequest {
  texts: string[]
  signal: AbortSignal
  requestId: string
  timeoutMs?: number
}

export interface EmbedResponse {
  /** One unit-length vector per text, in input order. */
  vectors: Float32Array[]
  usage: Usage
}

export interface EmbeddingModel {
  readonly id: string
  readonly provider: string
  /** Known dimension, or undefined until the first call tells. */
  readonly dimension: number | undefined
  /** What besides `id` decides the vectors (backend, upstream model, dimension): on-disk caches key on it. */
  readonly fingerprint?: string
  embed(request: EmbedRequest): Promise<EmbedResponse>
  close?(): Promise<void>
}
