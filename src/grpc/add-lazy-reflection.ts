/**
 * Server reflection (`grpc.reflection.v1` and `v1alpha`) whose analysis of the protos runs on the
 * first reflection call instead of at start. `@grpc/reflection` indexes every file descriptor in
 * its constructor, about 25 ms of a remote-model start-up of under a second; reflection is what
 * grpcurl and debugging tools call, never the request path, so they pay it once instead.
 */
import type * as grpc from '@grpc/grpc-js'
import type { PackageDefinition } from '@grpc/proto-loader'
import { ReflectionService } from '@grpc/reflection'

type Implementation = grpc.UntypedServiceImplementation

/** The services `service.addToServer` would add, keyed by their first method's path (unique per service). */
const servicesOf = (service: ReflectionService): Map<string, { definition: grpc.ServiceDefinition; implementation: Implementation }> => {
  const added = new Map<string, { definition: grpc.ServiceDefinition; implementation: Implementation }>()
  service.addToServer({
    addService: (definition, implementation) => {
      added.set(Object.values(definition)[0]?.path ?? '', { definition, implementation })
    },
  })
  return added
}

/**
 * Adds reflection for `packageDefinition` to `server`. The services and their method definitions
 * are registered now (grpc-js needs them before binding); each handler builds the real
 * `ReflectionService` on its first call and hands the call to it.
 */
export const addLazyReflection = (server: Pick<grpc.Server, 'addService'>, packageDefinition: PackageDefinition): void => {
  let real: ReturnType<typeof servicesOf> | undefined
  // An empty package is indexed in no time; it yields the same services and method definitions.
  for (const [key, { definition, implementation }] of servicesOf(new ReflectionService({}))) {
    const handlers: Implementation = {}
    for (const method of Object.keys(implementation)) {
      handlers[method] = (call: unknown, callback?: unknown) => {
        real ??= servicesOf(new ReflectionService(packageDefinition))
        const handler = real.get(key)?.implementation[method] as (call: unknown, callback?: unknown) => void
        handler(call, callback)
      }
    }
    server.addService(definition, handlers)
  }
}
