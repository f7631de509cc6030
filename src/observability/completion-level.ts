/**
 * The level of a request's completion line, the same for HTTP and gRPC: `info` for success,
 * `warn` for client mistakes (4xx in the catalog), `error` for our and upstream faults (5xx).
 * Refusals made on purpose while draining (`DRIBER_SHUTTING_DOWN`) are `warn`: every rollout
 * produces them by the hundred, and they are not faults anyone must chase.
 */
export type CompletionLevel = 'info' | 'warn' | 'error'

export const completionLevel = (httpStatus: number, errorCode?: string): CompletionLevel => {
  if (errorCode === 'DRIBER_SHUTTING_DOWN') return 'warn'
  return httpStatus >= 500 ? 'error' : httpStatus >= 400 ? 'warn' : 'info'
}
