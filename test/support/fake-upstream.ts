/**
 * A scriptable OpenAI-compatible server for tests and benchmarks: a real `node:http` server on
 * 127.0.0.1 speaking the chat-completions and embeddings wire formats, so the real `openai` SDK,
 * undici and our timeouts all run exactly as they do against a live backend.
 *
 * Each request is answered by, in order: the next scripted behaviour (FIFO), the test's responder
 * function, or the default responder (valid stage JSON chosen from the request's schema name or
 * prompt; deterministic unit vectors for embeddings). Every request is recorded, and the server
 * notices when a client gives up on one, so tests can prove a call was really cut off.
 */
import { createHash } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** Common to every behaviour: wait this long before answering. */
interface Timed {
  delayMs?: number
}

/** The usual values, or any other spelling a server might send. */
export type FinishReasonWire = 'stop' | 'length' | 'content_filter' | 'tool_calls' | (string & {})

/** What the fake does with one request. */
export type Behaviour = Timed &
  (
    | { kind: 'default' }
    /** A chat answer whose content is `JSON.stringify(value)`. */
    | { kind: 'json'; value: unknown; finishReason?: FinishReasonWire }
    /** A chat answer with this exact content (malformed JSON, prose-wrapped, fenced ...). */
    | { kind: 'content'; content: string; finishReason?: FinishReasonWire }
    /** Cut off by the token limit: `finish_reason: "length"` and JSON that stops mid-way. */
    | { kind: 'truncated'; content?: string }
    /** An explicit refusal: `message.refusal` set, `content` null. */
    | { kind: 'refusal'; refusal?: string }
    /** A choice whose content is empty (`null` when `asNull`). */
    | { kind: 'empty'; asNull?: boolean }
    /** Any status with an OpenAI-style error body. */
    | { kind: 'status'; status: number; message?: string; code?: string; headers?: Record<string, string> }
    /** 429 with `Retry-After` in seconds, an HTTP date, and/or `retry-after-ms`. */
    | { kind: 'rate_limited'; retryAfterSeconds?: number; retryAfterDate?: Date; retryAfterMs?: number }
    /** Headers at once, then the body of `then` (default: the default answer) in `chunks` pieces, `intervalMs` apart; `stallAfter` chunks, stop sending but keep the socket open. */
    | { kind: 'drip'; intervalMs: number; chunks?: number; stallAfter?: number; then?: Behaviour }
    /** Headers and part of the body, then the socket is destroyed. */
    | { kind: 'reset'; afterBytes?: number }
    /** The socket is destroyed before any response byte. */
    | { kind: 'drop' }
    /** Accept the request and never answer. */
    | { kind: 'hang' }
    /** Embeddings with these exact vectors (not normalised), for one request. */
    | { kind: 'embeddings'; vectors: number[][]; shuffle?: boolean }
  )

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** Parsed JSON body, or the raw text when it is not JSON. */
  body: unknown
  /** Epoch ms when the body had arrived. */
  receivedAt: number
  /** Which behaviour answered (its `kind`). */
  behaviour: Behaviour['kind']
  /** True once the response was fully sent. */
  completed: boolean
  /** True when the client closed the connection before the response ended. */
  aborted: boolean
}

export type Responder = (request: RecordedRequest) => Behaviour | undefined

export interface FakeUpstreamOptions {
  /** Default 0: an ephemeral port. */
  port?: number
  host?: string
  /** Answers requests the FIFO does not; return undefined for the default answer. */
  responder?: Responder
  /** Added before every answer (benchmarks). */
  latencyMs?: number
  /** Dimension of default embeddings. */
  embeddingDimension?: number
  /** Keep every request in `requests` (default true). Benchmarks turn it off so memory stays flat. */
  record?: boolean
}

export interface FakeUpstream {
  /** `http://127.0.0.1:PORT/v1` */
  readonly baseUrl: string
  readonly port: number
  /** Every request received, in arrival order (empty when `record` is false). */
  readonly requests: RecordedRequest[]
  /** Requests received, recorded or not. */
  readonly requestCount: number
  /** Chat-completions requests only. */
  readonly chatRequests: RecordedRequest[]
  readonly embeddingRequests: RecordedRequest[]
  /** Sockets open right now. */
  readonly openConnections: number
  /** Sockets ever accepted. */
  readonly totalConnections: number
  /** Requests the client gave up on before the response ended. */
  readonly abortedCount: number
  /** Queue behaviours for the next requests, in order. */
  script(...behaviours: Behaviour[]): void
  /** Queue `count` copies of one behaviour (a 500 burst, a 429 storm). */
  scriptRepeat(behaviour: Behaviour, count: number): void
  /** Behaviours still queued. */
  readonly pending: number
  setResponder(responder: Responder | undefined): void
  /** Resolves once `count` requests have been received in total. */
  waitForRequests(count: number): Promise<void>
  /** Resolves once `count` requests have been aborted by clients in total. */
  waitForAborted(count: number): Promise<void>
  /** Resolves once no socket is open. */
  waitForIdle(): Promise<void>
  /** Stops listening and destroys every open socket (hanging requests included). */
  close(): Promise<void>
}

/** Chat-completions JSON for one choice. */
const completion = (
  model: string,
  message: { content: string | null; refusal?: string | null },
  finishReason: FinishReasonWire,
  promptText: string,
): Record<string, unknown> => {
  const promptTokens = Math.max(1, Math.ceil(promptText.length / 4))
  const completionTokens = Math.max(1, Math.ceil((message.content ?? message.refusal ?? '').length / 4))
  return {
    id: `chatcmpl-fake-${Math.random().toString(36).slice(2, 10)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: message.content, refusal: message.refusal ?? null },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  }
}

interface ChatBody {
  model?: string
  messages?: Array<{ role?: string; content?: unknown }>
  response_format?: { type?: string; json_schema?: { name?: string } }
}

const promptText = (body: ChatBody): string =>
  (body.messages ?? []).map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? ''))).join('\n')

/** What the prompt looks like, read loosely: the core owns the exact wording. */
export interface PromptFacts {
  stage: 'decide' | 'rank' | 'describe'
  turns: Array<{ index: number; speaker: string; text: string }>
  speakers: string[]
  /** The speaker the prompt fixes, if any. */
  speaker: string | undefined
  /** Descriptions asked for. */
  n: number
}

const parseJsonString = (literal: string): string => {
  try {
    const value: unknown = JSON.parse(literal)
    return typeof value === 'string' ? value : literal
  } catch {
    return literal
  }
}

/** Reads stage, turns, speakers and `n` from a rendered prompt; tolerant of wording changes. */
export const readPrompt = (body: ChatBody): PromptFacts => {
  const text = promptText(body)
  const schemaName = body.response_format?.json_schema?.name
  let stage: PromptFacts['stage']
  if (schemaName === 'driber_describe' || (schemaName === undefined && text.includes('"descriptions"'))) stage = 'describe'
  else if (schemaName === 'driber_rank' || (schemaName === undefined && text.includes('"candidates"'))) stage = 'rank'
  else stage = 'decide'
  const turns: PromptFacts['turns'] = []
  for (const match of text.matchAll(/^\[turn (\d+)\] ("(?:[^"\\]|\\.)*"): ("(?:[^"\\]|\\.)*")$/gm)) {
    turns.push({ index: Number(match[1]), speaker: parseJsonString(match[2] as string), text: parseJsonString(match[3] as string) })
  }
  const speakers = [...new Set(turns.map((turn) => turn.speaker))]
  const fixed = /"speaker" is exactly ("(?:[^"\\]|\\.)*")/.exec(text)
  const count = /exactly (\d+) items?/.exec(text)
  return {
    stage,
    turns,
    speakers,
    speaker: fixed === null ? undefined : parseJsonString(fixed[1] as string),
    n: count === null ? 1 : Math.max(1, Number(count[1])),
  }
}

/** The default valid answer for a chat request, as the value the content will hold. */
export const defaultStageAnswer = (body: ChatBody): unknown => {
  const facts = readPrompt(body)
  const last = facts.turns.length > 0 ? Math.max(...facts.turns.map((turn) => turn.index)) : 0
  const lastText = facts.turns.find((turn) => turn.index === last)?.text ?? 'the conversation'
  switch (facts.stage) {
    case 'decide':
      return {
        share: true,
        speaker: facts.speaker ?? facts.speakers[0] ?? 'A',
        confidence: 0.8,
        intents: ['information_dissemination'],
        trigger_turn: last,
        rationale: 'The last turn invites a photo.',
      }
    case 'rank':
      return { candidates: [{ turn: last, confidence: 0.8, rationale: 'A photo would answer this turn.' }] }
    case 'describe': {
      const words = lastText
        .toLowerCase()
        .replace(/[^a-z0-9 ]+/g, ' ')
        .split(/\s+/)
        .filter((word) => word.length > 3)
        .slice(0, 3)
      const salient = words.length > 0 ? words : ['photo']
      return {
        descriptions: Array.from({ length: facts.n }, (_, index) => ({
          text: `An image of ${salient.join(' ')}${index === 0 ? '' : `, view ${index + 1}`}`,
          salient,
        })),
      }
    }
  }
}

/**
 * A deterministic unit vector for `text`: SHA-256 in counter mode, mapped to [-1, 1], normalised.
 * Equal texts give equal vectors (cosine 1), so tests can predict which caption a query ranks first.
 */
export const fakeEmbedding = (text: string, dimension: number): number[] => {
  const values: number[] = []
  for (let block = 0; values.length < dimension; block++) {
    const digest = createHash('sha256').update(`${block}\u0000${text}`).digest()
    for (let i = 0; i + 1 < digest.length && values.length < dimension; i += 2) values.push(digest.readUInt16BE(i) / 32767.5 - 1)
  }
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0)) || 1
  return values.map((value) => value / norm)
}

const errorBody = (message: string, type: string, code: string | null): string =>
  JSON.stringify({ error: { message, type, param: null, code } })

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve()
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })

/** Starts the fake on 127.0.0.1 (port 0 unless told). Always `close()` it (`t.teardown(upstream.close)`). */
export const startFakeUpstream = async (options: FakeUpstreamOptions = {}): Promise<FakeUpstream> => {
  const queue: Behaviour[] = []
  let responder = options.responder
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  let totalConnections = 0
  let abortedCount = 0
  let requestCount = 0
  const events = new EventEmitter()
  const dimension = options.embeddingDimension ?? 16
  // Aborted on close: cancels every pending delay and drip so nothing outlives the server.
  const closing = new AbortController()

  const chatBody = (behaviour: Behaviour, body: ChatBody): { status: number; text: string } | undefined => {
    const model = body.model ?? 'fake-model'
    const prompt = promptText(body)
    switch (behaviour.kind) {
      case 'default':
        return { status: 200, text: JSON.stringify(completion(model, { content: JSON.stringify(defaultStageAnswer(body)) }, 'stop', prompt)) }
      case 'json':
        return { status: 200, text: JSON.stringify(completion(model, { content: JSON.stringify(behaviour.value) }, behaviour.finishReason ?? 'stop', prompt)) }
      case 'content':
        return { status: 200, text: JSON.stringify(completion(model, { content: behaviour.content }, behaviour.finishReason ?? 'stop', prompt)) }
      case 'truncated': {
        const full = JSON.stringify(defaultStageAnswer(body))
        const content = behaviour.content ?? full.slice(0, Math.max(1, Math.floor(full.length / 2)))
        return { status: 200, text: JSON.stringify(completion(model, { content }, 'length', prompt)) }
      }
      case 'refusal':
        return {
          status: 200,
          text: JSON.stringify(completion(model, { content: null, refusal: behaviour.refusal ?? 'I cannot help with that request.' }, 'stop', prompt)),
        }
      case 'empty':
        return { status: 200, text: JSON.stringify(completion(model, { content: behaviour.asNull === true ? null : '' }, 'stop', prompt)) }
      default:
        return undefined
    }
  }

  const embeddingBody = (behaviour: Behaviour, body: { model?: string; input?: unknown }): { status: number; text: string } | undefined => {
    const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input ?? '')]
    let vectors: number[][]
    if (behaviour.kind === 'embeddings') vectors = behaviour.vectors
    else if (behaviour.kind === 'default') vectors = inputs.map((input) => fakeEmbedding(input, dimension))
    else return undefined
    const data = vectors.map((embedding, index) => ({ object: 'embedding', index, embedding }))
    if (behaviour.kind === 'embeddings' && behaviour.shuffle === true) data.reverse()
    const tokens = inputs.reduce((sum, input) => sum + Math.max(1, Math.ceil(input.length / 4)), 0)
    return {
      status: 200,
      text: JSON.stringify({ object: 'list', data, model: body.model ?? 'fake-embed', usage: { prompt_tokens: tokens, total_tokens: tokens } }),
    }
  }

  const answer = async (record: RecordedRequest, behaviour: Behaviour, response: ServerResponse, socket: Socket): Promise<void> => {
    const delay = (behaviour.delayMs ?? 0) + (options.latencyMs ?? 0)
    if (delay > 0) await sleep(delay, closing.signal)
    if (record.aborted || closing.signal.aborted) return
    const isEmbeddings = record.path.endsWith('/embeddings')
    const isChat = record.path.endsWith('/chat/completions')
    const send = (status: number, text: string, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers })
      response.end(text)
    }
    switch (behaviour.kind) {
      case 'hang':
        return
      case 'drop':
        socket.destroy()
        return
      case 'status': {
        const type = behaviour.status >= 500 ? 'server_error' : 'invalid_request_error'
        send(behaviour.status, errorBody(behaviour.message ?? `Fake upstream status ${behaviour.status}`, type, behaviour.code ?? null), behaviour.headers)
        return
      }
      case 'rate_limited': {
        const headers: Record<string, string> = {}
        if (behaviour.retryAfterSeconds !== undefined) headers['retry-after'] = String(behaviour.retryAfterSeconds)
        if (behaviour.retryAfterDate !== undefined) headers['retry-after'] = behaviour.retryAfterDate.toUTCString()
        if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = String(behaviour.retryAfterMs)
        send(429, errorBody('Rate limit reached for requests', 'requests', 'rate_limit_exceeded'), headers)
        return
      }
      case 'reset': {
        const full = isChat ? chatBody({ kind: 'default' }, record.body as ChatBody)?.text : embeddingBody({ kind: 'default' }, record.body as never)?.text
        const text = full ?? '{}'
        const cut = Math.min(behaviour.afterBytes ?? Math.floor(text.length / 2), text.length - 1)
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) })
        response.write(text.slice(0, cut), () => socket.destroy())
        return
      }
      case 'drip': {
        const inner = behaviour.then ?? { kind: 'default' }
        const body = isEmbeddings ? embeddingBody(inner, record.body as never) : chatBody(inner, record.body as ChatBody)
        const text = body?.text ?? '{}'
        const chunks = Math.max(1, behaviour.chunks ?? 4)
        const size = Math.ceil(text.length / chunks)
        response.writeHead(body?.status ?? 200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) })
        response.flushHeaders()
        for (let index = 0; index < chunks; index++) {
          if (behaviour.stallAfter !== undefined && index >= behaviour.stallAfter) return
          if (index > 0) await sleep(behaviour.intervalMs, closing.signal)
          if (record.aborted || closing.signal.aborted) return
          response.write(text.slice(index * size, (index + 1) * size))
        }
        response.end()
        return
      }
      default: {
        const body = isEmbeddings ? embeddingBody(behaviour, record.body as never) : isChat ? chatBody(behaviour, record.body as ChatBody) : undefined
        if (body === undefined) {
          send(404, errorBody(`The fake upstream cannot answer ${record.method} ${record.path} with "${behaviour.kind}"`, 'invalid_request_error', 'not_found'))
          return
        }
        send(body.status, body.text)
      }
    }
  }

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    let body: unknown = raw
    try {
      body = raw === '' ? undefined : JSON.parse(raw)
    } catch {
      // Kept as text; a test may be checking exactly that.
    }
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path: (request.url ?? '/').split('?')[0] as string,
      headers: request.headers,
      body,
      receivedAt: Date.now(),
      behaviour: 'default',
      completed: false,
      aborted: false,
    }
    response.on('close', () => {
      if (response.writableFinished) {
        record.completed = true
      } else {
        record.aborted = true
        abortedCount++
        events.emit('change')
      }
    })
    const behaviour = queue.shift() ?? responder?.(record) ?? { kind: 'default' }
    record.behaviour = behaviour.kind
    requestCount++
    if (options.record !== false) requests.push(record)
    events.emit('change')
    if (record.method !== 'POST' && !(record.method === 'GET' && record.path.endsWith('/models'))) {
      response.writeHead(405, { 'content-type': 'application/json' })
      response.end(errorBody('Only POST is supported', 'invalid_request_error', null))
      return
    }
    if (record.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: 'driber-tests' }] }))
      return
    }
    await answer(record, behaviour, response, request.socket)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end()
      else response.destroy()
    })
  })
  // Keep-alive like a real server, so pooling is exercised; timeouts off so only the client decides.
  server.keepAliveTimeout = 5_000
  server.headersTimeout = 0
  server.requestTimeout = 0
  server.on('connection', (socket: Socket) => {
    totalConnections++
    sockets.add(socket)
    events.emit('change')
    socket.on('close', () => {
      sockets.delete(socket)
      events.emit('change')
    })
  })
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1')
  await once(server, 'listening')
  const address = server.address() as AddressInfo
  const host = options.host ?? '127.0.0.1'

  const waitUntil = (condition: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      if (condition()) return resolve()
      const check = (): void => {
        if (!condition()) return
        events.off('change', check)
        resolve()
      }
      events.on('change', check)
    })

  let closed: Promise<void> | undefined
  return {
    baseUrl: `http://${host}:${address.port}/v1`,
    port: address.port,
    requests,
    get chatRequests() {
      return requests.filter((request) => request.path.endsWith('/chat/completions'))
    },
    get embeddingRequests() {
      return requests.filter((request) => request.path.endsWith('/embeddings'))
    },
    get openConnections() {
      return sockets.size
    },
    get requestCount() {
      return requestCount
    },
    get totalConnections() {
      return totalConnections
    },
    get abortedCount() {
      return abortedCount
    },
    get pending() {
      return queue.length
    },
    script: (...behaviours: Behaviour[]) => {
      queue.push(...behaviours)
    },
    scriptRepeat: (behaviour: Behaviour, count: number) => {
      for (let i = 0; i < count; i++) queue.push(behaviour)
    },
    setResponder: (next: Responder | undefined) => {
      responder = next
    },
    waitForRequests: (count: number) => waitUntil(() => requestCount >= count),
    waitForAborted: (count: number) => waitUntil(() => abortedCount >= count),
    waitForIdle: () => waitUntil(() => sockets.size === 0),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing.abort()
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closed
    },
  }
}
