/**
 * One attempt at an upstream call: a per-attempt timer combined with the request's signal, and the
 * error mapping applied to whatever escapes. Chat and embeddings share it so both time out and
 * cancel the same way.
 */
import { mapOpenAIError } from './openai-error-mapper.js'

/**
 * Runs `call(signal)`, where `signal` aborts when the request's signal does or `timeoutMs` passes, and
 * converts any failure with `mapOpenAIError`. The timer is always cleared, so no handle outlives the call.
 */
export const withAttempt = async <T>(
  options: { model: string; timeoutMs: number; requestSignal: AbortSignal },
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> => {
  const attempt = new AbortController()
  const timer = setTimeout(() => attempt.abort(), options.timeoutMs)
  const signal = AbortSignal.any([options.requestSignal, attempt.signal])
  try {
    return await call(signal)
  } catch (error) {
    throw mapOpenAIError(error, {
      model: options.model,
      requestSignal: options.requestSignal,
      attemptSignal: attempt.signal,
      timeoutMs: options.timeoutMs,
    })
  } finally {
    clearTimeout(timer)
  }
}
