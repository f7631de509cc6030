/**
 * gRPC RED metrics: the hooks the gRPC adapter's call interceptor reports to (`onCallStart`,
 * `onCallDone` of `createGrpcServer`), recorded as `grpc_server_handled_total`,
 * `grpc_server_handling_seconds`, the in-flight gauge and driber's overhead.
 */
import type { GrpcCallEvent } from '../grpc/call-interceptor.js'
import type { Metrics } from './metrics.js'

export interface GrpcCallHooks {
  onCallStart(): void
  onCallDone(event: GrpcCallEvent): void
}

/** The hooks for `createGrpcServer`; every started call is finished exactly once by the adapter. */
export const grpcCallMetrics = (metrics: Metrics): GrpcCallHooks => ({
  onCallStart: () => metrics.trackInFlight('grpc', 1),
  onCallDone: (event) => {
    metrics.trackInFlight('grpc', -1)
    metrics.observeGrpc(event.service, event.method, event.code, event.durationSeconds)
    metrics.observeOverhead('grpc', event.durationSeconds - event.upstreamSeconds - event.retryWaitSeconds)
  },
})
