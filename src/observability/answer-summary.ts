/**
 * What a completion log line says about an answer (model, attempts, error code), read from any
 * driber response body. Both transports' completion lines use it: the HTTP request-log plugin on
 * the reply payload, the gRPC call interceptor on the response message.
 */
import type { Attempt } from '../core/types.js'

/** What the completion line says about the answer. */
export interface AnswerSummary {
  /** Set when the body itself tells the stage apart from the route (`rank` answers on `/v1/decide`). */
  stage?: string
  model?: string
  attempts?: Array<Pick<Attempt, 'model' | 'outcome' | 'reason' | 'code' | 'duration_ms'>>
  errorCode?: string
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

const attemptsOf = (value: unknown): AnswerSummary['attempts'] => {
  if (!Array.isArray(value)) return undefined
  return value.filter(isRecord).map((attempt) => {
    const summary: NonNullable<AnswerSummary['attempts']>[number] = {
      model: String(attempt.model),
      outcome: attempt.outcome as Attempt['outcome'],
      duration_ms: typeof attempt.duration_ms === 'number' ? attempt.duration_ms : 0,
    }
    if (typeof attempt.reason === 'string') summary.reason = attempt.reason as Attempt['reason']
    if (typeof attempt.code === 'string') summary.code = attempt.code as Attempt['code']
    return summary
  })
}

/**
 * Picks model, attempts and error code out of any driber response body: stage answers carry
 * `{model, attempts}`, Share nests them under `decision` (its model) and adds Describe's under
 * `describe` (the line lists both stages' attempts), errors under `error.details`; the gRPC Decide
 * response nests them under its `next` or `rank` case.
 */
export const summariseAnswer = (payload: unknown): AnswerSummary | null => {
  if (!isRecord(payload)) return null
  const summary: AnswerSummary = {}
  const answer = isRecord(payload.decision) ? payload.decision : isRecord(payload.next) ? payload.next : isRecord(payload.rank) ? payload.rank : payload
  if (typeof answer.model === 'string') summary.model = answer.model
  if (Array.isArray(payload.candidates) || isRecord(payload.rank)) summary.stage = 'rank'
  const attempts = attemptsOf(answer.attempts)
  if (attempts !== undefined) summary.attempts = attempts
  const describeAttempts = isRecord(payload.describe) ? attemptsOf(payload.describe.attempts) : undefined
  if (describeAttempts !== undefined) summary.attempts = [...(summary.attempts ?? []), ...describeAttempts]
  if (isRecord(payload.error)) {
    if (typeof payload.error.code === 'string') summary.errorCode = payload.error.code
    const details = payload.error.details
    if (isRecord(details)) {
      const failedAttempts = attemptsOf(details.attempts)
      if (failedAttempts !== undefined) summary.attempts = failedAttempts
    }
  }
  return summary
}
